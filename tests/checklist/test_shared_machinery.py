"""What the checklist added to the shared wizard machinery and the screening's public helpers."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AnonymousUser

from apps.screening.gate import bone_density_caution_for
from backpain.guest import SESSION_KEY
from backpain.wizard import NOTE_MESSAGE, NotedStepForm, Step, StepForm, step_after, step_context
from tests.screening.factories import ScreeningFactory


def test_step_after_goes_on_then_back_to_the_first_gap_then_ends():
    keys = ["a", "b", "c"]

    assert step_after(Step(1, 3), keys, {"a"}) == 2
    assert step_after(Step(3, 3), keys, {"a", "c"}) == 2
    assert step_after(Step(3, 3), keys, {"a", "b", "c"}) is None


def test_the_noted_form_takes_an_optional_note():
    assert NotedStepForm({"item": "a", "answer": "no"}, item="a").is_valid()

    form = NotedStepForm({"item": "a", "answer": "no", "note": "  left side  "}, item="a")

    assert form.is_valid()
    assert form.cleaned_data == {"item": "a", "answer": "no", "note": "left side"}


def test_the_noted_form_rejects_a_long_note_and_keeps_it():
    form = NotedStepForm({"item": "a", "answer": "no", "note": "x" * 281}, item="a")

    assert not form.is_valid()
    assert form.errors["note"] == [NOTE_MESSAGE]
    assert form["note"].value() == "x" * 281


def test_the_noted_form_starts_from_the_saved_answer_and_note():
    form = NotedStepForm(item="a", answer="unsure", note="stiff")

    assert (form["answer"].value(), form["note"].value()) == ("unsure", "stiff")


def test_the_plain_step_form_has_no_note():
    assert "note" not in StepForm(item="a").fields


def _request(rf, user=None, guest=None):
    request = rf.get("/")
    request.user = user or AnonymousUser()
    request.session = {SESSION_KEY: str(guest)} if guest else {}
    return request


def test_bone_density_caution_follows_the_patients_latest_screening(rf, patient):
    assert bone_density_caution_for(_request(rf, patient)) is False

    ScreeningFactory(user=patient, bone_density_caution=True)
    assert bone_density_caution_for(_request(rf, patient)) is True

    ScreeningFactory(user=patient, bone_density_caution=False)
    assert bone_density_caution_for(_request(rf, patient)) is False


def test_bone_density_caution_for_a_guest_is_their_own_screenings(rf, db):
    guest = uuid.uuid4()
    ScreeningFactory(guest_id=guest, bone_density_caution=True)

    assert bone_density_caution_for(_request(rf, guest=guest)) is True
    assert bone_density_caution_for(_request(rf, guest=uuid.uuid4())) is False
    assert bone_density_caution_for(_request(rf)) is False


def test_step_context_names_the_step_and_links_back_to_the_start_from_the_first():
    first = step_context(
        Step(1, 11), url_name="checklist:step", start_url="/checklist/", unit="Item", name="x"
    )
    last = step_context(
        Step(11, 11), url_name="checklist:step", start_url="/checklist/", unit="Item", name="x"
    )

    assert first == {
        "title": "Item 1 of 11: x",
        "step": Step(1, 11),
        "unit": "Item",
        "action": "/checklist/step/1/",
        "back_url": "/checklist/",
        "submit_label": "Next",
    }
    assert (last["back_url"], last["submit_label"]) == ("/checklist/step/10/", "See my result")
