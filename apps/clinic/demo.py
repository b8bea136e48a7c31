"""The demo clinician's caseload: the demo patient and 30 made-up patients with varied stories.

Called by `manage.py seed_demo` after the other apps' demo history. Every date is relative
to today and every number comes from one fixed seed, so the dashboard looks the same (and
never stale) on any machine and any day: some patients improving, some flat, some rising,
one emergency re-check, one urgent, some gone quiet, a few new. The alerts are then raised
by the real rules (`alerts.refresh_for`). Rows go in with bulk inserts; a second run only
checks that the first one happened.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import CareLink, Role, User
from apps.exercises.models import Exercise
from apps.progress.models import (
    CheckIn,
    Plan,
    PlanItem,
    PlanKind,
    Session,
    SessionEntry,
    week_start,
)
from apps.screening.models import Answer, Question, Screening

from . import alerts
from .models import Alert, AlertKind

SEED = 11
DOMAIN = "demo-patients.example.com"
NAMES = [
    "Aisha Khan", "Ben Carter", "Chloe Evans", "Dev Patel", "Ella Murphy", "Finn O'Brien",
    "Grace Li", "Harry Jones", "Isla Brown", "Jack Wilson", "Kemi Adeyemi", "Liam Taylor",
    "Maya Singh", "Noah Davies", "Olivia Smith", "Priya Shah", "Quinn Roberts", "Ruby Walker",
    "Sami Haddad", "Tom Hughes", "Uma Reddy", "Victor Nowak", "Wendy Clarke", "Xander Green",
    "Yara Hassan", "Zoe Wright", "Alfie Hall", "Bea Lewis", "Callum Scott", "Dana Ward",
]  # fmt: skip
# How many patients follow each story (30 in all).
STORIES = [
    ("improving", 9),
    ("flat", 6),
    ("rising", 5),
    ("emergency", 1),
    ("urgent", 1),
    ("quiet", 5),
    ("new", 3),
]
FIRST_SCREENING = [
    ("none", []),
    ("none", []),
    ("physio", ["not_improving"]),
    ("soon", ["radiating"]),
]


def email_for(name: str) -> str:
    return f"{name.lower().replace(' ', '.').replace(chr(39), '')}@{DOMAIN}"


@dataclass
class Story:
    """One made-up patient's weeks: pain by finished week (oldest first) and activity."""

    kind: str
    weeks: list[tuple[int, int]]  # (average, worst), one per finished week, oldest first
    sessions_per_week: tuple[int, int]  # a range of days a week with a session
    quiet_days: int = 0  # days since the last activity, for those who went quiet
    joined_days_ago: int = 0


