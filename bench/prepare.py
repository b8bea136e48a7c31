"""Data for bench/run.sh: a patient with 52 weeks of history and a clinician with 200 patients.

Run after `manage.py prepare_demo`, on the benchmark's own database, with the benchmark's
environment. Idempotent: a second run finds the clinician and only prints the review URL.
Every number comes from one fixed seed, so two runs measure the same data.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpain.settings")

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.management.commands.seed_demo import (  # noqa: E402
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
)
from apps.accounts.models import CareLink, Role, User  # noqa: E402
from apps.checklist import demo as checklist_demo  # noqa: E402
from apps.clinic import alerts  # noqa: E402
from apps.exercises.models import Exercise  # noqa: E402
from apps.progress import demo as progress_demo  # noqa: E402
from apps.progress.models import CheckIn, Plan, PlanItem, Session, week_start  # noqa: E402
from apps.screening.models import Screening  # noqa: E402

PATIENT = "bench-patient@example.com"
CLINICIAN = "bench-clinician@example.com"
PATIENTS = 200  # the clinician's caseload, the bench patient included
WEEKS = 52


def account(email: str, name: str, role: str) -> User:
    user = User.objects.create(email=email, display_name=name, role=role)
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def caseload(clinician: User, count: int, today: dt.date) -> list[User]:
    """`count` patients sharing with the clinician, each with WEEKS weeks of check-ins and
    about four sessions a week, in bulk."""
    rng = random.Random(15)
    joined = timezone.now() - dt.timedelta(weeks=WEEKS + 1)
    no_password = make_password(None)
    people = User.objects.bulk_create(
        User(
            email=f"bench-{n:03}@bench-patients.example.com",
            display_name=f"Bench patient {n:03}",
            role=Role.PATIENT,
            password=no_password,
            date_joined=joined,
        )
        for n in range(count)
    )
    CareLink.objects.bulk_create(CareLink(patient=p, clinician=clinician) for p in people)
    this_week = week_start(today)
    exercises = list(Exercise.objects.order_by("slug")[:12])
    Screening.objects.bulk_create(
        Screening(user=p, started_at=joined, completed_at=joined, urgency="none") for p in people
    )
    check_ins, sessions, plans = [], [], []
    for p in people:
        pain = rng.randint(3, 8)
        for weeks_ago in range(WEEKS, 0, -1):
            monday = this_week - dt.timedelta(weeks=weeks_ago)
            pain = max(0, min(10, pain + rng.choice([-1, 0, 0, 1])))
            check_ins.append(
                CheckIn(
                    patient=p,
                    week_start=monday,
                    pain_average=pain,
                    pain_worst=min(10, pain + 2),
                    sleep_nights=rng.randint(0, 4),
                    days_active=rng.randint(2, 6),
                )
            )
            for day in sorted(rng.sample(range(7), k=rng.randint(3, 5))):
                sessions.append(
                    Session(
                        patient=p,
                        performed_on=monday + dt.timedelta(days=day),
                        client_token=uuid.uuid4(),
                        pain_during=max(0, pain - 1),
                    )
                )
        plans.append((Plan(patient=p), rng.sample(exercises, k=min(4, len(exercises)))))
    CheckIn.objects.bulk_create(check_ins, batch_size=2000)
    Session.objects.bulk_create(sessions, batch_size=2000)
    Plan.objects.bulk_create(plan for plan, _ in plans)
    PlanItem.objects.bulk_create(
        PlanItem(plan=plan, exercise=exercise, order=order).scheduled()
        for plan, picked in plans
        for order, exercise in enumerate(picked)
    )
    for p in people:
        alerts.refresh_for(p, today)
    return people


@transaction.atomic
def prepare() -> User:
    existing = User.objects.filter(email=PATIENT).first()
    if existing:
        return existing
    today = timezone.localdate()
    clinician = account(CLINICIAN, "Dr Bench (benchmark clinician)", Role.CLINICIAN)
    TOTP.activate(clinician, DEMO_TOTP_SECRET)
    patient = account(PATIENT, "Bench patient", Role.PATIENT)
    # The demo's own story, stretched to a year: checklist runs, check-ins with function
    # scores, sessions with entries, a screening and a plan built from them.
    checklist_demo.seed(patient=patient, clinician=clinician)
    progress_demo.WEEKS = WEEKS
    progress_demo.seed(patient=patient, clinician=clinician)
    CareLink.objects.create(patient=patient, clinician=clinician)
    caseload(clinician, PATIENTS - 1, today)
    alerts.refresh_for(patient, today)
    return patient


if __name__ == "__main__":
    patient = prepare()
    # Fresh statistics, as autovacuum would have by the time a real site had this data: with
    # the empty tables' ones, PostgreSQL found a clinician's 200 patients by a nested loop
    # over every care link (15 ms instead of 0.3).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # For run.sh: the bench patient's review page and latest checklist result.
    latest = checklist_demo.Run.objects.filter(user=patient, completed_at__isnull=False).latest(
        "completed_at"
    )
    print(f"REVIEW_PAGE=/clinic/patients/{patient.uuid}/")
    print(f"CHECKLIST_RESULT={latest.get_absolute_url()}")
