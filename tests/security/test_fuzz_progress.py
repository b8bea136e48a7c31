"""Fuzzed posts to the patient's forms: session log (its edit and delete), weekly check-in with
the re-check, reminder, plan swap and strength days (see tests/security/fuzz.py), and the calendar
feed's address.
"""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from apps.exercises.models import Exercise
from apps.progress import services
from apps.progress.models import PlanItem, Session
from apps.progress.reminders import calendar_link_make
from tests.factories import CheckInFactory, SessionFactory, UserFactory, monday
from tests.screening.factories import answered_screening

from .fuzz import FUZZ, JUNK, Tally, check, csrf_client, posts

PAIN = st.integers(0, 10)
NOTE = st.text(max_size=500).filter(lambda s: "\x00" not in s)
NUMBER_JUNK = st.sampled_from(["-1", "0", "11", "21", "201", "3601", "1.5", "1e2", "x", "32768"])


def _day(days_ago: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


@st.composite
def session_posts(draw: st.DrawFn, slugs: list[str], tokens: list[uuid.UUID]) -> dict:
    """The log's post: ticked and unticked lines, and sometimes a button that changes the
    lines (add from the search, remove a line) instead of saving."""
    rows = draw(st.integers(0, 4))
    data = {
        "performed_on": _day(draw(st.integers(0, 60))),
        "pain_during": draw(PAIN),
        "note": draw(NOTE),
        "client_token": draw(st.one_of(st.uuids(), st.sampled_from(tokens))),
        "entries-TOTAL_FORMS": rows + draw(st.integers(0, 1)),
        "entries-INITIAL_FORMS": draw(st.integers(0, rows)),
    }
    for index in range(rows):
        timed = draw(st.booleans())
        data |= {
            f"entries-{index}-exercise": draw(st.sampled_from(slugs)),
            f"entries-{index}-sets": draw(st.integers(1, 20)),
            f"entries-{index}-reps": "" if timed else draw(st.integers(1, 200)),
            f"entries-{index}-hold_seconds": draw(st.integers(1, 3600)) if timed else "",
        }
        if draw(st.integers(0, 3)):
            data[f"entries-{index}-done"] = "on"
    button = draw(st.sampled_from(["", "", "", "save", "add", "remove", "find", "refresh"]))
    if button == "add":
        data["add"] = draw(st.sampled_from(slugs))
    elif button == "remove":
        data["remove"] = draw(st.integers(0, max(rows, 1)))
    elif button:
        data[button] = "1"
    if button in ("find", "refresh") or draw(st.booleans()):
        data["search-q"] = draw(st.sampled_from(["bridge", "Dead bug", "breathing", "", "zz"]))
    return data


SESSION_JUNK = {
    "performed_on": st.sampled_from([_day(-1), _day(61), "2024-13-01", "31/12/2024", "today"]),
    "pain_during": NUMBER_JUNK,
    "client_token": st.sampled_from(["not-a-uuid", "{}", str(uuid.UUID(int=0))[:-1]]),
    "TOTAL_FORMS": st.sampled_from(["21", "1001", "-1", "99999999999999999999", "x"]),
    "INITIAL_FORMS": st.sampled_from(["1", "5", "-1", "x"]),
    "exercise": st.sampled_from(["no-such-exercise", "GLUTE-BRIDGE", "../x", ""]),
    "done": st.sampled_from(["off", "false", "0", "", "yes", "\x00"]),
    "sets": NUMBER_JUNK,
    "reps": NUMBER_JUNK,
    "hold_seconds": NUMBER_JUNK,
    "add": st.sampled_from(["no-such", "", "BRIDGE", "x" * 500]),
    "remove": st.sampled_from(["-1", "99", "x", "1e3", ""]),
    "q": st.sampled_from(["x" * 101, "%", "'; --", "\x00"]),
}


@pytest.mark.django_db
def test_session_log_and_its_edit_survive_fuzzed_posts(content):
    patient, other = UserFactory(), UserFactory()
    slugs = list(Exercise.objects.values_list("slug", flat=True))
    exercise = Exercise.objects.first()
    own = SessionFactory(patient=patient)
    own.entries.create(exercise=exercise, reps=5)
    theirs = SessionFactory(patient=other)
    theirs.entries.create(exercise=exercise, reps=5)
    old = SessionFactory(patient=patient)
    old.entries.create(exercise=exercise, reps=5)
    Session.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    # Resent forms: this patient's own token, and another patient's.
    tokens = [own.client_token, theirs.client_token]
    paths = [
        "/progress/log/",
        f"/progress/log/{own.uuid}/",
        f"/progress/log/{theirs.uuid}/",
        f"/progress/log/{old.uuid}/",
    ]
    client = csrf_client(patient)
    tally = Tally("session log and entries")

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        path = data.draw(st.sampled_from([paths[0], paths[0], *paths]), "path")
        post = data.draw(posts(session_posts(slugs, tokens), junk=SESSION_JUNK), "post")
        check(client, path, post, tally)

    run()
    tally.done()
    assert tally.saved
    old.refresh_from_db()
    assert old.entries.get().reps == 5, "a session older than a week is not changed"


@pytest.mark.django_db
def test_session_delete_survives_fuzzed_posts(content):
    patient, other = UserFactory(), UserFactory()
    exercise = Exercise.objects.first()
    theirs = SessionFactory(patient=other)
    theirs.entries.create(exercise=exercise, reps=5)
    old = SessionFactory(patient=patient)
    old.entries.create(exercise=exercise, reps=5)
    Session.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    client = csrf_client(patient)
    tally = Tally("session delete")
    valid = st.fixed_dictionaries({}, optional={"back": st.sampled_from(["progress", "log"])})
    junk = {"back": st.sampled_from(["//evil.example", "\x00", "x" * 500])}

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        own = SessionFactory(patient=patient)
        own.entries.create(exercise=exercise, reps=5)
        target = data.draw(
            st.sampled_from([own.uuid, own.uuid, theirs.uuid, old.uuid, uuid.uuid4()]), "session"
        )
        post = data.draw(posts(valid, junk=junk), "post")
        response = check(
            client,
            f"/progress/log/{target}/delete/",
            post,
            tally,
            may_change={"progress_session", "progress_sessionentry"},
        )
        if response.status_code == 302:
            assert response["Location"] in ("/progress/", "/progress/log/")
        if target != own.uuid or response.status_code != 302:
            assert Session.objects.filter(pk=own.pk).exists()

    run()
    tally.done()
    assert tally.saved
    assert Session.objects.filter(pk__in=[theirs.pk, old.pk]).count() == 2


@st.composite
def check_in_posts(draw: st.DrawFn, recheck_keys: list[str]) -> dict:
    average = draw(PAIN)
    data = {
        "pain_average": average,
        "pain_worst": draw(st.integers(average, 10)),
        "sleep_nights": draw(st.integers(0, 7)),
        "days_active": draw(st.integers(0, 7)),
        "note": draw(NOTE),
    }
    for order in range(3):
        if draw(st.booleans()):
            data[f"activity_{order}_name"] = draw(
                st.text(min_size=1, max_size=80).filter(lambda s: s.strip() and "\x00" not in s)
            )
            data[f"activity_{order}_score"] = draw(PAIN)
    # Mostly "no": a sign makes the check-in lead to its result, which is a success too.
    answer = st.sampled_from(["no", "no", "no", "no", "unsure", "yes"])
    data |= {f"recheck_{key}": draw(answer) for key in recheck_keys}
    return data


@pytest.mark.django_db
def test_check_in_with_recheck_survives_fuzzed_posts(content):
    patient = UserFactory()
    keys = [question.key for question in services.recheck_questions()]
    client = csrf_client(patient)
    tally = Tally("weekly check-in with re-check")
    junk = {
        "pain_average": NUMBER_JUNK,
        "pain_worst": NUMBER_JUNK,
        "sleep_nights": st.sampled_from(["8", "-1", "7.0", "32768"]),
        "days_active": st.sampled_from(["8", "-1", "1e1"]),
        "note": st.sampled_from(["x" * 501, "\x00"]),
        **{f"activity_{n}_name": st.sampled_from(["x" * 81, "\x00", "   "]) for n in range(3)},
        **{f"activity_{n}_score": NUMBER_JUNK for n in range(3)},
        **{f"recheck_{key}": st.sampled_from(["YES", "maybe", ""]) for key in keys},
    }

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        post = data.draw(posts(check_in_posts(keys), junk=junk), "post")
        check(client, "/progress/check-in/", post, tally)

    run()
    tally.done()
    assert tally.saved


@pytest.mark.django_db
def test_reminder_survives_fuzzed_posts(content):
    client = csrf_client(UserFactory())
    tally = Tally("reminder")
    valid = st.fixed_dictionaries(
        {"weekday": st.integers(0, 6), "hour": st.integers(0, 23)},
        optional={
            "enabled": st.sampled_from(["on", "true", "1", "false"]),
            "exercise_days": st.sampled_from(["on", "true", "1", "false"]),
        },
    )
    junk = {
        "weekday": st.sampled_from(["7", "-1", "Monday", "6.0", "1e0"]),
        "hour": st.sampled_from(["24", "-1", "18:00", "6pm", "23.5", "1e1"]),
    }

    @FUZZ
    @given(post=posts(valid, junk=junk))
    def run(post) -> None:
        check(client, "/progress/reminder/", post, tally)

    run()
    tally.done()
    assert tally.saved


@pytest.mark.django_db
def test_the_calendar_feed_survives_fuzzed_addresses(content):
    """Anything in place of the feed's secret is a 404 (or the 400 for bad bytes), never
    someone's feed and never an error."""
    patient = UserFactory()
    token = calendar_link_make(patient=patient).calendar_token
    client = Client()
    statuses = set()

    @FUZZ
    @given(
        secret=st.one_of(JUNK, st.just(token[:-1]), st.just(token.upper()), st.just(token + "x"))
    )
    def run(secret: str) -> None:
        response = client.get(f"/calendar/{quote(secret, safe='')}.ics")
        statuses.add(response.status_code)
        assert response.status_code in (400, 404), (response.status_code, secret)

    run()
    assert 404 in statuses
    assert client.get(f"/calendar/{token}.ics").status_code == 200


@pytest.mark.django_db
def test_plan_swap_survives_fuzzed_posts(content):
    patient, other = UserFactory(), UserFactory()
    for person in (patient, other):
        answered_screening(person, {})
        services.plan_build(patient=person)
    exercises = list(Exercise.objects.all())
    slugs = [exercise.slug for exercise in exercises]
    theirs = PlanItem.objects.filter(plan__patient=other).first()
    client = csrf_client(patient)
    tally = Tally("plan swap")

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        items = list(PlanItem.objects.filter(plan__patient=patient, plan__active=True))
        # Indices, not the items themselves: what can be drawn must not depend on the plan,
        # which earlier swaps change.
        pick = data.draw(st.integers(0, len(items) + 3), "item")
        item = items[pick] if pick < len(items) else None
        item_id = item.id if item else [theirs.id, 0, 2**31, 10**20][pick - len(items)]
        fits = services.swap_choices(item, exercises, bone_density=False) if item else []
        choices = [exercise.slug for exercise in fits] or slugs
        valid = st.integers(0, 999).map(lambda n: {"exercise": choices[n % len(choices)]})
        junk = {"exercise": st.sampled_from([*slugs, "no-such", "A B", "é"])}
        post = data.draw(posts(valid, junk=junk), "post")
        check(client, f"/plan/items/{item_id}/swap/", post, tally)

    run()
    tally.done()
    assert tally.saved


@pytest.mark.django_db
def test_plan_strength_days_survive_fuzzed_posts(content):
    patient = UserFactory()
    answered_screening(patient, {})
    CheckInFactory(patient=patient, week_start=monday(1), pain_average=2, pain_worst=3)
    services.plan_build(patient=patient)
    client = csrf_client(patient)
    tally = Tally("plan strength days")
    valid = st.lists(st.integers(0, 6), min_size=1, max_size=6, unique=True).map(
        lambda days: {"days": days}
    )
    junk = {"days": st.sampled_from(["7", "-1", "Monday", "1.0", "0x1", "", "٣"])}

    @FUZZ
    @given(post=posts(valid, junk=junk))
    def run(post) -> None:
        check(client, "/plan/days/", post, tally)

    run()
    tally.done()
    assert tally.saved
