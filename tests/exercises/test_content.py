from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from apps.exercises.models import Exercise, Kind

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "exercises.json"

# Every exercise of CONTENT.md section 3, plus the two progression/regression partners it names.
EXPECTED_SLUGS = {
    "breathing-90-90",
    "diaphragmatic-breathing",
    "ribcage-360-breathing",
    "breathing-4-7-8",
    "box-breathing",
    "angry-cat",
    "cat-cow",
    "childs-pose",
    "hamstring-stretch-belt",
    "piriformis-stretch",
    "hip-flexor-stretch",
    "pelvic-tilt",
    "bridge",
    "single-leg-bridge",
    "bird-dog",
    "knee-plank",
    "plank",
    "side-plank",
    "dead-bug",
    "supine-twist",
    "sphinx",
    "chin-tuck",
    "shoulder-blade-squeeze",
    "doorway-chest-stretch",
    "glute-hamstring-roll",
    "thoracic-spine-roll",
    "latissimus-roll",
    "seated-extension-roller",
    "sky-high-stretch",
    "knee-lift-hover",
    "hinging-side-lunge",
    "calf-stretch",
    "big-toe-mobility",
    "hip-mobility-lunge",
    "hips-over-heels-standing",
    "neutral-pelvis-sitting",
    "isometric-holds",
    "ankle-hip-thoracic-drills",
    "walking-break",
}


def test_the_fixture_holds_every_exercise_of_the_sources():
    slugs = [row["slug"] for row in json.loads(FIXTURE.read_text())]

    assert len(slugs) == len(set(slugs)), "no duplicates"
    assert set(slugs) == EXPECTED_SLUGS


def test_every_exercise_loads_with_steps_dosage_and_a_source(content):
    exercises = list(Exercise.objects.all())

    assert {exercise.slug for exercise in exercises} == EXPECTED_SLUGS
    for exercise in exercises:
        assert len(exercise.steps) >= 2, exercise.slug
        assert exercise.dosage_text, exercise.slug
        assert exercise.sources and all(
            s in {"000", "001", "002", "003", "004"} for s in exercise.sources
        )
        assert exercise.cautions, exercise.slug
        assert exercise.is_timed or exercise.reps, f"{exercise.slug} has nothing for the timer"


def test_the_sources_dosages_are_kept_side_by_side(content):
    plank = Exercise.objects.get(slug="plank")
    bridge = Exercise.objects.get(slug="bridge")

    assert {variant["source"] for variant in plank.variants} == {"001", "002"}
    assert {variant["source"] for variant in bridge.variants} == {"001", "002"}


def test_the_progression_chains_link_both_ways(content):
    plank = Exercise.objects.select_related("regression", "progression").get(slug="plank")
    bridge = Exercise.objects.select_related("progression").get(slug="bridge")

    assert plank.regression.slug == "knee-plank"
    assert plank.progression.slug == "side-plank"
    assert bridge.progression.slug == "single-leg-bridge"
    assert Exercise.objects.get(slug="knee-plank").progression == plank


def test_twisting_and_loaded_flexion_carry_the_bone_density_flag(content):
    flagged = set(Exercise.objects.filter(bone_density_caution=True).values_list("slug", flat=True))

    assert "supine-twist" in flagged
    assert all(Exercise.objects.get(slug=slug).bone_density_note for slug in flagged), (
        "every flagged exercise says what to do instead"
    )


def test_breathing_drills_carry_a_pacing_pattern(content):
    for exercise in Exercise.objects.filter(kind=Kind.BREATHING):
        assert exercise.breathing and exercise.breathing["inhale"] > 0, exercise.slug
    assert Exercise.objects.get(slug="breathing-4-7-8").breathing == {
        "inhale": 4,
        "hold": 7,
        "exhale": 8,
        "hold_after": 0,
    }


def test_loading_twice_changes_nothing(content):
    before = list(Exercise.objects.order_by("slug").values())

    call_command("load_content", verbosity=0)

    assert list(Exercise.objects.order_by("slug").values()) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sets", 0),
        ("sets", 11),
        ("reps", 0),
        ("hold_seconds", 0),
        ("duration_seconds", 4000),
        ("rest_seconds", 500),
        ("kind", "dance"),
        ("difficulty", "extreme"),
    ],
)
def test_the_database_bounds_every_dosage(content, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Exercise.objects.filter(slug="bridge").update(**{field: value})
