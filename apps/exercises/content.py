"""Load fixtures/exercises.json into the library, matched by slug (idempotent)."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import figures
from .models import Exercise

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "exercises.json"
LINKS = ("regression", "progression")
FIELDS = (
    "name",
    "kind",
    "regions",
    "equipment",
    "difficulty",
    "purpose",
    "steps",
    "cues",
    "mistakes",
    "cautions",
    "sets",
    "reps",
    "hold_seconds",
    "per_side",
    "duration_seconds",
    "rest_seconds",
    "dosage_text",
    "variants",
    "breathing",
    "bone_density_caution",
    "bone_density_note",
    "sources",
    "figure",
)


def load(path: Path = FIXTURE) -> str:
    rows = json.loads(path.read_text())
    for row in rows:
        row.setdefault("figure", {})
        check_figure(path.name, row["slug"], row["figure"])
    created = 0
    for row in rows:
        exercise, was_created = Exercise.objects.get_or_create(
            slug=row["slug"], defaults={field: row[field] for field in FIELDS}
        )
        created += was_created
        for field in FIELDS:
            setattr(exercise, field, row[field])
        exercise.full_clean(exclude=["regression", "progression"])
        exercise.save()
    # Links second: a regression may point at an exercise later in the file.
    by_slug = {exercise.slug: exercise for exercise in Exercise.objects.all()}
    for row in rows:
        exercise = by_slug[row["slug"]]
        for link in LINKS:
            setattr(exercise, link, by_slug[row[link]] if row[link] else None)
        exercise.save(update_fields=[*LINKS])
    # Exercises dropped from the file are kept: people's logged sessions refer to them.
    return f"{len(rows)} exercises ({created} new)"


def check_figure(source: str, name: str, figure: dict) -> None:
    """Fail the load, naming the entry, if a figure does not follow docs/figures.md."""
    try:
        figures.validate(figure)
    except figures.FigureError as error:
        raise ImproperlyConfigured(f"{source}, {name}: figure: {error}") from error
