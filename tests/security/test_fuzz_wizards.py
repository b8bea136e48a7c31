"""Fuzzed posts to the screening and checklist steps, the emergency confirmation, and
fuzzed queries to the exercise library and the routine player (see tests/security/fuzz.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from apps.checklist.models import Item, Run
from apps.exercises.models import Difficulty, Equipment, Exercise, Kind, Region
from apps.screening.models import Question, Screening
from apps.screening.triage import Level, Urgency
from tests.factories import UserFactory
from tests.screening.factories import answered_screening

from .fuzz import FUZZ, NASTY, Tally, check, csrf_client, posts

ANSWERS = ["yes", "no", "unsure"]
WRONG_ANSWERS = st.sampled_from(["YES", "maybe", "1", "yes ", "no\x00", "Not sure"])


def _numbers(total: int) -> st.SearchStrategy[int]:
    inside = st.integers(1, total)
    return st.one_of(inside, inside, st.sampled_from([-1, 0, total + 1, 10**30, -(10**30)]))


def _clients(user) -> list[Client]:
    """A signed-in patient, and a guest (their answers hang on the browser session)."""
    return [csrf_client(user), csrf_client()]


@pytest.mark.django_db
def test_screening_step_survives_fuzzed_posts(content):
    keys = list(Question.objects.active().values_list("key", flat=True))
    patient = UserFactory()
    clients = _clients(patient)
    tally = Tally("screening step")

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        number = data.draw(_numbers(len(keys)), "number")
        client = data.draw(st.sampled_from(clients), "client")
        # Start each post from a fresh state: nothing, or a check under way.
        Screening.objects.filter(user=patient).delete()
        if data.draw(st.booleans(), "under way"):
            Screening.objects.create(user=patient)
        key = keys[min(max(number, 1), len(keys)) - 1]
        valid = st.fixed_dictionaries({"item": st.just(key), "answer": st.sampled_from(ANSWERS)})
        junk = {"item": st.sampled_from(keys), "answer": WRONG_ANSWERS}
        post = data.draw(posts(valid, junk=junk), "post")
        check(client, f"/screening/step/{number}/", post, tally)

    run()
    tally.done()
    assert tally.saved


@pytest.mark.django_db
def test_checklist_step_with_note_survives_fuzzed_posts(content):
    keys = list(Item.objects.active().values_list("key", flat=True))
    patient = UserFactory()
    clients = _clients(patient)
    tally = Tally("checklist step")

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        number = data.draw(_numbers(len(keys)), "number")
        client = data.draw(st.sampled_from(clients), "client")
        Run.objects.filter(user=patient).delete()
        if data.draw(st.booleans(), "under way"):
            Run.objects.create(user=patient)
        key = keys[min(max(number, 1), len(keys)) - 1]
        valid = st.fixed_dictionaries(
            {
                "item": st.just(key),
                "answer": st.sampled_from(ANSWERS),
                "note": st.text(max_size=280).filter(lambda s: "\x00" not in s),
            }
        )
        junk = {
            "item": st.sampled_from(keys),
            "answer": WRONG_ANSWERS,
            "note": st.sampled_from(["x" * 281, "\x00", "é" * 281]),
        }
        post = data.draw(posts(valid, junk=junk), "post")
        check(client, f"/checklist/step/{number}/", post, tally)

    run()
    tally.done()
    assert tally.saved


@pytest.mark.django_db
def test_emergency_confirmation_survives_fuzzed_posts(content):
    patient = UserFactory()
    client = csrf_client(patient)
    emergency = Question.objects.active().filter(level=Level.EMERGENCY).first()
    screening = answered_screening(patient, {emergency.key: "yes"})
    assert screening.urgency == Urgency.EMERGENCY
    tally = Tally("emergency confirmation")

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        Screening.objects.filter(pk=screening.pk).update(acknowledged_at=None)
        valid = st.fixed_dictionaries({"confirmed": st.sampled_from(["on", "true", "1"])})
        junk = {"confirmed": st.sampled_from(["false", "0", "off", ""])}
        post = data.draw(posts(valid, junk=junk), "post")
        check(client, f"/screening/{screening.uuid}/acknowledge/", post, tally)

    run()
    tally.done()
    assert tally.saved


def _choices(kind) -> st.SearchStrategy[str]:
    return st.sampled_from(["", *kind.values])


@pytest.mark.django_db
def test_library_filters_survive_fuzzed_queries(content):
    tally = Tally("exercise library filters")
    clients = [Client(), Client()]
    clients[1].force_login(UserFactory())
    valid = st.fixed_dictionaries(
        {
            "q": st.text(max_size=100).filter(lambda s: "\x00" not in s),
            "kind": _choices(Kind),
            "region": _choices(Region),
            "equipment": _choices(Equipment),
            "difficulty": _choices(Difficulty),
        }
    )
    wrong = st.sampled_from(["hips", "KNEE", "any", "x" * 101])
    junk = {name: wrong for name in ["q", "kind", "region", "equipment", "difficulty"]}

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        post = data.draw(posts(valid, junk=junk, encodings=["urlencoded"]), "query")
        client = data.draw(st.sampled_from(clients), "client")
        response = check(client, "/exercises/", post, tally, method="GET")
        # Unknown filters are ignored with a note; only a NUL byte is refused (400).
        assert response.status_code in (200, 400)

    run()
    tally.done()


@pytest.mark.django_db
def test_routine_player_survives_fuzzed_queries(content):
    slugs = list(Exercise.objects.values_list("slug", flat=True))
    tally = Tally("routine player")
    client = Client()

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        items = st.lists(st.sampled_from(slugs), max_size=25).map(",".join)
        valid = st.fixed_dictionaries({"items": items})
        junk = {"items": st.sampled_from([",,,", " , ", "\x00", *NASTY])}
        post = data.draw(posts(valid, junk=junk, encodings=["urlencoded"]), "query")
        check(client, "/exercises/routine/", post, tally, method="GET")

    run()
    tally.done()
