"""Two checklist runs for the demo patient, nine and two weeks ago, the second better."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User

from .models import Item, Run

FIRST = {
    "spinal_mobility": "no",
    "hip_mobility": "no",
    "breathing_360": "unsure",
    "relaxed_core": "no",
    "walking_extension": "unsure",
    "neutral_sitting": "no",
    "movement_breaks": "no",
}
SECOND = {"spinal_mobility": "unsure", "hip_mobility": "no", "walking_extension": "unsure"}


@transaction.atomic
def seed(*, patient: User, clinician: User) -> str:
    if Run.objects.filter(user=patient).exists():
        return "demo runs kept"
    items = list(Item.objects.active())
    for weeks_ago, answers in [(9, FIRST), (2, SECOND)]:
        when = timezone.now() - dt.timedelta(weeks=weeks_ago)
        run = Run.objects.create(user=patient, started_at=when)
        for item in items:
            run.record(item, answers.get(item.key, "yes"))
        run.complete()
        # complete() stamps the time now; the story needs it back then.
        Run.objects.filter(pk=run.pk).update(completed_at=when + dt.timedelta(minutes=6))
    return "demo runs: 2 checklist runs"
