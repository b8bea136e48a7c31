"""Fuzzed posts to the clinician's forms: invite, note, prescribe and alert preferences, and
fuzzed dashboard and programme-search queries (see tests/security/fuzz.py).

A clinician's look at a patient's data writes an audit event, so that table may change
whatever the outcome; nothing else may unless the post succeeded.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.accounts.models import InviteCode
from apps.clinic.models import Note
from apps.exercises.models import Difficulty, Exercise, Kind, Region

from .fuzz import FUZZ, Tally, check, csrf_client, posts, succeeded

AUDIT = {"clinic_auditevent"}
NUMBER_JUNK = st.sampled_from(["-1", "0", "8", "11", "51", "601", "1.5", "x", "32768", "1e1"])


@pytest.fixture
def patient_paths(patient, other_patient, clinician):
    """The linked patient (most of the time), someone else's patient and a made-up uuid."""
    return [patient.uuid] * 3 + [other_patient.uuid, uuid.UUID(int=7)]


@pytest.mark.django_db
def test_invite_survives_fuzzed_posts(content, clinician):
    client = csrf_client(clinician)
    tally = Tally("invite")

    @FUZZ
    @given(post=posts(st.just({})))
    def run(post) -> None:
        # Keep room under the limit of unused codes now and then, so new codes are made.
        if InviteCode.objects.filter(clinician=clinician).count() >= 20:
            InviteCode.objects.filter(clinician=clinician).delete()
        check(
            client,
            "/clinic/invite/",
            post,
            tally,
            success=lambda response: response.status_code < 400,
        )

    run()
    tally.done()
    assert tally.saved


@pytest.mark.django_db
def test_note_survives_fuzzed_posts(content, clinician, patient_paths):
    client = csrf_client(clinician)
    tally = Tally("clinic note")
    valid = st.fixed_dictionaries(
        {"text": st.text(min_size=1, max_size=4000).filter(lambda s: s.strip() and "\x00" not in s)}
    )
    junk = {"text": st.sampled_from(["x" * 4001, "\x00", "   ", "é" * 4001])}

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        who = data.draw(st.sampled_from(patient_paths), "patient")
        post = data.draw(posts(valid, junk=junk), "post")
        notes = Note.objects.count()
        # With htmx a saved note answers 200 with a fresh form; the new row tells.
        check(
            client,
            f"/clinic/patients/{who}/notes/",
            post,
            tally,
            may_change=AUDIT,
            success=lambda response: succeeded(response) or Note.objects.count() > notes,
        )

    run()
    tally.done()
    assert tally.saved


@st.composite
def prescriptions(draw: st.DrawFn, slugs: list[str]) -> dict:
    chosen = draw(st.lists(st.sampled_from(slugs), max_size=4, unique=True))
    data = {
        "rows-TOTAL_FORMS": len(chosen),
        "rows-INITIAL_FORMS": draw(st.integers(0, len(chosen))),
        "rows-MIN_NUM_FORMS": 0,
        "rows-MAX_NUM_FORMS": 20,
        "note": draw(st.text(max_size=2000).filter(lambda s: "\x00" not in s)),
    }
    for index, slug in enumerate(chosen):
        data |= {
            f"rows-{index}-exercise": slug,
            f"rows-{index}-sets": draw(st.integers(1, 10)),
            f"rows-{index}-reps": draw(st.one_of(st.just(""), st.integers(1, 50))),
            f"rows-{index}-hold_seconds": draw(st.one_of(st.just(""), st.integers(1, 600))),
            f"rows-{index}-days_per_week": draw(st.integers(1, 7)),
        }
    button = draw(st.sampled_from(["save", "save", "add", "remove", "none"]))
    if button == "save":
        data["save"] = "1"
    elif button == "add":
        data["add"] = draw(st.sampled_from(slugs))
    elif button == "remove":
        data["remove"] = draw(st.integers(-1, len(chosen)))
    return data


@pytest.mark.django_db
def test_prescribe_survives_fuzzed_posts(content, clinician, patient_paths):
    slugs = list(Exercise.objects.values_list("slug", flat=True))
    client = csrf_client(clinician)
    tally = Tally("prescribe")
    junk = {
        "TOTAL_FORMS": st.sampled_from(["21", "1001", "-1", "99999999999999999999", "x"]),
        "INITIAL_FORMS": st.sampled_from(["21", "-1", "x"]),
        "exercise": st.sampled_from(["no-such", "Bridge", "a b", "é", "x" * 81]),
        "sets": NUMBER_JUNK,
        "reps": NUMBER_JUNK,
        "hold_seconds": NUMBER_JUNK,
        "days_per_week": NUMBER_JUNK,
        "note": st.sampled_from(["x" * 2001, "\x00"]),
        "add": st.sampled_from(["no-such", "", "\x00", "x" * 5000]),
        "remove": st.sampled_from(["-1", "x", "99999999999999999999", "\x00"]),
    }

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        who = data.draw(st.sampled_from(patient_paths), "patient")
        post = data.draw(posts(prescriptions(slugs), junk=junk), "post")
        check(client, f"/clinic/patients/{who}/prescribe/", post, tally, may_change=AUDIT)

    run()
    tally.done()
    assert tally.saved


@pytest.mark.django_db
def test_alert_preferences_survive_fuzzed_posts(content, clinician):
    client = csrf_client(clinician)
    tally = Tally("alert preferences")
    valid = st.fixed_dictionaries({}, optional={"email_alerts": st.sampled_from(["on", "true"])})

    @FUZZ
    @given(post=posts(valid, junk={"email_alerts": st.sampled_from(["false", "0", ""])}))
    def run(post) -> None:
        check(client, "/clinic/preferences/", post, tally)

    run()
    tally.done()
    assert tally.saved


def _choices(kind) -> st.SearchStrategy[str]:
    return st.sampled_from(["", *kind.values])


@pytest.mark.django_db
def test_dashboard_and_programme_search_survive_fuzzed_queries(content, clinician, patient):
    client = csrf_client(clinician)
    tally = Tally("dashboard filters and programme search")
    dashboard = st.fixed_dictionaries(
        {
            "q": st.text(max_size=100).filter(lambda s: "\x00" not in s),
            "page": st.integers(-2, 5),
        },
        optional={"alerts": st.just("on")},
    )
    search = st.fixed_dictionaries(
        {
            "search-q": st.text(max_size=100).filter(lambda s: "\x00" not in s),
            "search-kind": _choices(Kind),
            "search-region": _choices(Region),
            "search-difficulty": _choices(Difficulty),
        }
    )
    junk = {
        "page": st.sampled_from(["x", "99999999999999999999", "-1", "1.5", "last"]),
        "q": st.sampled_from(["x" * 101, "%", "_", "\\"]),
        "kind": st.sampled_from(["KNEE", "any"]),
    }

    @FUZZ
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        if data.draw(st.booleans(), "dashboard"):
            path, valid = "/clinic/", dashboard
        else:
            path, valid = f"/clinic/patients/{patient.uuid}/prescribe/", search
        post = data.draw(posts(valid, junk=junk, encodings=["urlencoded"]), "query")
        check(client, path, post, tally, method="GET", may_change=AUDIT)

    run()
    tally.done()
