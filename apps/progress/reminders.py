"""Reminders that reach people: the daily e-mail and the calendar feed's data.

`reminders_send` is what `manage.py send_checkin_reminders` runs (every 15 minutes from
cron): each patient gets at most one e-mail a day, once their chosen hour has come, saying
whatever is due today (the exercise day, the weekly check-in, or both). `calendar_feed`
answers the feed's secret address. Both read a constant number of queries, however many
patients there are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.adapter import on_site
from apps.accounts.models import User
from apps.screening.models import Kind, Screening
from apps.screening.triage import Urgency

from .ical import Move, build_feed, exercise_summary, routine_url
from .models import Plan, PlanItem, PlanKind, Reminder
from .planner import estimate_minutes

logger = logging.getLogger(__name__)


def care_gate_closed() -> Exists:
    """True for a reminder whose patient has an emergency result still closing the way to
    exercise: the rule of ScreeningQuerySet.care_gate, as a subquery for many patients."""
    newer_full_check = Screening.objects.filter(
        user=OuterRef("user"),
        kind=Kind.FULL,
        completed_at__isnull=False,
        completed_at__gt=OuterRef("completed_at"),
    )
    return Exists(
        Screening.objects.filter(
            user=OuterRef("patient"),
            completed_at__isnull=False,
            urgency=Urgency.EMERGENCY,
            acknowledged_at__isnull=True,
        ).exclude(Exists(newer_full_check))
    )


def _active_plans() -> Prefetch:
    items = PlanItem.objects.select_related("exercise")
    plans = Plan.objects.filter(active=True).prefetch_related(Prefetch("items", queryset=items))
    return Prefetch("patient__plans", queryset=plans, to_attr="active_plans")


def in_force(plans: Iterable[Plan]) -> Plan | None:
    """The plan in force among a patient's active plans, as PlanQuerySet.current picks it:
    a clinician's programme first, then the newest."""
    ranked = sorted(
        plans, key=lambda plan: (plan.kind != PlanKind.PRESCRIBED, -plan.created_at.timestamp())
    )
    return ranked[0] if ranked else None


def _dose(item: PlanItem) -> str:
    """A prescription's own dose in words, else the library's."""
    if not (item.sets or item.reps or item.hold_seconds):
        return item.exercise.dosage_text
    sets = item.sets or item.exercise.sets
    words = f"{sets} set{'s' if sets != 1 else ''}"
    if item.reps:
        words += f" of {item.reps} rep{'s' if item.reps != 1 else ''}"
    if item.hold_seconds:
        words += f", holding {item.hold_seconds} second{'s' if item.hold_seconds != 1 else ''}"
    return words


def plan_moves(plan: Plan | None) -> list[Move]:
    """The plan's items as the feed and the e-mail show them (uses prefetched items)."""
    if plan is None:
        return []
    moves = []
    for item in plan.items.all():
        exercise = item.exercise
        minutes = estimate_minutes(
            sets=item.sets or exercise.sets,
            reps=item.reps or exercise.reps,
            hold=item.hold_seconds or exercise.hold_seconds,
            duration=exercise.duration_seconds,
            rest=exercise.rest_seconds,
            per_side=exercise.per_side,
        )
        moves.append(Move(exercise.name, exercise.slug, _dose(item), minutes, tuple(item.weekdays)))
    return moves


# ---- the calendar feed ----------------------------------------------------------------


def calendar_link_make(*, patient: User) -> Reminder:
    """Give the patient a new feed address; the one before, if any, stops working."""
    reminder, _ = Reminder.objects.update_or_create(
        patient=patient,
        defaults={"calendar_token": secrets.token_urlsafe(32), "calendar_made_at": timezone.now()},
    )
    return reminder


def calendar_link_revoke(*, patient: User) -> bool:
    """Stop the patient's feed address; return False when there was none."""
    revoked = Reminder.objects.filter(patient=patient, calendar_token__isnull=False).update(
        calendar_token=None, calendar_made_at=None
    )
    return bool(revoked)


