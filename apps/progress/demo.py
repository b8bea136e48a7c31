"""Ten weeks of believable history for the demo patient, so the charts show something.

Called by `manage.py seed_demo` (so by every `make run`). The history runs up to yesterday:
Today, the week and the streak look like those of someone who keeps at it. When the patient
already has check-ins, a later run only tops the history up to yesterday (no-op on the same
day), so a demo database made last week is not left with an empty week.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from django.db import transaction
from django.db.models import Max
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


def _log_session(
    patient: User, day: dt.date, average: int, exercises: dict[str, Exercise], rng: random.Random
) -> None:
    session = Session.objects.create(
        patient=patient,
        performed_on=day,
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


def _check_in(
    patient: User,
    monday: dt.date,
    average: int,
    activities: list[FunctionActivity],
    progress: float,
    rng: random.Random,
) -> None:
    """One weekly check-in; `progress` runs from 0 (first week) to 1 (doing well)."""
    check_in = CheckIn.objects.create(
        patient=patient,
        week_start=monday,
        pain_average=average,
        pain_worst=min(10, average + rng.choice([1, 2, 2, 3])),
        sleep_nights=max(0, round(5 - 5 * progress) + rng.choice([-1, 0, 1])),
        days_active=min(7, 2 + round(5 * progress) + rng.choice([0, 1])),
    )
    for activity, start in zip(activities, [3, 2, 4], strict=True):
        FunctionScore.objects.create(
            check_in=check_in,
            activity=activity,
            score=min(10, start + round(5 * progress) + rng.choice([-1, 0, 0])),
        )


def top_up(*, patient: User, today: dt.date) -> int:
    """Continue a seeded history up to yesterday; return how many days were added.

    A doing-well patient: a session most days (every day of the last week before today, so
    the streak is real), and a check-in for each finished week that has none.
    """
    last = Session.objects.filter(patient=patient).aggregate(last=Max("performed_on"))["last"]
    yesterday = today - dt.timedelta(days=1)
    if last is None or last >= yesterday:
        return 0
    # Seeded by the first missing day: the same story whichever day the top-up runs.
    rng = random.Random(last.toordinal())
    exercises = {e.slug: e for e in Exercise.objects.filter(slug__in=ROUTINE + STRENGTH)}
    activities = list(FunctionActivity.objects.filter(patient=patient).order_by("order"))
    last_week = CheckIn.objects.filter(patient=patient).aggregate(last=Max("week_start"))["last"]
    day = last + dt.timedelta(days=1)
    added = 0
    while day <= yesterday:
        # A rest day now and then, but none in the last week, which is the streak.
        if (yesterday - day).days < 7 or rng.random() < 0.8:
            _log_session(patient, day, 3, exercises, rng)
            added += 1
        day += dt.timedelta(days=1)
    monday = (last_week or week_start(last)) + dt.timedelta(weeks=1)
    while activities and monday < week_start(today):
        _check_in(patient, monday, rng.choice([2, 3, 3]), activities, 1.0, rng)
        monday += dt.timedelta(weeks=1)
    return added


@transaction.atomic
def seed(*, patient: User, clinician: User) -> str:
    today = timezone.localdate()
    if CheckIn.objects.filter(patient=patient).exists():
        # A demo database from before plans were seeded gets one too.
        if Plan.objects.for_patient(patient).current() is None:
            services.plan_build(patient=patient)
        added = top_up(patient=patient, today=today)
        return f"demo history kept, {added} days added" if added else "demo history kept"
    rng = random.Random(7)  # The same story on every machine.
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
        weeks_ago = WEEKS - index  # Ten finished weeks before this one.
        monday = this_week - dt.timedelta(weeks=weeks_ago)
        # Pain eases from about 7 to about 3, not in a straight line.
        average = max(1, min(10, round(7 - 4 * index / (WEEKS - 1) + rng.choice([-1, 0, 0, 1]))))
        _check_in(patient, monday, average, activities, index / (WEEKS - 1), rng)
        # Three to five days a week, then every day for the last two weeks: the habit stuck.
        days = (
            range(7)
            if index >= WEEKS - 2
            else sorted(rng.sample(range(7), k=rng.choice([3, 4, 4, 5])))
        )
        for day in days:
            _log_session(patient, monday + dt.timedelta(days=day), average, exercises, rng)
    # This week so far: a session each day up to yesterday; today is left for the person.
    top_up(patient=patient, today=today)
    # A returning patient has a plan: Today opens on today's routine, not on "see your plan".
    # (The checklist's demo runs first, so the plan follows its priorities.)
    services.plan_build(patient=patient)
    return f"demo history: {WEEKS} weeks and this week for {patient.email}"
