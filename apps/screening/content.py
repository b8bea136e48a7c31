"""Load the red-flag questions from fixtures/screening_questions.json (`manage.py load_content`).

Questions are matched by key and updated in place, so running it again changes nothing.
Questions no longer in the file are retired (inactive), not deleted: past screenings keep
their answers.
"""

from __future__ import annotations

import json

from django.conf import settings

from .advice import advice_for
from .models import Question
from .triage import Urgency

FIXTURE = settings.BASE_DIR / "fixtures" / "screening_questions.json"
FIELDS = ("order", "text", "why", "level", "trigger", "sources")


def load() -> str:
    items = json.loads(FIXTURE.read_text(encoding="utf-8"))
    created = 0
    for item in items:
        _, made = Question.objects.update_or_create(
            key=item["key"], defaults={**{name: item[name] for name in FIELDS}, "active": True}
        )
        created += made
    retired = Question.objects.active().exclude(key__in=[item["key"] for item in items])
    retired_count = retired.update(active=False)
    # Fail while loading, not on someone's result page, if a level has no advice.
    for urgency in Urgency:
        advice_for(urgency)
    return f"{len(items)} questions ({created} new, {retired_count} retired)"
