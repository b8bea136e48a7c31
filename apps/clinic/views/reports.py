"""Reports on one patient: a printable summary, a CSV file and a FHIR R4 bundle.

Each writes one EXPORT audit event: the printable page is a report that leaves the screen,
so it counts as an export rather than a view.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

from django.db.models import Avg, Count, Max, Q
from django.db.models.functions import TruncWeek
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from apps.accounts.models import User
from apps.checklist.priorities import TOTAL_POINTS
from apps.progress.charts import PAIN_SCALE, Series, line_chart
from apps.progress.models import CheckIn, Plan, Session, week_start
from apps.progress.progress import checklist_scores
from apps.screening.gate import latest_screening

from .. import csv_export, fhir
from ..access import clinician_required, patient_for
from ..models import AuditAction

REPORT_WEEKS = 12


def _screening(patient: User) -> dict[str, Any]:
    screening = latest_screening(patient)
    if screening is None:
        return {"screening": None}
    # A serious sign answered "not sure" is both a trigger and unsure: list it once.
    keys = list(dict.fromkeys([*screening.trigger_keys, *screening.unsure_keys]))
    answers = screening.answers_for(keys)
    triggers = set(screening.trigger_keys)
    return {
        "screening": screening,
        "triggers": [answer for answer in answers if answer.question.key in triggers],
        "unsure": [answer for answer in answers if answer.question.key not in triggers],
    }


def _sessions(patient: User, today: dt.date) -> dict[str, Any]:
    sessions = Session.objects.for_patient(patient)
    first_week = week_start(today) - dt.timedelta(weeks=REPORT_WEEKS - 1)
    totals = sessions.aggregate(
        total=Count("pk"),
        last=Max("performed_on"),
        pain=Avg("pain_during"),
        recent=Count("pk", filter=Q(performed_on__gte=today - dt.timedelta(days=27))),
    )
    by_week = {
        row["week"]: row
        for row in sessions.since(first_week)
        .annotate(week=TruncWeek("performed_on"))
        .values("week")
        .annotate(count=Count("pk"), pain=Avg("pain_during"))
        .order_by("week")
    }
    weeks = [first_week + dt.timedelta(weeks=n) for n in range(REPORT_WEEKS)]
    return {
        "sessions": totals,
        "session_weeks": [(week, by_week.get(week)) for week in weeks],
    }


def _plan(patient: User) -> dict[str, Any]:
    plan = Plan.objects.for_patient(patient).select_related("author").current()
    items = list(plan.items.select_related("exercise")) if plan is not None else []
    return {"plan": plan, "plan_items": items}


def _check_ins(patient: User) -> dict[str, Any]:
    check_ins = list(CheckIn.objects.for_patient(patient).order_by("week_start"))
    chart = line_chart(
        [check_in.week_start.strftime("%d %b") for check_in in check_ins],
        [
            Series("Average pain", "average", [c.pain_average for c in check_ins]),
            Series("Worst pain", "worst", [c.pain_worst for c in check_ins]),
        ],
        better="lower",
        y_label=PAIN_SCALE,
    )
    summary = ""
    if check_ins:
        first, last = check_ins[0], check_ins[-1]
        count = len(check_ins)
        summary = (
            f"Average pain went from {first.pain_average} to {last.pain_average} out of 10 "
            f"over {count} check-in{'s' if count != 1 else ''}; the latest worst pain is "
            f"{last.pain_worst}."
        )
    return {"check_ins": check_ins, "pain_chart": chart, "pain_summary": summary}


@require_safe
@clinician_required
def report(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Show a summary of one patient's data, laid out to print on A4."""
    patient = patient_for(request, uuid, audit=AuditAction.EXPORT, object_ref="report")
    today = timezone.localdate()
    context = {
        "patient": patient,
        "today": today,
        "generated_at": timezone.now(),
        **_screening(patient),
        **_check_ins(patient),
        **_sessions(patient, today),
        **_plan(patient),
        "checklist_runs": checklist_scores(patient),
        "total_points": TOTAL_POINTS,
    }
    return render(request, "clinic/report.html", context)


def _filename(patient: User, kind: str) -> str:
    return f"backpain-{patient.uuid}-{kind}-{timezone.localdate().isoformat()}"


@require_safe
@clinician_required
def csv_file(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Send the patient's check-ins and sessions as CSV (columns in clinic/csv_export.py)."""
    patient = patient_for(request, uuid, audit=AuditAction.EXPORT, object_ref="csv")
    response = HttpResponse(csv_export.patient_csv(patient), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_filename(patient, "check-ins-sessions") + ".csv"
    )
    return response


@require_safe
@clinician_required
def fhir_bundle(request: HttpRequest, uuid: UUID) -> HttpResponse:
    """Send the patient's check-ins as a FHIR R4 Bundle (see clinic/fhir.py)."""
    patient = patient_for(request, uuid, audit=AuditAction.EXPORT, object_ref="fhir")
    bundle = fhir.patient_bundle(patient, now=timezone.now())
    response = HttpResponse(
        json.dumps(bundle, indent=2, ensure_ascii=False),
        content_type="application/fhir+json; charset=utf-8",
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_filename(patient, "fhir") + ".json"
    )
    return response
