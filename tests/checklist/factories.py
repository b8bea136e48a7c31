from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.checklist.models import Item, Run
from tests.wizard_helpers import answer_every_step

KEYS = [
    "hips_over_heels",
    "ribcage_down",
    "neutral_sitting",
    "movement_breaks",
    "varied_positions",
    "spinal_mobility",
    "arms_overhead",
    "hip_mobility",
    "breathing_360",
    "relaxed_core",
    "walking_extension",
]


def step_url(number: int | str) -> str:
    return reverse("checklist:step", args=[number])


def answer_all(
    client: Client, answers: dict[str, str] | None = None, default: str = "yes"
) -> HttpResponse:
    """Start a run and answer every item through the views (`default` unless named in
    `answers`); return the last response, the redirect to the result."""
    keys = Item.objects.active().values_list("key", flat=True)
    return answer_every_step(client, "checklist", keys, answers or {}, default, note="")


def completed_run(
    user: User | None = None,
    answers: dict[str, str] | None = None,
    default: str = "yes",
    days_ago: int = 0,
    **owner: object,
) -> Run:
    """Create a completed run straight through the models (a guest's unless given `user`)."""
    if user is not None:
        owner["user"] = user
    elif "guest_id" not in owner:
        owner["guest_id"] = uuid.uuid4()
    when = timezone.now() - dt.timedelta(days=days_ago)
    run = Run.objects.create(started_at=when, **owner)
    answers = answers or {}
    for item in Item.objects.active():
        run.record(item, answers.get(item.key, default))
    run.complete()
    Run.objects.filter(pk=run.pk).update(completed_at=when)
    run.refresh_from_db()
    return run
