"""Alerts: what in a patient's data a clinician should look at, each raised once.

The rules (docs/decisions.md has the same list for clinicians; the progress rules are the
patient's own, reused here, not copied):

- An emergency or urgent result, from a full screening or the weekly re-check: one alert
  per screening (source: the screening's uuid).
- Worst pain 8 or more at the latest check-in: one per week (source `week:<Monday>`).
- Pain rising (the progress rules' `is_rising`): one per week of the latest check-in.
- No meaningful improvement after 4 or more weeks (the progress rules' "see a
  physiotherapist" advice): one per run of check-ins, named by its first week
  (source `since:<Monday>`), so it is not raised again every week.
- No session and no check-in for 14 days: one per quiet spell, named by the last day of
  activity (source `quiet:<day>`).

Alerts are raised only for patients who share with a clinician now. They come from the
signals in `signals.py` (a screening completes, a check-in is saved, a share starts) and
from `manage.py refresh_alerts` once a day, which is what notices a quiet spell. New
emergency and urgent alerts e-mail the linked clinicians who asked for it, after the
transaction commits, with no name and no health details: only a link to the dashboard.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import DateField, OuterRef, Subquery
from django.db.models.functions import Greatest, TruncDate
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import CareLink, User
from apps.progress.models import CheckIn, Session
from apps.progress.rules import WeekScore, progress_advice
from apps.screening.models import Screening
from apps.screening.triage import Urgency

from .models import EMAILED_KINDS, Alert, AlertKind

QUIET_DAYS = 14
# How far back the daily refresh looks for emergency and urgent screenings it may have
# missed (a guest's screening claimed at login, say); the signal catches the rest at once.
SCREENING_LOOKBACK = dt.timedelta(days=28)
EMAIL_SUBJECT = "backpain: a new alert"

URGENCY_KINDS = {Urgency.EMERGENCY: AlertKind.EMERGENCY, Urgency.URGENT: AlertKind.URGENT}
# The progress rules' advice keys that are alerts for a clinician.
ADVICE_KINDS = {
    "ease_off": AlertKind.SEVERE_PAIN,
    "rising": AlertKind.RISING,
    "see_physio": AlertKind.NOT_IMPROVING,
}


@dataclass(frozen=True)
class Candidate:
    """An alert the rules call for; it becomes a row unless one with its source exists."""

    kind: str
    source: str
    detail: str


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def screening_candidate(
    *, uuid: object, urgency: str | None, recheck: bool, completed_on: dt.date
) -> Candidate | None:
    """Return the alert a completed screening raises: only emergency and urgent ones do."""
    kind = URGENCY_KINDS.get(urgency or "")
    if kind is None:
        return None
    what = "weekly re-check" if recheck else "warning-signs check"
    level = "Emergency" if kind == AlertKind.EMERGENCY else "Urgent"
    return Candidate(kind, str(uuid), f"{level} result in the {what} on {_day(completed_on)}.")


def progress_candidates(weeks: list[WeekScore], *, today: dt.date) -> list[Candidate]:
    """Return the alerts the weekly check-ins raise, judged by the patient's progress rules."""
    if not weeks:
        return []
    weeks = sorted(weeks, key=lambda week: week.week_start)
    first, latest = weeks[0], weeks[-1]
    candidates = []
    for advice in progress_advice(weeks=weeks, last_session_on=None, today=today):
        kind = ADVICE_KINDS.get(advice.key)
        if kind == AlertKind.SEVERE_PAIN:
            detail = (
                f"Worst pain {latest.pain_worst} out of 10 in the week of "
                f"{_day(latest.week_start)}."
            )
            candidates.append(Candidate(kind, f"week:{latest.week_start}", detail))
        elif kind == AlertKind.RISING:
            detail = (
                f"Pain rising: average {latest.pain_average} and worst {latest.pain_worst} out "
                f"of 10 in the week of {_day(latest.week_start)}."
            )
            candidates.append(Candidate(kind, f"week:{latest.week_start}", detail))
        elif kind == AlertKind.NOT_IMPROVING:
            span = (latest.week_start - first.week_start).days // 7
            detail = (
                f"Average pain {first.pain_average} out of 10 in the week of "
                f"{_day(first.week_start)}, {latest.pain_average} after {span} weeks."
            )
            candidates.append(Candidate(kind, f"since:{first.week_start}", detail))
    return candidates


def inactivity_candidate(
    last_active_on: dt.date | None, *, joined_on: dt.date, today: dt.date
) -> Candidate | None:
    """Return the quiet-spell alert when nothing was logged for `QUIET_DAYS` days."""
    since = last_active_on or joined_on
    if (today - since).days < QUIET_DAYS:
        return None
    what = "No session or check-in since" if last_active_on else "Nothing logged since joining on"
    return Candidate(AlertKind.INACTIVE, f"quiet:{since}", f"{what} {_day(since)}.")


