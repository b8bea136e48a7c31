from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.exercises.models import Exercise
from apps.progress.planner import (
    DAILY_MINUTES_MAX,
    DAILY_MINUTES_MIN,
    PAIN_RELIEF_STRENGTH,
    Priority,
    build_plan,
)
from apps.progress.services import exercise_candidates


@pytest.fixture
def library(content):
    return exercise_candidates(list(Exercise.objects.all()))


def kinds(draft, library):
    return {library[slug].kind for slug in draft.slugs()}


def total_minutes(draft, library):
    return sum(library[slug].minutes for slug in draft.slugs())


def daily_minutes(draft, library):
    return sum(library[item.slug].minutes for item in draft.items if item.frequency == "daily")


def names(slugs, library) -> str:
    found = [library[slug].name for slug in slugs]
    return found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]


def assert_the_start_it_names_is_the_plans_start(draft, library):
    """A reason that says the plan "starts with" something names the plan's first items."""
    starts = [reason for reason in draft.reasons if "starts with" in reason]
    assert len(starts) <= 1
    for reason in starts:
        sentence = reason[reason.index("starts with") :].split(". ")[0]
        named = sentence.rsplit(": ", 1)[1].removesuffix(".")
        slugs = draft.slugs()
        assert any(named == names(slugs[:k], library) for k in range(1, len(slugs) + 1)), (
            f"{reason!r} but the plan is {slugs}"
        )


SPINE = Priority(
    "spinal_mobility", "Moving your spine through all its segments", ["cat-cow", "angry-cat"]
)
HIPS = Priority("hip_mobility", "Hip mobility", ["hip-mobility-lunge", "piriformis-stretch"])


def test_high_pain_keeps_to_gentle_work_and_breathing(library):
    draft = build_plan(priorities=[SPINE], pain_average=7, bone_density=False, library=library)

    strength = [slug for slug in draft.slugs() if library[slug].kind == "strength"]
    assert strength == ["isometric-holds"], "only pain-relieving isometrics while pain is high"
    assert "breathing" in kinds(draft, library)
    assert all(library[slug].difficulty != "harder" for slug in draft.slugs())
    assert any("7 out of 10" in reason for reason in draft.reasons)


def test_low_pain_adds_core_strength_two_to_three_days_a_week(library):
    draft = build_plan(priorities=[SPINE], pain_average=3, bone_density=False, library=library)

    core = [item for item in draft.items if library[item.slug].kind == "strength"]
    assert {item.slug for item in core} >= {"bridge", "bird-dog"}
    assert all(item.frequency == "2-3/week" for item in core)
    stretches = [item for item in draft.items if library[item.slug].kind in {"stretch", "mobility"}]
    assert stretches and all(item.frequency == "daily" for item in stretches)


@pytest.mark.parametrize("pain", [None, 2, 5, 6, 9])
def test_a_day_takes_fifteen_to_thirty_minutes(library, pain):
    draft = build_plan(
        priorities=[SPINE, HIPS], pain_average=pain, bone_density=False, library=library
    )

    assert 15 <= total_minutes(draft, library) <= 30


def test_the_checklist_priorities_come_first(library):
    draft = build_plan(
        priorities=[HIPS, SPINE], pain_average=4, bone_density=False, library=library
    )

    assert {"hip-mobility-lunge", "piriformis-stretch", "cat-cow", "angry-cat"} <= set(
        draft.slugs()
    )
    assert "Hip mobility" in draft.reasons[1]
    assert draft.slugs()[0] in HIPS.slugs, "the plan starts with the first priority"
    assert_the_start_it_names_is_the_plans_start(draft, library)


def test_without_a_checklist_it_starts_with_spinal_mobility(library):
    draft = build_plan(priorities=[], pain_average=4, bone_density=False, library=library)

    assert draft.slugs()[:2] == ["cat-cow", "angry-cat"]
    assert "it starts with spinal mobility: Cat-cow and Angry cat." in draft.reasons[1]


