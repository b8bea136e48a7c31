"""The triage rules, against the real question file and without a database."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from apps.screening.triage import Urgency, triage

QUESTIONS = sorted(
    json.loads((settings.BASE_DIR / "fixtures" / "screening_questions.json").read_text()),
    key=lambda question: question["order"],
)
LEVELS = {question["key"]: question["level"] for question in QUESTIONS}
EMERGENCY_SIGNS = [key for key, level in LEVELS.items() if level == "emergency"]
ALL_NO = dict.fromkeys(LEVELS, "no")

# The clinical decision written out per question, not derived from the file, so a changed
# level in the content shows up here: (result for yes, result for not sure).
ALONE = {
    "bladder_bowel": ("emergency", "emergency"),
    "saddle_numbness": ("emergency", "emergency"),
    "sexual_function": ("emergency", "emergency"),
    "both_legs": ("emergency", "emergency"),
    "leg_weakness": ("emergency", "emergency"),
    "possible_fracture": ("urgent", "urgent"),
    "cancer_history": ("urgent", "urgent"),
    "weight_loss": ("urgent", "urgent"),
    "fever_unwell": ("urgent", "urgent"),
    "visceral": ("urgent", "urgent"),
    "radiating": ("soon", "none"),
    "sleep_or_movement": ("soon", "none"),
    "night_pain": ("soon", "none"),
    "age_onset": ("soon", "none"),
    "not_improving": ("physio", "none"),
    "osteoporosis": ("none", "none"),
}


def test_the_table_covers_every_question_in_the_file():
    assert set(ALONE) == set(LEVELS)


@pytest.mark.parametrize("key", list(ALONE))
def test_each_question_answered_yes_alone(key):
    outcome = triage({**ALL_NO, key: "yes"}, LEVELS)

    assert outcome.urgency == ALONE[key][0]
    assert outcome.triggers == (() if key == "osteoporosis" else (key,))
    assert outcome.unsure == ()
    assert outcome.bone_density_caution is (key == "osteoporosis")


@pytest.mark.parametrize("key", list(ALONE))
def test_each_question_answered_not_sure_alone(key):
    outcome = triage({**ALL_NO, key: "unsure"}, LEVELS)

    assert outcome.urgency == ALONE[key][1]
    counted = outcome.urgency != Urgency.NONE
    assert outcome.triggers == ((key,) if counted else ())
    # A "not sure" that did not count is still shown, so the person can ask about it.
    assert outcome.unsure == (() if counted or key == "osteoporosis" else (key,))
    assert outcome.bone_density_caution is (key == "osteoporosis")


def test_all_no_is_none():
    outcome = triage(ALL_NO, LEVELS)

    assert outcome.urgency == Urgency.NONE
    assert outcome.triggers == outcome.unsure == ()
    assert outcome.bone_density_caution is False


def test_no_answers_at_all_is_none():
    assert triage({}, LEVELS).urgency == Urgency.NONE


def test_answers_to_unknown_questions_are_ignored():
    assert triage({**ALL_NO, "made_up": "yes"}, LEVELS).urgency == Urgency.NONE


@pytest.mark.parametrize(
    ("answers", "urgency", "triggers"),
    [
        (
            {
                "not_improving": "yes",
                "radiating": "yes",
                "possible_fracture": "yes",
                "bladder_bowel": "yes",
            },
            "emergency",
            ("bladder_bowel", "possible_fracture", "radiating", "not_improving"),
        ),
        (
            {"cancer_history": "yes", "saddle_numbness": "unsure"},
            "emergency",
            ("saddle_numbness", "cancer_history"),
        ),
        (
            {"not_improving": "yes", "weight_loss": "unsure"},
            "urgent",
            ("weight_loss", "not_improving"),
        ),
        ({"visceral": "yes", "fever_unwell": "yes"}, "urgent", ("fever_unwell", "visceral")),
        ({"not_improving": "yes", "night_pain": "yes"}, "soon", ("night_pain", "not_improving")),
        (
            {"radiating": "yes", "sleep_or_movement": "yes"},
            "soon",
            ("radiating", "sleep_or_movement"),
        ),
        ({"not_improving": "yes", "radiating": "unsure"}, "physio", ("not_improving",)),
        ({"osteoporosis": "yes", "age_onset": "yes"}, "soon", ("age_onset",)),
    ],
)
def test_the_most_urgent_wins_and_every_trigger_is_listed_most_urgent_first(
    answers, urgency, triggers
):
    outcome = triage({**ALL_NO, **answers}, LEVELS)

    assert outcome.urgency == urgency
    assert outcome.triggers == triggers


def test_everything_yes_is_an_emergency_listing_every_sign():
    outcome = triage(dict.fromkeys(LEVELS, "yes"), LEVELS)

    assert outcome.urgency == Urgency.EMERGENCY
    assert outcome.triggers[: len(EMERGENCY_SIGNS)] == tuple(EMERGENCY_SIGNS)
    assert set(outcome.triggers) == set(LEVELS) - {"osteoporosis"}
    assert outcome.bone_density_caution is True


def test_bone_density_caution_leaves_the_level_alone():
    outcome = triage({**ALL_NO, "osteoporosis": "unsure", "not_improving": "yes"}, LEVELS)

    assert outcome.urgency == Urgency.PHYSIO
    assert outcome.bone_density_caution is True


any_answers = st.fixed_dictionaries(
    {key: st.sampled_from(["yes", "no", "unsure"]) for key in LEVELS}
)
RANK = {"emergency": 0, "urgent": 1, "soon": 2, "physio": 3}


@given(any_answers)
def test_any_emergency_sign_answered_yes_or_not_sure_is_an_emergency(answers):
    outcome = triage(answers, LEVELS)

    has_sign = any(answers[key] in ("yes", "unsure") for key in EMERGENCY_SIGNS)
    assert (outcome.urgency == Urgency.EMERGENCY) is has_sign


@given(any_answers)
def test_every_yes_is_listed_and_the_list_runs_most_urgent_first(answers):
    outcome = triage(answers, LEVELS)

    yes = {key for key, value in answers.items() if value == "yes" and LEVELS[key] != "caution"}
    assert yes <= set(outcome.triggers)
    ranks = [RANK[LEVELS[key]] for key in outcome.triggers]
    assert ranks == sorted(ranks)
    expected = min(ranks, default=None)
    assert outcome.urgency == (Urgency.NONE if expected is None else list(RANK)[expected])