def last_active_on(patient: str = "pk") -> Greatest:
    """An expression for the last day a patient logged a session or did a check-in.

    `patient` names the outer query's field holding the patient's id. A check-in counts on
    the day it was made (not the Monday of its week). NULL when nothing was ever logged.
    """
    session = (
        Session.objects.filter(patient=OuterRef(patient))
        .order_by("-performed_on")
        .values("performed_on")[:1]
    )
    check_in = (
        CheckIn.objects.filter(patient=OuterRef(patient))
        .annotate(day=TruncDate("created_at"))
        .order_by("-created_at")
        .values("day")[:1]
    )
    # PostgreSQL's GREATEST skips NULLs, so one kind of activity is enough.
    return Greatest(
        Subquery(session, output_field=DateField()),
        Subquery(check_in, output_field=DateField()),
        output_field=DateField(),
    )


def shares_now(patient: User) -> bool:
    return CareLink.objects.active().filter(patient=patient).exists()


def raise_alerts(patient: User, candidates: list[Candidate]) -> list[Alert]:
    """Create the alerts not raised before; return the new ones and e-mail about them."""
    if not candidates:
        return []
    existing = set(
        Alert.objects.filter(
            patient=patient, source__in=[candidate.source for candidate in candidates]
        ).values_list("kind", "source")
    )
    created = []
    for candidate in candidates:
        if (candidate.kind, candidate.source) in existing:
            continue
        # get_or_create, so a twin request raising the same alert at once is no error.
        alert, new = Alert.objects.get_or_create(
            patient=patient,
            kind=candidate.kind,
            source=candidate.source,
            defaults={"detail": candidate.detail},
        )
        if new:
            created.append(alert)
    if any(alert.kind in EMAILED_KINDS for alert in created):
        transaction.on_commit(partial(send_alert_emails, patient_id=patient.pk))
    return created


def alerts_for_screening(screening: Screening) -> list[Alert]:
    """Raise the alert a just-completed emergency or urgent screening calls for."""
    if screening.user_id is None or screening.completed_at is None:
        return []
    candidate = screening_candidate(
        uuid=screening.uuid,
        urgency=screening.urgency,
        recheck=screening.kind == "recheck",
        completed_on=timezone.localdate(screening.completed_at),
    )
    if candidate is None or not shares_now(screening.user):
        return []
    return raise_alerts(screening.user, [candidate])


def _weeks(patient: User) -> list[WeekScore]:
    return [
        WeekScore(*row)
        for row in CheckIn.objects.for_patient(patient)
        .order_by("week_start")
        .values_list("week_start", "pain_average", "pain_worst", "sleep_nights")
    ]


def alerts_for_check_ins(patient: User, today: dt.date | None = None) -> list[Alert]:
    """Raise the alerts the patient's check-ins call for (after one is saved)."""
    if not shares_now(patient):
        return []
    today = today or timezone.localdate()
    return raise_alerts(patient, progress_candidates(_weeks(patient), today=today))


def refresh_for(patient: User, today: dt.date | None = None) -> list[Alert]:
    """Raise every alert the patient's data calls for now; safe to run any number of times."""
    if not shares_now(patient):
        return []
    today = today or timezone.localdate()
    candidates = []
    screenings = (
        Screening.objects.filter(
            user=patient,
            urgency__in=list(URGENCY_KINDS),
            completed_at__gte=timezone.now() - SCREENING_LOOKBACK,
        )
        .order_by("completed_at")
        .values_list("uuid", "urgency", "kind", "completed_at")
    )
    for uuid, urgency, kind, completed_at in screenings:
        candidate = screening_candidate(
            uuid=uuid,
            urgency=urgency,
            recheck=kind == "recheck",
            completed_on=timezone.localdate(completed_at),
        )
        if candidate is not None:
            candidates.append(candidate)
    candidates += progress_candidates(_weeks(patient), today=today)
    last = (
        User.objects.filter(pk=patient.pk)
        .annotate(last=last_active_on())
        .values_list("last", flat=True)
        .first()
    )
    quiet = inactivity_candidate(
        last, joined_on=timezone.localdate(patient.date_joined), today=today
    )
    if quiet is not None:
        candidates.append(quiet)
    return raise_alerts(patient, candidates)


def patients_to_refresh() -> list[User]:
    """The active patients who share with a clinician now, each once."""
    return list(
        User.objects.patients()
        .filter(is_active=True, care_links__revoked_at__isnull=True)
        .distinct()
        .order_by("pk")
    )


def dashboard_url() -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('clinic:dashboard')}"


def send_alert_emails(*, patient_id: int) -> int:
    """E-mail each clinician sharing with this patient who asked for alert e-mails.

    One message each (nobody sees the other recipients); the body names no patient and
    no health detail, only that there is a new alert and where to look.
    """
    emails = list(
        User.objects.clinicians()
        .filter(
            is_active=True,
            patient_links__patient_id=patient_id,
            patient_links__revoked_at__isnull=True,
            clinic_preference__email_alerts=True,
        )
        .order_by("email")
        .values_list("email", flat=True)
    )
    if not emails:
        return 0
    body = render_to_string("clinic/alert_email.txt", {"url": dashboard_url()})
    return send_mass_mail(
        [(EMAIL_SUBJECT, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in emails]
    )