def test_low_bone_density_leaves_out_flagged_exercises_and_says_so(library):
    draft = build_plan(priorities=[SPINE], pain_average=3, bone_density=True, library=library)

    assert not any(library[slug].bone_density_caution for slug in draft.slugs())
    assert "cat-cow" in draft.left_out and "angry-cat" in draft.left_out
    assert any("bone density" in reason for reason in draft.reasons)


def test_breathing_comes_before_strength(library):
    draft = build_plan(priorities=[SPINE], pain_average=2, bone_density=False, library=library)
    order = [library[slug].kind for slug in draft.slugs()]

    assert order.index("breathing") < order.index("strength")


def test_low_bone_density_never_says_it_starts_with_what_it_left_out(library):
    draft = build_plan(priorities=[SPINE], pain_average=4, bone_density=True, library=library)

    assert "It starts with your first checklist priority" not in " ".join(draft.reasons)
    assert_the_start_it_names_is_the_plans_start(draft, library)
    start = draft.reasons[1]
    assert "Cat-cow" in start and "Angry cat" in start, "it says what was left out"
    assert library[draft.slugs()[0]].name in start.rsplit(": ", 1)[1]


@pytest.mark.parametrize("pain", [None, *range(11)])
def test_low_bone_density_without_a_checklist_puts_safe_moves_in_and_fills_the_day(library, pain):
    draft = build_plan(priorities=[], pain_average=pain, bone_density=True, library=library)

    assert not [slug for slug in draft.slugs() if library[slug].bone_density_caution]
    assert {"cat-cow", "angry-cat"} <= set(draft.left_out)
    stand_ins = [item for item in draft.items if item.reason.startswith("A gentler move")]
    assert len(stand_ins) == 2 and draft.slugs()[:2] == [item.slug for item in stand_ins]
    assert daily_minutes(draft, library) >= DAILY_MINUTES_MIN
    assert total_minutes(draft, library) <= DAILY_MINUTES_MAX
    assert "it starts with spinal mobility" not in " ".join(draft.reasons)
    assert_the_start_it_names_is_the_plans_start(draft, library)


def test_the_reasons_speak_plainly_without_source_notes(library):
    for priorities in ([], [SPINE], [HIPS, SPINE]):
        for bone_density in (False, True):
            draft = build_plan(
                priorities=priorities, pain_average=5, bone_density=bone_density, library=library
            )
            for reason in draft.reasons + [item.reason for item in draft.items]:
                assert not re.search(r"\bsources?\b", reason, re.IGNORECASE), reason


@st.composite
def priority_lists(draw, slugs: list[str]) -> list[Priority]:
    count = draw(st.integers(min_value=0, max_value=4))
    return [
        Priority(
            f"point-{index}",
            f"Checklist point {index}",
            draw(st.lists(st.sampled_from([*slugs, "not-in-the-library"]), min_size=1, max_size=4)),
        )
        for index in range(count)
    ]


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(data=st.data())
def test_every_plan_keeps_the_rules(library, data):
    """Any checklist priorities, any pain, with or without low bone density."""
    priorities = data.draw(priority_lists(sorted(library)))
    pain = data.draw(st.none() | st.integers(min_value=0, max_value=10))
    bone_density = data.draw(st.booleans())

    draft = build_plan(
        priorities=priorities, pain_average=pain, bone_density=bone_density, library=library
    )
    plan = [library[slug] for slug in draft.slugs()]

    assert len(set(draft.slugs())) == len(plan)
    assert daily_minutes(draft, library) >= DAILY_MINUTES_MIN
    assert total_minutes(draft, library) <= DAILY_MINUTES_MAX
    if bone_density:
        assert not [c.slug for c in plan if c.bone_density_caution]
    if pain is None or pain >= 6:
        assert all(c.difficulty != "harder" for c in plan)
        assert all(c.kind != "strength" or c.slug in PAIN_RELIEF_STRENGTH for c in plan)
    assert_the_start_it_names_is_the_plans_start(draft, library)
    first_priority = [
        slug
        for slug in (priorities[0].slugs[:2] if priorities else [])
        if slug in draft.slugs() and library[slug].kind != "strength"
    ]
    if first_priority:
        assert draft.slugs()[0] in first_priority, "the plan starts with the first priority"
        assert "It starts with your first checklist priority" in draft.reasons[1]
