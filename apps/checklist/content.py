"""Load the checklist items from fixtures/checklist_items.json (`manage.py load_content`).

Items are matched by key and updated in place, so running it again changes nothing. Items
no longer in the file are retired (inactive, unranked), not deleted: past runs keep their
answers. Loading fails, and the command's transaction rolls back, when an item links an
exercise the library does not have or the items do not cover the 13 points exactly once.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.exercises.content import check_figure
from apps.exercises.models import Exercise

from . import notes
from .models import Item
from .priorities import TOTAL_POINTS, Message

FIXTURE = settings.BASE_DIR / "fixtures" / "checklist_items.json"
FIELDS = (
    "title",
    "order",
    "points",
    "question",
    "why",
    "how_to_check",
    "yes_looks_like",
    "regions",
    "priority_rank",
    "source",
    "figure",
)
# Items link exercises by slug, so the library loads first (see load_content).
AFTER = ("exercises",)


def load() -> str:
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for row in rows:
        row.setdefault("figure", {})
        check_figure(FIXTURE.name, row["key"], row["figure"])
    _check(rows)
    retired = Item.objects.active().exclude(key__in=[row["key"] for row in rows])
    retired_count = retired.update(active=False, priority_rank=None)
    created = 0
    for row in rows:
        item = Item.objects.filter(key=row["key"]).first() or Item(key=row["key"])
        created += item.pk is None
        for field in FIELDS:
            setattr(item, field, row[field])
        item.exercise_slugs = row["exercises"]
        item.active = True
        # Ranks are unique only at commit (a deferred constraint), so two items can swap.
        item.full_clean(validate_constraints=False)
        item.save()
    # Fail while loading, not on someone's result page, if a note is missing.
    notes.pain_science()
    for message in Message:
        notes.message_text(message)
    return f"{len(rows)} items ({created} new, {retired_count} retired)"


def _check(rows: list[dict]) -> None:
    points = sorted(point for row in rows for point in row["points"])
    if points != list(range(1, TOTAL_POINTS + 1)):
        raise ImproperlyConfigured(
            f"{FIXTURE.name}: the items must cover points 1-{TOTAL_POINTS} once each, not {points}."
        )
    slugs = {slug for row in rows for slug in row["exercises"]}
    missing = slugs - set(Exercise.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    if missing:
        raise ImproperlyConfigured(
            f"{FIXTURE.name} links exercises the library does not have: {sorted(missing)}. "
            "Load the exercises first, or fix the slugs."
        )