def calendar_url(reminder: Reminder | None) -> str | None:
    """The feed's address on the configured site (never the request's Host), if it has one."""
    if reminder is None or not reminder.calendar_token:
        return None
    return on_site(reverse("progress:calendar_feed", args=[reminder.calendar_token]))


def calendar_feed(token: str, *, now: dt.datetime) -> bytes | None:
    """The feed for this secret, or None when no active patient's feed has it."""
    reminder = (
        Reminder.objects.filter(calendar_token=token, patient__is_active=True)
        .annotate(care_gate_closed=care_gate_closed())
        .first()
    )
    if reminder is None:
        return None
    moves = []
    # While an emergency result is open, the calendar does not ask for exercise either.
    if not reminder.care_gate_closed:
        items = PlanItem.objects.select_related("exercise")
        plans = Plan.objects.filter(patient_id=reminder.patient_id, active=True)
        moves = plan_moves(in_force(plans.prefetch_related(Prefetch("items", queryset=items))))
    return build_feed(
        moves=moves,
        check_in_weekday=reminder.weekday,
        hour=reminder.hour,
        start=timezone.localdate(reminder.calendar_made_at),
        # Unique to this address, and names nobody: a new address gets new events.
        uid_seed=hashlib.sha256(token.encode()).hexdigest()[:24],
        site_url=settings.SITE_URL,
        time_zone=settings.TIME_ZONE,
        now=now,
    )


# ---- the e-mail -------------------------------------------------------------------------


def _message(reminder: Reminder, *, today: dt.date, moves: list[Move]) -> EmailMessage:
    check_in = bool(reminder.check_in_due)
    if moves and check_in:
        subject = "Your back exercises and weekly check-in"
    elif moves:
        subject = "Your back exercises today"
    else:
        subject = "Your weekly backpain check-in"
    context = {
        "patient": reminder.patient,
        "moves": moves,
        "summary": exercise_summary(moves) if moves else "",
        "routine_url": routine_url(settings.SITE_URL, moves) if moves else "",
        "check_in": check_in,
        "check_in_url": on_site(reverse("progress:check_in")),
        "settings_url": on_site(reverse("progress:reminder")),
    }
    return EmailMessage(
        subject=subject,
        body=render_to_string("progress/reminder_email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[reminder.patient.email],
    )


def reminders_send(*, now: dt.datetime) -> int:
    """E-mail everyone whose reminder is due at `now`, once a day; return how many were sent.

    The day's reminders are claimed (last_sent_on set) in one update under row locks before
    anything is sent, so two runs at once never send one twice: the second skips the locked
    rows, then finds them sent. A message the mail server refuses is released for the next
    run; a run that dies between claim and send loses that day's e-mail rather than risk two.
    """
    today = timezone.localdate(now)
    with transaction.atomic():
        candidates = list(
            Reminder.objects.for_hour(now)
            .annotate(care_gate_closed=care_gate_closed())
            .select_related("patient")
            .prefetch_related(_active_plans())
            .select_for_update(of=("self",), skip_locked=True)
            .order_by("pk")
        )
        outgoing = []
        for reminder in candidates:
            moves = []
            if reminder.exercise_days and not (reminder.logged_today or reminder.care_gate_closed):
                plan = in_force(reminder.patient.active_plans)
                moves = [m for m in plan_moves(plan) if today.weekday() in m.weekdays]
            if moves or reminder.check_in_due:
                outgoing.append((reminder, _message(reminder, today=today, moves=moves)))
        Reminder.objects.filter(pk__in=[reminder.pk for reminder, _ in outgoing]).update(
            last_sent_on=today
        )
    sent = 0
    for reminder, message in outgoing:
        try:
            sent += message.send()
        except Exception as error:  # smtplib and socket errors alike: the others still go
            # The error's type only: its text can hold the address.
            logger.error(  # noqa: TRY400
                "Reminder e-mail %d not sent (%s); the next run tries again.",
                reminder.pk,
                type(error).__name__,
            )
            Reminder.objects.filter(pk=reminder.pk).update(last_sent_on=reminder.last_sent_on)
    return sent
