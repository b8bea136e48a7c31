from __future__ import annotations

import json
import re
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


# Patient-facing text: what the pages show, so no internal notes about the sources.

# Notes written for us rather than for patients: "the source gives no set time",
# "source 002", "(source 1)", "(no count given)", "(core section)".
INTERNAL_NOTE = re.compile(
    r"source (gives|names|says) no|source 00[0-9]|\(source [0-9]|\bsources?\b"
    r"|\bno (set )?(time|count)s?\b[^.]*\bgiven\b|\b(core|posture) section\b",
    re.IGNORECASE,
)
PATIENT_FACING = ("name", "purpose", "steps", "cues", "mistakes", "cautions", "dosage_text",
                  "bone_density_note")  # fmt: skip


def patient_facing_strings(row: dict) -> list[tuple[str, str]]:
    """Every string of one fixture row that a page can show, as (field, text)."""
    found = []
    for field in PATIENT_FACING:
        value = row[field]
        found += [(field, text) for text in (value if isinstance(value, list) else [value])]
    found += [("variants", variant["text"]) for variant in row["variants"]]
    return found


@pytest.mark.parametrize(
    "text",
    [
        "Suggested starting point: 2 minutes. The source gives no set time.",
        "the same count source 002 gives for the plank",
        "Hold a few seconds (source 1)",
        "Small rocks (no count given)",
        "10-15 per side (core section)",
        "The sources say so.",
    ],
)
def test_the_internal_note_pattern_catches_what_it_must(text):
    assert INTERNAL_NOTE.search(text)


def test_no_patient_facing_text_carries_an_internal_note():
    rows = json.loads(FIXTURE.read_text())

    notes = [
        f"{row['slug']}.{field}: {text}"
        for row in rows
        for field, text in patient_facing_strings(row)
        if INTERNAL_NOTE.search(text)
    ]
    assert not notes, "\n".join(notes)


def test_our_own_starting_doses_say_so_in_plain_words():
    rows = {row["slug"]: row for row in json.loads(FIXTURE.read_text())}

    # No source gives a time for these; the dose shown is a suggestion of ours.
    for slug in ["breathing-90-90", "supine-twist", "sphinx", "thoracic-spine-roll",
                 "calf-stretch", "isometric-holds", "single-leg-bridge"]:  # fmt: skip
        assert "starting point we suggest" in rows[slug]["dosage_text"], slug


# Dosage exactly as 002 gives it: "Repeat 20 times", not 20 on each side.


@pytest.mark.parametrize("slug", ["hamstring-stretch-belt", "piriformis-stretch",
                                  "hip-flexor-stretch"])  # fmt: skip
def test_the_one_sided_stretches_of_002_are_twenty_times_in_all(content, slug):
    exercise = Exercise.objects.get(slug=slug)

    assert exercise.reps * (2 if exercise.per_side else 1) == 20
    assert exercise.hold_seconds == 5
    assert "20 times in all" in exercise.dosage_text
    assert not re.search(r"20 (times )?(on|with|for) each", exercise.dosage_text)
    assert "20 in all" in exercise.steps[-1] and "Do 20" not in exercise.steps[-1]


# Bone density (000: modify or avoid spinal movements that risk a fracture).

FLAGGED = {
    "angry-cat",
    "cat-cow",
    "childs-pose",
    "supine-twist",
    "thoracic-spine-roll",  # body weight on a roller under the spine
    "seated-extension-roller",  # the same, leaning back over it
    "piriformis-stretch",  # the arms pull the legs in, curling the low back (docs/decisions.md)
}


def test_exactly_the_exercises_that_load_the_spine_carry_the_flag(content):
    flagged = Exercise.objects.filter(bone_density_caution=True)

    assert {exercise.slug for exercise in flagged} == FLAGGED
    for exercise in flagged:
        assert len(exercise.bone_density_note) > 40, exercise.slug
        assert "teacher who knows about bone health" in exercise.bone_density_note


def test_bone_density_advice_lives_in_the_note_not_in_the_cautions_everyone_reads(content):
    for exercise in Exercise.objects.all():
        assert not any("bone density" in caution for caution in exercise.cautions), exercise.slug


# Positions that stretch the sciatic nerve say when to stop.

NERVE_TENSION = ["hamstring-stretch-belt", "piriformis-stretch", "hinging-side-lunge",
                 "glute-hamstring-roll"]  # fmt: skip


@pytest.mark.parametrize("slug", NERVE_TENSION)
def test_nerve_stretching_positions_say_to_stop_if_symptoms_spread_down_the_leg(content, slug):
    cautions = " ".join(Exercise.objects.get(slug=slug).cautions)

    assert re.search(r"\bstop\b", cautions, re.IGNORECASE)
    assert re.search(r"tingling, numbness or pain (spreads|down)", cautions)
    assert "leg" in cautions and "sciatic nerve" in cautions
