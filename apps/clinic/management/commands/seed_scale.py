"""Fake accounts at scale, for benchmarks and query plans: `seed_scale --patients N --weeks W`.

N patients spread evenly over 50 clinicians (so 10,000 patients give each clinician 200), each
sharing with their clinician through a CareLink as a redeemed invite would leave it. Every
patient has W finished weeks of history: a weekly check-in (a few weeks missed) with its
weekly re-check, about four sessions a week of three exercises from their plan, a self-built
plan (a prescription from their clinician for some), a first warning-signs check and two
checklist runs. Alerts are the app's own rules (`apps.clinic.alerts`' candidate functions)
applied to that history, written in bulk instead of one `refresh_for` per patient.

Everything comes from one fixed seed and dates relative to today. The big tables go in with
PostgreSQL's COPY (ids reserved from each table's sequence first), so 10,000 × 52 takes a few
minutes, not hours. The command makes accounts with a published password, so it refuses to
run without DEBUG unless `--force`, and refuses a second run (the accounts exist already).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import uuid
from collections.abc import Iterable
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from apps.accounts.models import User
from apps.checklist.models import Item
from apps.checklist.priorities import prioritise, score
from apps.clinic.alerts import (
    SCREENING_LOOKBACK,
    inactivity_candidate,
    progress_candidates,
    screening_candidate,
)
from apps.exercises.models import Exercise
from apps.progress.models import Frequency, PlanKind, spread_days, week_start
from apps.progress.rules import WeekScore
from apps.screening.models import Question
from apps.screening.triage import Level

SEED = 15
CLINICIANS = 50
DOMAIN = "scale.example.com"
PLAN_SIZE = 5
ENTRIES_PER_SESSION = 3
# Share of patients per story: pain easing, flat, rising, gone quiet (no activity lately).
STORIES = [("improving", 55), ("flat", 25), ("rising", 12), ("quiet", 8)]
MISSED_CHECK_IN = 0.08  # the share of weeks without a check-in
EMERGENCY_RECHECK = 0.003  # patients whose latest re-check was an emergency
URGENT_RECHECK = 0.01
PRESCRIBED = 0.15  # patients with a clinician's programme beside their own plan


def clinician_email(index: int) -> str:
    return f"clinician{index + 1:02d}@{DOMAIN}"


def patient_email(index: int) -> str:
    return f"patient{index + 1:05d}@{DOMAIN}"


class Copier:
    """Rows for one table, written with COPY in chunks (tab-separated text)."""

    CHUNK = 50_000

    def __init__(self, cursor: Any, table: str, columns: Iterable[str]) -> None:
        self.cursor = cursor
        self.sql = (
            f"COPY {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) FROM STDIN"
        )
        self.lines: list[str] = []
        self.count = 0

    def add(self, *values: object) -> None:
        self.lines.append("\t".join(_text(v) for v in values))
        if len(self.lines) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        with self.cursor.copy(self.sql) as copy:
            copy.write("\n".join(self.lines) + "\n")
        self.count += len(self.lines)
        self.lines = []


def _text(value: object) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, list):
        return "{" + ",".join(str(v) for v in value) + "}"
    return str(value)


def reserve_ids(cursor: Any, table: str, count: int) -> int:
    """Take `count` ids from the table's sequence at once; return the first.

    The table is locked for the rest of the transaction, so nothing else takes ids from the
    block meanwhile.
    """
    cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
    first = cursor.fetchone()[0]
    if count > 1:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, first + count - 1]
        )
    return first


class Command(BaseCommand):
    help = (
        "Make N fake patients over 50 clinicians with W weeks of history each, for benchmarks "
        "(fixed seed; refuses to run twice, and without DEBUG unless --force)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=10_000)
        parser.add_argument("--weeks", type=int, default=52)
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (it makes accounts with a published password).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: this makes fake accounts with a published password. "
                "Use --force if this really is a database for benchmarks."
            )
        patients, weeks = options["patients"], options["weeks"]
        if patients < 1 or weeks < 1:
            raise CommandError("--patients and --weeks must be 1 or more.")
        if User.objects.filter(email__endswith=f"@{DOMAIN}").exists():
            raise CommandError(
                f"Scale data is here already (accounts @{DOMAIN}); it is made once per database."
            )
        started = time.monotonic()
        counts = seed_scale(patients=patients, weeks=weeks, today=timezone.localdate())
        with connection.cursor() as cursor:
            # Fresh statistics, so the planner sees the new sizes at once.
            cursor.execute("ANALYZE")
        if options["verbosity"] > 0:
            made = ", ".join(f"{n} {name}" for name, n in counts.items())
            self.stdout.write(f"Made {made} in {time.monotonic() - started:.0f} s.")


@transaction.atomic
def seed_scale(*, patients: int, weeks: int, today: dt.date) -> dict[str, int]:
    """Write the scale data; return how many rows of each kind."""
    exercises = list(
        Exercise.objects.order_by("slug").values_list(
            "id", "sets", "reps", "hold_seconds", "duration_seconds"
        )
    )
    items = list(Item.objects.active().values_list("id", "key", "points", "priority_rank"))
    questions = list(Question.objects.active().values_list("id", "key", "level"))
    if len(exercises) < PLAN_SIZE or not items or not questions:
        raise CommandError("Load the content first: manage.py load_content.")
    emergency_key = next(key for _, key, level in questions if level == Level.EMERGENCY)
    urgent_key = next(key for _, key, level in questions if level == Level.URGENT)

    rng = random.Random(SEED)
    tz = timezone.get_current_timezone()
    stamps: dict[tuple[dt.date, int], str] = {}

    def at(day: dt.date, hour: int) -> str:
        # A few hundred distinct days: cheaper to remember than to localise millions of times.
        key = (day, hour)
        if key not in stamps:
            stamps[key] = dt.datetime.combine(day, dt.time(hour), tzinfo=tz).isoformat()
        return stamps[key]

    def new_uuid() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    password = make_password(DEMO_PASSWORD)
    this_week = week_start(today)
    first_week = this_week - dt.timedelta(weeks=weeks)
    joined_on = first_week - dt.timedelta(days=2)
    joined_at = at(joined_on, 9)
    kinds = [kind for kind, share in STORIES for _ in range(share)]

    raw = connection.cursor().cursor  # psycopg's own cursor, for COPY
    counts: dict[str, int] = {}
    # Only new people, in one transaction: nobody can have seen a page of theirs, so the
    # data-version triggers (apps/accounts/data_version.py) would only rewrite every new
    # account once per COPY chunk. SET LOCAL: for this transaction alone.
    raw.execute("SET LOCAL backpain.bulk_load = 'on'")

    # Accounts: clinicians first, then patients; everyone can log in with the demo password.
    user_id = reserve_ids(raw, "accounts_user", CLINICIANS + patients)
    users = Copier(
        raw,
        "accounts_user",
        [
            "id",
            "password",
            "is_superuser",
            "uuid",
            "email",
            "display_name",
            "role",
            "is_active",
            "is_staff",
            "date_joined",
        ],
    )
    emails = Copier(raw, "account_emailaddress", ["email", "verified", "primary", "user_id"])

    def account(pk: int, email: str, name: str, role: str) -> None:
        # A verified primary address each, so every seeded account can log in.
        users.add(pk, password, False, new_uuid(), email, name, role, True, False, joined_at)
        emails.add(email, True, True, pk)

    clinician_ids = list(range(user_id, user_id + CLINICIANS))
    for index, pk in enumerate(clinician_ids):
        account(pk, clinician_email(index), f"Dr Scale {index + 1:02d}", "clinician")
    patient_ids = list(range(user_id + CLINICIANS, user_id + CLINICIANS + patients))
    for index, pk in enumerate(patient_ids):
        account(pk, patient_email(index), f"Scale Patient {index + 1:05d}", "patient")
    users.flush()
    emails.flush()
    counts["accounts"] = users.count

    links = Copier(raw, "accounts_carelink", ["uuid", "created_at", "clinician_id", "patient_id"])
    for index, pk in enumerate(patient_ids):
        links.add(
            new_uuid(),
            at(joined_on + dt.timedelta(days=1), 10),
            clinician_ids[index % CLINICIANS],
            pk,
        )
    links.flush()
    counts["care links"] = links.count

    # Plans: a self-built plan each, some with a prescription as well.
    prescribed = {pk for pk in patient_ids if rng.random() < PRESCRIBED}
    plan_id = reserve_ids(raw, "progress_plan", patients + len(prescribed))
    plans = Copier(
        raw,
        "progress_plan",
        [
            "id",
            "uuid",
            "kind",
            "active",
            "reasons",
            "note",
            "created_at",
            "author_id",
            "patient_id",
        ],
    )
    plan_items = Copier(
        raw,
        "progress_planitem",
        ["order", "frequency", "reason", "exercise_id", "plan_id", "days_per_week", "weekdays"],
    )
    routine: dict[int, list[tuple[int, int, Any, Any, Any]]] = {}
    for index, pk in enumerate(patient_ids):
        picked = rng.sample(exercises, PLAN_SIZE)
        routine[pk] = picked
        plans.add(plan_id, new_uuid(), PlanKind.SELF, True, "[]", "", joined_at, None, pk)
        for order, exercise in enumerate(picked):
            daily = order < 3
            plan_items.add(
                order,
                Frequency.DAILY if daily else Frequency.TWO_THREE,
                "",
                exercise[0],
                plan_id,
                None,
                list(range(7)) if daily else spread_days(3),
            )
        plan_id += 1
        if pk in prescribed:
            plans.add(
                plan_id,
                new_uuid(),
                PlanKind.PRESCRIBED,
                True,
                "[]",
                "Little and often: stop any exercise that makes the pain sharper.",
                at(joined_on + dt.timedelta(days=8), 11),
                clinician_ids[index % CLINICIANS],
                pk,
            )
            for order, exercise in enumerate(rng.sample(exercises, 4)):
                plan_items.add(
                    order, Frequency.TWO_THREE, "", exercise[0], plan_id, 3, spread_days(3)
                )
            plan_id += 1
    plans.flush()
    plan_items.flush()
    counts["plans"] = plans.count

    # Check-ins, their weekly re-checks, sessions and entries: the bulk of the rows. Ids of
    # the parents are reserved up front (at most one check-in a week, seven sessions a week).
    days = (today - first_week).days
    session_id = reserve_ids(raw, "progress_session", patients * days)
    screening_id = reserve_ids(raw, "screening_screening", patients * (weeks + 1))
    check_ins = Copier(
        raw,
        "progress_checkin",
        [
            "week_start",
            "pain_average",
            "pain_worst",
            "sleep_nights",
            "days_active",
            "note",
            "created_at",
            "updated_at",
            "patient_id",
        ],
    )
    sessions = Copier(
        raw,
        "progress_session",
        [
            "id",
            "uuid",
            "performed_on",
            "client_token",
            "pain_during",
            "note",
            "created_at",
            "updated_at",
            "patient_id",
        ],
    )
    entries = Copier(
        raw, "progress_sessionentry", ["sets", "reps", "hold_seconds", "exercise_id", "session_id"]
    )
    screenings = Copier(
        raw,
        "screening_screening",
        [
            "id",
            "uuid",
            "started_at",
            "completed_at",
            "urgency",
            "trigger_keys",
            "unsure_keys",
            "bone_density_caution",
            "user_id",
            "kind",
        ],
    )
    answers = Copier(
        raw, "screening_answer", ["value", "answered_at", "question_id", "screening_id"]
    )
    alerts = Copier(
        raw, "clinic_alert", ["uuid", "kind", "source", "detail", "created_at", "patient_id"]
    )
    run_id = reserve_ids(raw, "checklist_run", patients * 2)
    runs = Copier(
        raw,
        "checklist_run",
        ["id", "uuid", "started_at", "completed_at", "score", "priority_keys", "user_id"],
    )
    run_answers = Copier(
        raw, "checklist_answer", ["value", "note", "answered_at", "item_id", "run_id"]
    )
    now = timezone.now().isoformat()
    lookback = timezone.localdate(timezone.now() - SCREENING_LOOKBACK)
    points = {key: list(p) for _, key, p, _ in items}
    ranks = {key: rank for _, key, _, rank in items if rank is not None}

    for pk in patient_ids:
        story = rng.choice(kinds)
        quiet_since = today - dt.timedelta(days=rng.randint(15, 40)) if story == "quiet" else None
        last_day = quiet_since or today - dt.timedelta(days=1)
        start = rng.choice([6, 7, 7, 8]) if story != "rising" else rng.choice([3, 4])

        # The first warning-signs check, on joining, with every question answered.
        screenings.add(
            screening_id,
            new_uuid(),
            joined_at,
            at(joined_on, 10),
            "none",
            "[]",
            "[]",
            False,
            pk,
            "full",
        )
        for question_id, _, _ in questions:
            answers.add("no", at(joined_on, 10), question_id, screening_id)
        screening_id += 1

        scores: list[WeekScore] = []
        last_active: dt.date | None = None
        candidates = []
        for week in range(weeks):
            monday = first_week + dt.timedelta(weeks=week)
            progress = week / max(1, weeks - 1)
            if story == "improving":
                average = round(start - (start - 2) * progress)
            elif story == "rising":
                average = min(9, start + round(4 * max(0.0, progress - 0.8) * 5))
            else:
                average = start - 1
            average = max(0, min(10, average + rng.choice([-1, 0, 0, 0, 1])))
            worst = min(10, average + rng.choice([1, 1, 2]))
            made = monday + dt.timedelta(days=6)
            if made <= last_day and rng.random() >= MISSED_CHECK_IN:
                stamp = at(made, 19)
                check_ins.add(
                    monday,
                    average,
                    worst,
                    max(0, min(7, average - 3)),
                    rng.randint(2, 6),
                    "",
                    stamp,
                    stamp,
                    pk,
                )
                scores.append(WeekScore(monday, average, worst, max(0, min(7, average - 3))))
                screenings.add(
                    screening_id, new_uuid(), stamp, stamp, "none", "[]", "[]", False, pk, "recheck"
                )
                screening_id += 1
                last_active = max(last_active or made, made)
            picked = routine[pk][:ENTRIES_PER_SESSION]
            for offset in sorted(rng.sample(range(7), rng.choice([3, 4, 4, 5]))):
                performed = monday + dt.timedelta(days=offset)
                if performed > last_day:
                    continue
                stamp = at(performed, 18)
                sessions.add(
                    session_id,
                    new_uuid(),
                    performed,
                    new_uuid(),
                    max(0, average - 1),
                    "",
                    stamp,
                    stamp,
                    pk,
                )
                last_active = max(last_active or performed, performed)
                for exercise_id, sets, reps, hold, duration in picked:
                    entries.add(sets or 1, reps, hold or duration, exercise_id, session_id)
                session_id += 1
        # This week so far, for those still active.
        if quiet_since is None:
            for offset in range((today - this_week).days):
                if rng.random() < 0.6:
                    performed = this_week + dt.timedelta(days=offset)
                    stamp = at(performed, 18)
                    sessions.add(
                        session_id, new_uuid(), performed, new_uuid(), 2, "", stamp, stamp, pk
                    )
                    session_id += 1
                    last_active = performed
                    for exercise_id, sets, reps, hold, duration in routine[pk][
                        :ENTRIES_PER_SESSION
                    ]:
                        entries.add(sets or 1, reps, hold or duration, exercise_id, session_id - 1)

        # A few had a worrying weekly re-check lately: one more re-check, and its alert.
        roll = rng.random()
        if roll < EMERGENCY_RECHECK + URGENT_RECHECK and quiet_since is None:
            urgency, key = (
                ("emergency", emergency_key) if roll < EMERGENCY_RECHECK else ("urgent", urgent_key)
            )
            day = today - dt.timedelta(days=rng.randint(1, 5))
            recheck_uuid = new_uuid()
            screenings.add(
                screening_id,
                recheck_uuid,
                at(day, 17),
                at(day, 18),
                urgency,
                json.dumps([key]),
                "[]",
                False,
                pk,
                "recheck",
            )
            screening_id += 1
            if day >= lookback:
                candidates.append(
                    screening_candidate(
                        uuid=recheck_uuid, urgency=urgency, recheck=True, completed_on=day
                    )
                )

        # Two checklist runs: on joining and half way, the second no worse.
        for when, chance in ((joined_on, 0.4), (first_week + dt.timedelta(weeks=weeks // 2), 0.6)):
            values = {
                key: ("yes" if rng.random() < chance else rng.choice(["no", "unsure"]))
                for key in points
            }
            stamp = at(when, 12)
            runs.add(
                run_id,
                new_uuid(),
                stamp,
                stamp,
                score(values, points),
                prioritise(values, ranks),
                pk,
            )
            for item_id, key, _, _ in items:
                run_answers.add(values[key], "", stamp, item_id, run_id)
            run_id += 1

        # Alerts, by the rules `refresh_for` applies.
        candidates += progress_candidates(scores, today=today)
        quiet = inactivity_candidate(last_active, joined_on=joined_on, today=today)
        if quiet is not None:
            candidates.append(quiet)
        seen = set()
        for candidate in candidates:
            if candidate is None or (candidate.kind, candidate.source) in seen:
                continue
            seen.add((candidate.kind, candidate.source))
            alerts.add(new_uuid(), candidate.kind, candidate.source, candidate.detail, now, pk)

    for copier, name in [
        (check_ins, "check-ins"),
        (sessions, "sessions"),
        (entries, "session entries"),
        (screenings, "screenings"),
        (answers, "screening answers"),
        (runs, "checklist runs"),
        (run_answers, "checklist answers"),
        (alerts, "open alerts"),
    ]:
        copier.flush()
        counts[name] = copier.count

    # Give back the ids reserved but not used (the tables are still locked).
    for table, next_id in (("progress_session", session_id), ("screening_screening", screening_id)):
        raw.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, next_id - 1])

    # The clinicians can open the clinic: the demo authenticator secret, as the demo clinician.
    for clinician in User.objects.filter(pk__in=clinician_ids):
        TOTP.activate(clinician, DEMO_TOTP_SECRET)
    return counts
