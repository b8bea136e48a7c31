"""The routine player's timing rules, its server-rendered how-to and the one-tap log it ends in."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from apps.exercises import player
from apps.exercises.models import Exercise
from apps.progress.models import Session
from tests.factories import ExerciseFactory

ROUTINE = "/exercises/routine/?items=dead-bug,side-plank,angry-cat,breathing-4-7-8"


class FormReader(HTMLParser):
    """Collect the named inputs and submit buttons of the form posting to /progress/log/."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.buttons: list[tuple[str, str]] = []
        self.action = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form" and attr.get("action") == "/progress/log/":
            self.inside, self.action = True, attr["action"]
            assert attr["method"] == "post"
        elif self.inside and tag == "input" and attr.get("name"):
            self.fields.append((attr["name"], attr.get("value", "")))
        elif self.inside and tag == "button":
            assert attr["type"] == "submit"
            self.buttons.append((attr["name"], attr["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def read_form(body: str) -> FormReader:
    reader = FormReader()
    reader.feed(body)
    return reader


# Timing rules (static/js/routine.js applies the same ones; the browser test compares).


@pytest.mark.parametrize(
    ("fields", "seconds"),
    [
        # 12 reps without a hold at 3 s a rep.
        ({"reps": 12, "hold_seconds": None, "rest_seconds": 2}, 36),
        # 20 holds of 5 s with 3 s between them: 100 + 19 * 3.
        ({"reps": 20, "hold_seconds": 5, "rest_seconds": 3}, 157),
        # 15 s a side, a 10 s rest doubling as the switch: 15 + 10 + 15.
        ({"reps": None, "hold_seconds": 15, "per_side": True, "rest_seconds": 10}, 40),
        # A short rest still leaves 3 s to switch sides: 10 reps * 3 s, twice, + 3.
        ({"reps": 10, "hold_seconds": None, "per_side": True, "rest_seconds": 0}, 63),
        # Timed work: the duration; three sets with at least 10 s between them.
        ({"reps": None, "duration_seconds": 60, "sets": 3, "rest_seconds": 0}, 200),
        # Sets, sides, holds and rests together: per side 2 * 20 + 5; a set 45 * 2 + 5.
        ({"reps": 2, "hold_seconds": 20, "per_side": True, "sets": 2, "rest_seconds": 5}, 200),
    ],
)
def test_an_exercises_time_counts_sets_sides_reps_holds_and_rests(db, fields, seconds):
    defaults = {"sets": 1, "per_side": False, "duration_seconds": None, "hold_seconds": None}
    exercise = ExerciseFactory.build(**{**defaults, **fields})

    assert player.exercise_seconds(exercise) == seconds


def test_the_tempo_sets_the_time_of_reps_without_a_hold(db):
    exercise = ExerciseFactory.build(reps=10, hold_seconds=None, duration_seconds=None, sets=1)

    assert player.exercise_seconds(exercise, tempo=1) == 10
    assert player.exercise_seconds(exercise, tempo=5) == 50


def test_the_routine_adds_a_count_in_before_each_exercise(content):
    exercises = Exercise.objects.in_slug_order(["dead-bug", "plank"])
    work = sum(player.exercise_seconds(e) for e in exercises)

    assert player.routine_seconds(exercises) == work + 2 * player.DEFAULT_READY
    assert player.routine_seconds(exercises, ready=0, tempo=1) == 12 + 20


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "Under a minute"),
        (59, "Under a minute"),
        (60, "About 1 minute"),
        (61, "About 2 minutes"),
    ],
)
def test_minutes_round_up(seconds, text):
    assert player.minutes_text(seconds) == text


# The page: every exercise's steps, cues and dose without JavaScript, and the total.


def test_the_page_lists_each_exercises_steps_cues_and_dose(client, content):
    body = client.get(ROUTINE).content.decode()

    for slug in ["dead-bug", "side-plank", "angry-cat", "breathing-4-7-8"]:
        exercise = Exercise.objects.get(slug=slug)
        for text in [exercise.dosage_text, *exercise.steps, *exercise.cues]:
            assert text.replace("'", "&#x27;").replace('"', "&quot;") in body, (slug, text)
    total = player.routine_seconds(Exercise.objects.in_slug_order(ROUTINE.split("=")[1].split(",")))
    assert f'data-total-seconds="{total}"' in body
    assert f"{player.minutes_text(total)} in all" in body


# The one-tap log at the end.


