"""backpain.wizard: the parts the screening shares with the checklist."""

from __future__ import annotations

import pytest

from backpain.wizard import ITEM_MESSAGE, Step, StepForm, first_unanswered


@pytest.mark.parametrize(
    ("number", "expected", "moved"),
    [(1, 1, False), (3, 3, False), (5, 5, False), (6, 5, True), (0, 1, True), (-2, 1, True)],
)
def test_step_within_keeps_the_number_inside_the_wizard(number, expected, moved):
    step, notice = Step.within(number, 5)

    assert step == Step(expected, 5)
    assert bool(notice) is moved


def test_step_neighbours():
    assert (Step(1, 3).previous, Step(1, 3).next, Step(1, 3).is_last) == (None, 2, False)
    assert (Step(3, 3).previous, Step(3, 3).next, Step(3, 3).is_last) == (2, None, True)
    assert Step(2, 3).index == 1


def test_a_wizard_needs_steps():
    with pytest.raises(ValueError):
        Step.within(1, 0)


def test_first_unanswered():
    assert first_unanswered(["a", "b", "c"], {"a": "yes", "c": "no"}) == 2
    assert first_unanswered(["a", "b"], {"a", "b"}) is None


def test_the_step_form_accepts_an_answer_to_the_item_shown():
    form = StepForm({"item": "a", "answer": "unsure"}, item="a")

    assert form.is_valid()
    assert form.cleaned_data == {"item": "a", "answer": "unsure"}


def test_the_step_form_rejects_an_answer_to_another_item():
    form = StepForm({"item": "b", "answer": "yes"}, item="a")

    assert not form.is_valid()
    assert form.errors["item"] == [ITEM_MESSAGE]


def test_the_step_form_starts_from_the_saved_answer():
    form = StepForm(item="a", answer="no")

    assert form["answer"].value() == "no"
    assert form["item"].value() == "a"
