"""What the hands-free routine player runs: its timing rules and the log it offers at the end.

static/js/routine.js applies the same rules in the browser (with the patient's own tempo and
count-in); `routine_seconds` gives the total the page shows before the routine starts, and the
browser test checks that the player's own total starts from the same number.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import Exercise

DEFAULT_TEMPO = 3  # seconds a rep, for reps without a hold
DEFAULT_READY = 5  # the "get ready" count-in before each exercise
TEMPO_CHOICES = (1, 2, 3, 4, 5, 6)
READY_CHOICES = (0, 3, 5, 10, 15)
SWITCH_SECONDS = 3  # at least this long to change sides
SET_REST_SECONDS = 10  # at least this long between sets


def exercise_seconds(exercise: Exercise, *, tempo: int = DEFAULT_TEMPO) -> int:
    """Return how long one exercise takes: every set, side, rep, hold and rest, no count-in.

    A rep without a hold takes `tempo` seconds. Reps with a hold are held one by one with the
    exercise's rest between them; sides change after a short switch and sets are separated by
    a rest of at least SET_REST_SECONDS.
    """
    sides = 2 if exercise.per_side else 1
    rest = exercise.rest_seconds
    if exercise.hold_seconds:
        reps = exercise.reps or 1
        side = reps * exercise.hold_seconds + (reps - 1) * rest
    elif exercise.duration_seconds:
        side = exercise.duration_seconds
    else:
        side = (exercise.reps or 1) * tempo
    one_set = sides * side + (sides - 1) * max(rest, SWITCH_SECONDS)
    return exercise.sets * one_set + (exercise.sets - 1) * max(rest, SET_REST_SECONDS)


def routine_seconds(
    exercises: Iterable[Exercise], *, tempo: int = DEFAULT_TEMPO, ready: int = DEFAULT_READY
) -> int:
    """Return the whole routine's length, with the count-in before each exercise."""
    return sum(ready + exercise_seconds(exercise, tempo=tempo) for exercise in exercises)


def minutes_text(seconds: int) -> str:
    """'About 12 minutes' (rounded up), 'About 1 minute', or 'Under a minute'."""
    if seconds < 60:
        return "Under a minute"
    minutes = -(-seconds // 60)
    return f"About {minutes} minute{'' if minutes == 1 else 's'}"


def log_entries(exercises: Iterable[Exercise]) -> list[dict[str, Any]]:
    """The prescribed dose of each exercise, as the session log's entry rows take it.

    Timed moves (breathing, walking) log their duration as the time held, as the log does.
    """
    return [
        {
            "exercise": exercise.slug,
            "sets": exercise.sets,
            "reps": exercise.reps,
            "hold_seconds": exercise.hold_seconds or exercise.duration_seconds,
        }
        for exercise in exercises
    ]