def story(kind: str, rng: random.Random) -> Story:
    """Return a believable history for this kind of story."""
    if kind in ("improving", "emergency"):
        n = rng.randint(6, 12)
        start = rng.choice([6, 7, 7, 8])
        averages = [round(start - (start - 2) * i / (n - 1)) for i in range(n)]
        # Never higher than the week before, so "rising" stays for the rising stories.
        weeks = [(a, min(10, a + rng.choice([1, 2]))) for a in averages]
        return Story(kind, weeks, (4, 6), joined_days_ago=7 * n + 3)
    if kind == "flat":
        n = rng.randint(5, 9)
        weeks = [(a, a + 1) for a in (rng.choice([5, 6]) for _ in range(n))]
        return Story(kind, weeks, (2, 4), joined_days_ago=7 * n + 2)
    if kind == "rising":
        n = rng.randint(4, 7)
        base = rng.choice([3, 4])
        weeks = [(base, base + 1)] * (n - 3) + [
            (base, base + 2),
            (base + 1, base + 3),
            (base + 3, 9),
        ]
        return Story(kind, weeks, (1, 3), joined_days_ago=7 * n + 4)
    if kind == "urgent":
        weeks = [(6, 7), (5, 7), (6, 7)]
        return Story(kind, weeks, (2, 4), joined_days_ago=25)
    if kind == "quiet":
        n = rng.randint(3, 6)
        weeks = [(4, 5)] * n
        quiet = rng.choice([16, 19, 23, 30, 38])
        return Story(kind, weeks, (2, 4), quiet_days=quiet, joined_days_ago=quiet + 7 * n + 2)
    # New: joined last week, one check-in, a couple of sessions.
    return Story(kind, [(5, 6)], (2, 3), joined_days_ago=rng.randint(8, 10))


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@transaction.atomic
def seed(*, patient: User, clinician: User) -> str:
    # The demo patient shares with the demo clinician, unless they once did and stopped.
    if not CareLink.objects.filter(patient=patient, clinician=clinician).exists():
        CareLink.objects.create(patient=patient, clinician=clinician)  # raises their alerts
    if User.objects.filter(email=email_for(NAMES[0])).exists():
        return "demo caseload kept"

    rng = random.Random(SEED)
    today = timezone.localdate()
    this_week = week_start(today)
    exercises = list(Exercise.objects.order_by("slug")[:12])
    kinds = [kind for kind, count in STORIES for _ in range(count)]
    stories = [story(kind, rng) for kind in kinds]

    no_password = make_password(None)
    people = User.objects.bulk_create(
        User(
            email=email_for(name),
            display_name=name,
            role=Role.PATIENT,
            password=no_password,
            date_joined=_at(today - dt.timedelta(days=s.joined_days_ago), 9),
        )
        for name, s in zip(NAMES, stories, strict=True)
    )
    CareLink.objects.bulk_create(
        CareLink(patient=p, clinician=clinician, created_at=p.date_joined + dt.timedelta(days=1))
        for p in people
    )

    screenings, answers_for, check_ins, sessions, plans, history = [], [], [], [], [], []
    for p, s in zip(people, stories, strict=True):
        joined = timezone.localdate(p.date_joined)
        last_day = today - dt.timedelta(days=s.quiet_days) if s.quiet_days else today
        urgency, triggers = rng.choice(FIRST_SCREENING)
        screenings.append(
            Screening(
                user=p,
                started_at=p.date_joined,
                completed_at=p.date_joined + dt.timedelta(minutes=6),
                urgency=urgency,
                trigger_keys=triggers,
            )
        )
        answers_for.append(triggers)
        if s.kind in ("emergency", "urgent"):
            days_ago, level, keys = (
                (2, "emergency", ["saddle_numbness"])
                if s.kind == "emergency"
                else (4, "urgent", ["night_pain"])
            )
            when = _at(today - dt.timedelta(days=days_ago), 18)
            screenings.append(
                Screening(
                    user=p,
                    kind="recheck",
                    started_at=when - dt.timedelta(minutes=3),
                    completed_at=when,
                    urgency=level,
                    trigger_keys=keys,
                )
            )
            answers_for.append(keys)
        # Finished weeks only: the newest one is last week (or the week before going quiet).
        last_week = week_start(last_day) - dt.timedelta(weeks=1 if not s.quiet_days else 0)
        last_week = min(last_week, this_week - dt.timedelta(weeks=1))
        for index, (average, worst) in enumerate(s.weeks):
            monday = last_week - dt.timedelta(weeks=len(s.weeks) - 1 - index)
            if monday < week_start(joined):
                continue
            made = min(monday + dt.timedelta(days=6), last_day)
            check_ins.append(
                CheckIn(
                    patient=p,
                    week_start=monday,
                    pain_average=average,
                    pain_worst=worst,
                    sleep_nights=max(0, min(7, average - 3 + rng.choice([-1, 0, 1]))),
                    days_active=rng.randint(2, 6),
                    created_at=_at(made, 19),
                )
            )
            if s.kind in ("improving", "emergency") and index < 2 and worst >= 8:
                # An early bad week the clinician has already looked at: history, not news.
                history.append(
                    Alert(
                        patient=p,
                        kind=AlertKind.SEVERE_PAIN,
                        source=f"week:{monday}",
                        detail=f"Worst pain {worst} out of 10 in the week of "
                        f"{monday.day} {monday:%b %Y}.",
                        created_at=_at(made, 19),
                        seen_at=_at(made + dt.timedelta(days=1), 10),
                        seen_by=clinician,
                    )
                )
        pain_now = s.weeks[-1][0]
        day = joined
        while day <= last_day:
            monday = week_start(day)
            low, high = s.sessions_per_week
            chosen = set(rng.sample(range(7), k=rng.randint(low, high)))
            for offset in sorted(chosen):
                performed = monday + dt.timedelta(days=offset)
                if joined <= performed <= last_day:
                    sessions.append(
                        Session(
                            patient=p,
                            performed_on=performed,
                            client_token=uuid.uuid4(),
                            pain_during=max(0, pain_now - rng.choice([1, 2])),
                        )
                    )
            day = monday + dt.timedelta(weeks=1)
        if exercises:
            picked = rng.sample(exercises, k=min(4, len(exercises)))
            plans.append((Plan(patient=p, created_at=p.date_joined), picked, None))
            if s.kind in ("flat", "rising"):
                prescribed = Plan(
                    patient=p,
                    kind=PlanKind.PRESCRIBED,
                    author=clinician,
                    note="Little and often: stop any exercise that makes the pain sharper.",
                    created_at=p.date_joined + dt.timedelta(days=8),
                )
                plans.append((prescribed, rng.sample(exercises, k=min(4, len(exercises))), 3))

    Screening.objects.bulk_create(screenings)
    questions = {q.key: q for q in Question.objects.all()}
    Answer.objects.bulk_create(
        Answer(screening=screening, question=questions[key], value="yes")
        for screening, keys in zip(screenings, answers_for, strict=True)
        for key in keys
        if key in questions
    )
    made = {(c.patient_id, c.week_start): c.created_at for c in check_ins}
    saved = CheckIn.objects.bulk_create(check_ins)
    # auto_now_add stamped them now; each check-in was made in its own week.
    for check_in in saved:
        check_in.created_at = made[(check_in.patient_id, check_in.week_start)]
    CheckIn.objects.bulk_update(saved, ["created_at"])
    Plan.objects.bulk_create(plan for plan, _, _ in plans)
    PlanItem.objects.bulk_create(
        PlanItem(plan=plan, exercise=exercise, order=order, days_per_week=days).scheduled()
        for plan, picked, days in plans
        for order, exercise in enumerate(picked)
    )
    routines = {plan.patient_id: picked for plan, picked, _ in plans}
    Session.objects.bulk_create(sessions)
    SessionEntry.objects.bulk_create(
        SessionEntry(
            session=session,
            exercise=exercise,
            sets=exercise.sets or 1,
            reps=exercise.reps,
            hold_seconds=exercise.hold_seconds or exercise.duration_seconds,
        )
        for session in sessions
        for exercise in routines.get(session.patient_id, [])[:3]
    )
    Alert.objects.bulk_create(history)

    raised = sum(len(alerts.refresh_for(person, today)) for person in [patient, *people])
    return f"demo caseload: {len(people) + 1} patients for {clinician.email}, {raised} open alerts"
