"""The triage rules, against the real question file and without a database."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from apps.screening.triage import Level, Urgency, ends_check, triage

QUESTIONS = sorted(
    json.loads((settings.BASE_DIR / "fixtures" / "screening_questions.json").read_text()),
    key=lambda question: question["order"],
)
LEVELS = {question["key"]: question["level"] for question in QUESTIONS}
EMERGENCY_SIGNS = [key for key, level in LEVELS.items() if level == "emergency"]
ALL_NO = dict.fromkeys(LEVELS, "no")

# The clinical decision written out per question and answer, not derived from the file, so a
# changed level in the content shows up here. Every other question is answered no.
# A not-sure counts exactly like a yes: it is never an all-clear.
EXPECTED = {
    "bladder_bowel": {"yes": "emergency", "no": "none", "unsure": "emergency"},
    "saddle_numbness": {"yes": "emergency", "no": "none", "unsure": "emergency"},
    "sexual_function": {"yes": "emergency", "no": "none", "unsure": "emergency"},
    "both_legs": {"yes": "emergency", "no": "none", "unsure": "emergency"},
    "leg_weakness": {"yes": "emergency", "no": "none", "unsure": "emergency"},
    "chest_pain": {"yes": "emergency", "no": "none", "unsure": "emergency"},
    "serious_accident": {"yes": "emergency", "no": "none", "unsure": "emergency"},
    "possible_fracture": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "fragility_pain": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "cancer_history": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "weight_loss": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "fever_unwell": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "infection_risk": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "visceral": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "night_pain": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "back_lump": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "between_shoulder_blades": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "cough_sneeze": {"yes": "urgent", "no": "none", "unsure": "urgent"},
    "radiating": {"yes": "soon", "no": "none", "unsure": "soon"},
    "sleep_or_movement": {"yes": "soon", "no": "none", "unsure": "soon"},
    "getting_worse": {"yes": "soon", "no": "none", "unsure": "soon"},
    "age_onset": {"yes": "soon", "no": "none", "unsure": "soon"},
    "inflammatory": {"yes": "soon", "no": "none", "unsure": "soon"},
    "not_improving": {"yes": "physio", "no": "none", "unsure": "physio"},
    # Bone density changes which exercises are safe, not how soon to see someone.
    "osteoporosis": {"yes": "none", "no": "none", "unsure": "none"},
}
CASES = [
    (key, answer, urgency)
    for key, by_answer in EXPECTED.items()
    for answer, urgency in by_answer.items()
]


def test_the_table_covers_every_question_in_the_file_with_every_answer():
    assert list(EXPECTED) == list(LEVELS)
    assert all(set(by_answer) == {"yes", "no", "unsure"} for by_answer in EXPECTED.values())


@pytest.mark.parametrize(("key", "answer", "urgency"), CASES)
def test_each_question_and_answer_alone_gives_its_level(key, answer, urgency):
    outcome = triage({**ALL_NO, key: answer}, LEVELS)

    assert outcome.urgency == urgency
    counted = answer != "no" and key != "osteoporosis"
    assert outcome.triggers == ((key,) if counted else ())
    assert outcome.unsure == ((key,) if answer == "unsure" else ())
    assert outcome.bone_density_caution is (key == "osteoporosis" and answer != "no")


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
        ({"not_improving": "yes", "night_pain": "yes"}, "urgent", ("night_pain", "not_improving")),
        (
            {"radiating": "yes", "sleep_or_movement": "unsure", "inflammatory": "yes"},
            "soon",
            ("radiating", "sleep_or_movement", "inflammatory"),
        ),
        (
            {"not_improving": "yes", "radiating": "unsure"},
            "soon",
            ("radiating", "not_improving"),
        ),
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


def test_every_not_sure_is_listed_in_question_order_including_bone_density():
    answers = {**ALL_NO, "osteoporosis": "unsure", "radiating": "unsure", "weight_loss": "unsure"}

    outcome = triage(answers, LEVELS)

    assert outcome.unsure == ("weight_loss", "radiating", "osteoporosis")


def test_bone_density_caution_leaves_the_level_alone():
    outcome = triage({**ALL_NO, "osteoporosis": "unsure", "not_improving": "yes"}, LEVELS)

    assert outcome.urgency == Urgency.PHYSIO
    assert outcome.bone_density_caution is True


# The bone density question left unanswered (a weekly re-check, or a check ended early by an
# emergency answer) must not drop the caution an earlier check raised.


def test_an_unanswered_bone_density_question_keeps_the_earlier_caution():
    answers = {key: "no" for key in LEVELS if key != "osteoporosis"}

    assert triage(answers, LEVELS, caution_before=True).bone_density_caution is True
    assert triage(answers, LEVELS, caution_before=False).bone_density_caution is False
    assert triage({"bladder_bowel": "yes"}, LEVELS, caution_before=True).bone_density_caution


def test_answering_no_to_bone_density_clears_the_earlier_caution():
    outcome = triage(ALL_NO, LEVELS, caution_before=True)

    assert outcome.bone_density_caution is False


@pytest.mark.parametrize(
    ("level", "value", "ends"),
    [
        (Level.EMERGENCY, "yes", True),
        (Level.EMERGENCY, "unsure", True),
        (Level.EMERGENCY, "no", False),
        (Level.URGENT, "yes", False),
        (Level.URGENT, "unsure", False),
        (Level.SOON, "yes", False),
        (Level.PHYSIO, "unsure", False),
        (Level.CAUTION, "yes", False),
    ],
)
def test_only_an_emergency_sign_answered_yes_or_not_sure_ends_the_check(level, value, ends):
    assert ends_check(level, value) is ends


# Properties over any mix of answers, some questions left unanswered.

any_answers = st.dictionaries(
    st.sampled_from(list(LEVELS)), st.sampled_from(["yes", "no", "unsure"])
)
RANK = {"emergency": 0, "urgent": 1, "soon": 2, "physio": 3}


@given(any_answers, st.booleans())
def test_the_all_clear_never_comes_with_a_yes_or_a_not_sure_to_a_warning_sign(
    answers, caution_before
):
    outcome = triage(answers, LEVELS, caution_before=caution_before)

    flagged = any(
        value in ("yes", "unsure") and LEVELS[key] != "caution" for key, value in answers.items()
    )
    assert (outcome.urgency != Urgency.NONE) is flagged


@given(any_answers)
def test_any_emergency_sign_answered_yes_or_not_sure_is_an_emergency(answers):
    outcome = triage(answers, LEVELS)

    has_sign = any(answers.get(key) in ("yes", "unsure") for key in EMERGENCY_SIGNS)
    assert (outcome.urgency == Urgency.EMERGENCY) is has_sign


@given(any_answers)
def test_every_yes_and_not_sure_is_listed_and_the_list_runs_most_urgent_first(answers):
    outcome = triage(answers, LEVELS)

    counted = {
        key
        for key, value in answers.items()
        if value in ("yes", "unsure") and LEVELS[key] != "caution"
    }
    assert set(outcome.triggers) == counted
    assert list(outcome.unsure) == [key for key in LEVELS if answers.get(key) == "unsure"]
    ranks = [RANK[LEVELS[key]] for key in outcome.triggers]
    assert ranks == sorted(ranks)
    expected = min(ranks, default=None)
    assert outcome.urgency == (Urgency.NONE if expected is None else list(RANK)[expected])
