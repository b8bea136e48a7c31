"""Histories of every kind of row a person can own, for the own-data and export tests."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from allauth.account.models import EmailAddress
from django.db import models
from django.utils import timezone

from apps.accounts.exportfiles import FILES
from apps.accounts.models import CareLink, InviteCode, User
from apps.checklist.models import Answer as ChecklistAnswer
from apps.checklist.models import Item, Run
from apps.clinic.models import (
    Alert,
    AlertKind,
    AuditAction,
    AuditEvent,
    ClinicianPreference,
    Note,
)
from apps.progress.models import (
    FunctionActivity,
    FunctionScore,
    Plan,
    PlanItem,
    PlanKind,
    Reminder,
    SessionEntry,
)
from apps.screening.models import Answer as ScreeningAnswer
from apps.screening.models import Question, Screening
from tests.factories import CheckInFactory, ExerciseFactory, SessionFactory, monday

Expected = dict[str, set[int]]


# ---- data -------------------------------------------------------------------------------


def make_history(user: User, *, clinician: User | None = None, weeks: int = 2) -> Expected:
    """Give this person some of every kind of row, through the real models of every app.

    Return {table label: ids} of what was created, as the export should list it.
    """
    made: Expected = defaultdict(set)

    def add(row: models.Model) -> models.Model:
        made[row._meta.label].add(row.pk)
        return row

    add(user)
    add(EmailAddress.objects.get(user=user, email=user.email, primary=True, verified=True))
    add(EmailAddress.objects.create(user=user, email=f"old.{user.email}", primary=False))

    questions = list(Question.objects.all()[:2])
    for _ in range(weeks):
        screening = add(
            Screening.objects.create(user=user, urgency="none", completed_at=timezone.now())
        )
        for question in questions:
            add(ScreeningAnswer.objects.create(screening=screening, question=question, value="no"))

    run = add(Run.objects.create(user=user))
    for item in Item.objects.all()[:2]:
        add(ChecklistAnswer.objects.create(run=run, item=item, value="yes", note="Mornings"))

    exercises = [ExerciseFactory(), ExerciseFactory()]
    plan = add(Plan.objects.create(patient=user, reasons=["Pain is high: gentle work first."]))
    for order, exercise in enumerate(exercises):
        add(PlanItem.objects.create(plan=plan, exercise=exercise, order=order, reason="Start here"))
    if clinician is not None:
        prescribed = add(
            Plan.objects.create(patient=user, author=clinician, kind=PlanKind.PRESCRIBED)
        )
        add(PlanItem.objects.create(plan=prescribed, exercise=exercises[0], reason="=HYPERLINK(x)"))

    activities = [
        add(FunctionActivity.objects.create(patient=user, name=name, order=order))
        for order, name in enumerate(["Putting on socks", "Gardening"])
    ]
    for week in range(weeks):
        check_in = add(
            CheckInFactory(patient=user, week_start=monday(week), note="=1+1 felt better")
        )
        for activity in activities:
            add(FunctionScore.objects.create(check_in=check_in, activity=activity, score=week % 11))
        session = add(
            SessionFactory(patient=user, performed_on=monday(week), note="Did it, ünïcode too")
        )
        for exercise in exercises:
            add(SessionEntry.objects.create(session=session, exercise=exercise, sets=2, reps=8))
    add(Reminder.objects.create(patient=user, enabled=True, weekday=2))
    return dict(made)


NOTE_TEXT = "Private: query facet joint irritation, discuss at review"


def make_clinic_history(clinician: User, patient: User, mine: Expected) -> Expected:
    """Give a clinician an invite, a note about this patient and a look at their data.

    The patient's alert and care link are added to `mine`, the patient's expected rows.
    Return the clinician's expected rows: their profile, address, invite and note, nothing else.
    """
    invite = InviteCode.objects.create(clinician=clinician, used_by=patient, used_at=timezone.now())
    note = Note.objects.create(clinician=clinician, patient=patient, text=NOTE_TEXT)
    preference = ClinicianPreference.objects.create(clinician=clinician, email_alerts=True)
    alert = Alert.objects.create(patient=patient, kind=AlertKind.SEVERE_PAIN, source="week-1")
    mine.setdefault("clinic.Alert", set()).add(alert.pk)
    for link in CareLink.objects.filter(patient=patient, clinician=clinician):
        mine.setdefault("accounts.CareLink", set()).add(link.pk)
    AuditEvent.objects.create(
        actor=clinician,
        actor_label=clinician.email,
        patient=patient,
        patient_uuid=patient.uuid,
        action=AuditAction.VIEW,
        object_ref="review",
    )
    return {
        "accounts.User": {clinician.pk},
        "accounts.InviteCode": {invite.pk},
        "clinic.Note": {note.pk},
        "clinic.ClinicianPreference": {preference.pk},
        # Their confirmed address, as every account has.
        "account.EmailAddress": set(clinician.emailaddress_set.values_list("pk", flat=True)),
    }


def counts(data: dict[str, Any]) -> dict[str, int]:
    """Return {table label: rows in data.json}, through the file definitions, without zeros."""
    found: dict[str, int] = defaultdict(int)
    for definition in FILES:
        records = data[definition.key]
        found[definition.model] += len(records)
        if definition.part is not None:
            found[definition.part.model] += sum(len(r[definition.part.key]) for r in records)
    return {label: number for label, number in found.items() if number}


def sizes(expected: Expected) -> dict[str, int]:
    return {label: len(rows) for label, rows in expected.items() if rows}
