"""The rules that turn answers into a score, an order of work and what changed."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.checklist.priorities import Change, Message, compare, message, prioritise, score
from tests.checklist.factories import KEYS

# The sources' order, as fixtures/checklist_items.json ranks the items.
RANKS = {
    "spinal_mobility": 1,
    "hip_mobility": 2,
    "walking_extension": 3,
    "arms_overhead": 4,
    "breathing_360": 5,
    "hips_over_heels": 6,
    "ribcage_down": 7,
    "neutral_sitting": 8,
    "relaxed_core": 9,
    "movement_breaks": 10,
    "varied_positions": 11,
}
POINTS = {key: [number] for number, key in enumerate(KEYS, start=1)} | {
    "relaxed_core": [10, 11, 12],
    "walking_extension": [13],
}


def all_(value: str) -> dict[str, str]:
    return dict.fromkeys(KEYS, value)


def test_all_yes_means_no_priorities_and_keep_it_up():
    assert prioritise(all_("yes"), RANKS) == []
    assert message(all_("yes")) == Message.KEEP_IT_UP


def test_all_not_sure_starts_with_spinal_mobility():
    order = prioritise(all_("unsure"), RANKS)

    assert order[0] == "spinal_mobility"
    assert order == sorted(KEYS, key=RANKS.__getitem__)
    assert message(all_("unsure")) == Message.START_ANYWHERE


def test_a_mix_puts_every_no_before_every_not_sure_each_in_the_sources_order():
    answers = all_("yes") | {
        "relaxed_core": "no",
        "hips_over_heels": "no",
        "hip_mobility": "no",
        "spinal_mobility": "unsure",
        "movement_breaks": "unsure",
        "breathing_360": "unsure",
    }

    assert prioritise(answers, RANKS) == [
        "hip_mobility",
        "hips_over_heels",
        "relaxed_core",
        "spinal_mobility",
        "breathing_360",
        "movement_breaks",
    ]
    assert message(answers) is None


def test_ankle_hip_and_thoracic_mobility_come_before_the_lumbar_habits():
    answers = dict.fromkeys(["relaxed_core", "neutral_sitting", "walking_extension"], "no")

    assert prioritise(answers, RANKS) == ["walking_extension", "neutral_sitting", "relaxed_core"]


def test_unsure_and_yes_without_a_no_suggests_starting_with_the_spine():
    answers = all_("yes") | {"hip_mobility": "unsure"}

    assert message(answers) == Message.START_ANYWHERE
    assert prioritise(answers, RANKS) == ["hip_mobility"]


@given(st.lists(st.sampled_from(["yes", "no", "unsure"]), min_size=11, max_size=11))
def test_any_answers_give_every_no_then_every_unsure_and_never_a_yes(values):
    answers = dict(zip(KEYS, values, strict=True))

    order = prioritise(answers, RANKS)

    kinds = [answers[key] for key in order]
    assert kinds == sorted(kinds, key=["no", "unsure"].index)
    assert set(order) == {key for key, value in answers.items() if value != "yes"}
    for value in ("no", "unsure"):
        ranks = [RANKS[key] for key in order if answers[key] == value]
        assert ranks == sorted(ranks)


def test_the_score_counts_points_answered_yes():
    assert score(all_("yes"), POINTS) == 13
    assert score(all_("no"), POINTS) == 0
    assert score(all_("unsure"), POINTS) == 0


def test_an_item_covering_three_points_scores_all_three():
    answers = all_("no") | {"relaxed_core": "yes"}

    assert score(answers, POINTS) == 3


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        *[(value, value, Change.SAME) for value in ("yes", "no", "unsure")],
        ("no", "unsure", Change.IMPROVED),
        ("no", "yes", Change.IMPROVED),
        ("unsure", "yes", Change.IMPROVED),
        ("yes", "unsure", Change.WORSE),
        ("yes", "no", Change.WORSE),
        ("unsure", "no", Change.WORSE),
        (None, "no", Change.NEW),
    ],
)
def test_compare_ranks_yes_over_not_sure_over_no(before, after, change):
    assert compare(before, after) == change


def test_compare_is_antisymmetric():
    for before, after in itertools.permutations(["yes", "no", "unsure"], 2):
        forward, backward = compare(before, after), compare(after, before)
        assert {forward, backward} == {Change.IMPROVED, Change.WORSE}
