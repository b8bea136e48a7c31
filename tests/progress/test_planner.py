from __future__ import annotations

import pytest

from apps.exercises.models import Exercise
from apps.progress.planner import Priority, build_plan
from apps.progress.services import exercise_candidates


@pytest.fixture
def library(content):
    return exercise_candidates(list(Exercise.objects.all()))


def kinds(draft, library):
    return {library[slug].kind for slug in draft.slugs()}


def total_minutes(draft, library):
    return sum(library[slug].minutes for slug in draft.slugs())


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


def test_without_a_checklist_it_starts_with_spinal_mobility(library):
    draft = build_plan(priorities=[], pain_average=4, bone_density=False, library=library)

    assert "cat-cow" in draft.slugs()
    assert any("spinal mobility" in reason for reason in draft.reasons)


def test_low_bone_density_leaves_out_flagged_exercises_and_says_so(library):
    draft = build_plan(priorities=[SPINE], pain_average=3, bone_density=True, library=library)

    assert not any(library[slug].bone_density_caution for slug in draft.slugs())
    assert "cat-cow" in draft.left_out and "angry-cat" in draft.left_out
    assert any("bone density" in reason for reason in draft.reasons)


def test_breathing_comes_before_strength(library):
    draft = build_plan(priorities=[SPINE], pain_average=2, bone_density=False, library=library)
    order = [library[slug].kind for slug in draft.slugs()]

    assert order.index("breathing") < order.index("strength")