def test_a_patient_gets_a_prefilled_log_form_with_a_fresh_token(patient_client, content):
    body = patient_client.get(ROUTINE).content.decode()
    form = read_form(body)
    fields = dict(form.fields)

    assert "csrfmiddlewaretoken" in fields
    assert fields["performed_on"] == timezone.localdate().isoformat()
    assert fields["entries-TOTAL_FORMS"] == "4" and fields["entries-INITIAL_FORMS"] == "0"
    rows = [
        tuple(
            fields[f"entries-{n}-{name}"]
            for name in ("exercise", "done", "sets", "reps", "hold_seconds")
        )
        for n in range(4)
    ]
    assert rows == [
        ("dead-bug", "on", "1", "12", ""),
        ("side-plank", "on", "1", "", "15"),
        ("angry-cat", "on", "1", "20", "5"),
        ("breathing-4-7-8", "on", "1", "", "76"),  # timed moves log their duration
    ]
    assert form.buttons == [("pain_during", str(n)) for n in range(11)]
    assert "Pain during the routine" in body
    assert 'href="/progress/log/?items=dead-bug%2Cside-plank%2Cangry-cat%2Cbreathing-4-7-8"' in body
    token = uuid.UUID(fields["client_token"])
    again = dict(read_form(patient_client.get(ROUTINE).content.decode()).fields)
    assert uuid.UUID(again["client_token"]) != token, "each page gets its own token"


def test_one_tap_on_the_rendered_form_saves_one_session_with_every_entry(
    patient_client, patient, content
):
    form = read_form(patient_client.get(ROUTINE).content.decode())
    data = {**dict(form.fields), "pain_during": "3"}

    first = patient_client.post(form.action, data)
    again = patient_client.post(form.action, data)  # the same form sent twice

    assert first.status_code == 302 and again.status_code == 302
    session = Session.objects.get(patient=patient)
    assert session.pain_during == 3 and session.performed_on == timezone.localdate()
    assert [(e.exercise.slug, e.sets, e.reps, e.hold_seconds) for e in session.entries.all()] == [
        ("dead-bug", 1, 12, None),
        ("side-plank", 1, None, 15),
        ("angry-cat", 1, 20, 5),
        ("breathing-4-7-8", 1, None, 76),
    ]


def test_a_skipped_row_without_an_exercise_is_left_out(patient_client, patient, content):
    # What the player sends for an exercise skipped before any of it was done.
    form = read_form(patient_client.get(ROUTINE).content.decode())
    data = {**dict(form.fields), "pain_during": "0", "entries-1-exercise": ""}
    del data["entries-1-done"]

    assert patient_client.post(form.action, data).status_code == 302
    slugs = [e.exercise.slug for e in Session.objects.get(patient=patient).entries.all()]
    assert slugs == ["dead-bug", "angry-cat", "breathing-4-7-8"]


def test_a_guest_is_asked_to_log_in_with_the_way_back_to_the_log(client, content):
    body = client.get("/exercises/routine/?items=plank,bridge").content.decode()

    # The form is there but hidden (for the service worker's anonymous copy: offline,
    # routine.js shows it to a patient signed in on the device); the log-in link shows.
    quick = re.search(
        r'<div data-role="log-quick"( hidden)?>(.*?)</div>\s*<p data-role="log-guest">', body, re.S
    )
    assert quick and quick.group(1) == " hidden"
    form = read_form(quick.group(2))
    assert form.buttons == [("pain_during", str(n)) for n in range(11)]
    assert read_form(body).buttons == form.buttons, "no other log form on the page"
    assert '<p data-role="log-guest">' in body and '<p data-role="log-guest" hidden' not in body
    assert "backpain-account" not in body
    login = re.search(r'<a href="(/accounts/login/\?next=[^"]+)">log in</a>', body).group(1)
    assert login == "/accounts/login/?next=%2Fprogress%2Flog%2F%3Fitems%3Dplank%252Cbridge"


def test_a_clinician_gets_no_log_form(clinician_client, content):
    body = clinician_client.get("/exercises/routine/?items=plank").content.decode()

    assert read_form(body).fields == [] and "log in" not in body
    assert 'data-role="log-quick"' not in body
    # Their account mark is not a patient's, so sw-register.js records no patient.
    assert re.search(r'<meta name="backpain-account" content="\w{24}">', body)


def test_a_patient_sees_the_form_and_is_marked_as_a_patient(patient_client, content):
    body = patient_client.get("/exercises/routine/?items=plank").content.decode()

    assert '<div data-role="log-quick">' in body and 'data-role="log-guest"' not in body
    assert read_form(body).buttons == [("pain_during", str(n)) for n in range(11)]
    assert re.search(r'<meta name="backpain-account" content="\w{24}" data-patient>', body)
