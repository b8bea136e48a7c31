"""Ten weeks of believable history for the demo patient, so the charts show something.

Called by `manage.py seed_demo`; does nothing when the patient already has check-ins.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.exercises.models import Exercise
from apps.screening.models import Screening

from . import services
from .models import (
    CheckIn,
    FunctionActivity,
    FunctionScore,
    Plan,
    Session,
    SessionEntry,
    week_start,
)

WEEKS = 10
ACTIVITIES = ["Putting on socks", "Sitting through a film", "Walking to the shops"]
ROUTINE = [
    "ribcage-360-breathing",
    "cat-cow",
    "angry-cat",
    "pelvic-tilt",
    "hip-mobility-lunge",
    "isometric-holds",
]
STRENGTH = ["bridge", "bird-dog", "dead-bug"]


@transaction.atomic
def seed(*, patient: User, clinician: User) -> str:
    if CheckIn.objects.filter(patient=patient).exists():
        # A demo database from before plans were seeded gets one too.
        if Plan.objects.for_patient(patient).current() is None:
            services.plan_build(patient=patient)
        return "demo history kept"
    rng = random.Random(7)  # The same story on every machine.
    today = timezone.localdate()
    this_week = week_start(today)
    activities = [
        FunctionActivity.objects.create(patient=patient, name=name, order=i)
        for i, name in enumerate(ACTIVITIES)
    ]
    exercises = {e.slug: e for e in Exercise.objects.filter(slug__in=ROUTINE + STRENGTH)}
    Screening.objects.create(
        user=patient,
        urgency="none",
        completed_at=timezone.now() - dt.timedelta(days=2),
        started_at=timezone.now() - dt.timedelta(days=2, minutes=5),
    )
    for index in range(WEEKS):
        weeks_ago = WEEKS - index  # Ten finished weeks; this week is left for the person.
        monday = this_week - dt.timedelta(weeks=weeks_ago)
        # Pain eases from about 7 to about 3, not in a straight line.
        average = max(1, min(10, round(7 - 4 * index / (WEEKS - 1) + rng.choice([-1, 0, 0, 1]))))
        check_in = CheckIn.objects.create(
            patient=patient,
            week_start=monday,
            pain_average=average,
            pain_worst=min(10, average + rng.choice([1, 2, 2, 3])),
            sleep_nights=max(0, 5 - index // 2 + rng.choice([-1, 0, 1])),
            days_active=min(7, 2 + index // 2 + rng.choice([0, 1])),
        )
        for activity, start in zip(activities, [3, 2, 4], strict=True):
            FunctionScore.objects.create(
                check_in=check_in,
                activity=activity,
                score=min(10, start + round(5 * index / (WEEKS - 1)) + rng.choice([-1, 0, 0])),
            )
        for day in sorted(rng.sample(range(7), k=rng.choice([3, 4, 4, 5]))):
            performed_on = monday + dt.timedelta(days=day)
            session = Session.objects.create(
                patient=patient,
                performed_on=performed_on,
                client_token=uuid.uuid4(),
                pain_during=max(0, average - rng.choice([1, 2])),
            )
            slugs = ROUTINE + (STRENGTH if average < 6 else [])
            SessionEntry.objects.bulk_create(
                SessionEntry(
                    session=session,
                    exercise=exercises[slug],
                    sets=exercises[slug].sets,
                    reps=exercises[slug].reps,
                    hold_seconds=exercises[slug].hold_seconds or exercises[slug].duration_seconds,
                )
                for slug in slugs
                if slug in exercises
            )
    # A returning patient has a plan: Today opens on today's routine, not on "see your plan".
    # (The checklist's demo runs first, so the plan follows its priorities.)
    services.plan_build(patient=patient)
    return f"demo history: {WEEKS} weeks for {patient.email}"
