"""Prescribe a programme: pick exercises from the library, set the dosage of each, add a note.

The programme being written lives in the page's one form until it is saved: searching,
adding or removing an exercise posts the whole form back and the page comes back with the
change, so nothing typed is lost and the page works without JavaScript. Only the Save
button saves. htmx only makes the library search answer as the clinician types (a GET with
the search fields and the rows, answered with the results alone).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods

from apps.accounts.models import User
from apps.exercises.models import Exercise
from apps.exercises.picker import change_rows, library_search
from apps.progress.models import Plan, PlanKind
from apps.screening.gate import latest_screening

from ..access import clinician_required, patient_for
from ..forms import MAX_ITEMS, PrescriptionForm, default_row, plan_rows
from ..models import AuditAction, AuditEvent


def _current_rows(patient: User) -> tuple[list[dict[str, Any]], str]:
    """The programme the page starts from: the one the patient follows now, so a change
    starts from it, or nothing."""
    current = (
        Plan.objects.for_patient(patient)
        .filter(kind=PlanKind.PRESCRIBED, active=True)
        .prefetch_related("items__exercise")
        .first()
    )
    if current is None:
        return [], ""
    return plan_rows(current), current.note


def _changed_draft(
    request: HttpRequest, form: PrescriptionForm, library: dict[str, Exercise]
) -> PrescriptionForm:
    """Apply the Add or Remove button that was pressed, and return a fresh form to show."""
    rows, note = form.draft()
    rows, change = change_rows(
        rows,
        add=request.POST.get("add"),
        remove=request.POST.get("remove", ""),
        library=library,
        new_row=default_row,
        limit=MAX_ITEMS,
        container="the programme",
        too_many=f"A programme can hold up to {MAX_ITEMS} exercises.",
    )
    # Problems only: the programme on the page shows what was added or removed.
    if change is not None and change.level != "success":
        getattr(messages, change.level)(request, change.text)
    return PrescriptionForm(library=library, rows=rows, initial={"note": note})


@require_http_methods(["GET", "POST"])
@clinician_required
def prescribe(request: HttpRequest, uuid: UUID) -> HttpResponse:
    # A GET only ever shows the page (the patient's name and answers: a look), so its event
    # is written with the look-up, in one statement; a POST's depends on what it does.
    looking = request.method == "GET"
    patient = patient_for(
        request, uuid, audit=AuditAction.VIEW if looking else None, object_ref="prescribe"
    )
    library = {exercise.slug: exercise for exercise in Exercise.objects.all()}
    searching = bool(request.htmx) and not request.htmx.history_restore_request
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" or searching:
        form = PrescriptionForm(data, library=library)
        saving = "save" in request.POST
        if saving and form.is_valid():
            plan, created = form.save_for(patient=patient, author=request.user)
            if created:  # A resent form changed nothing: nothing new to record.
                AuditEvent.record(
                    request, AuditAction.PRESCRIBE, patient=patient, object_ref=f"plan:{plan.uuid}"
                )
            messages.success(
                request, f"Programme saved. {patient} now sees it as their plan, with your note."
            )
            return redirect("clinic:review", uuid=patient.uuid)
        if not saving:
            # Search, Add, Remove, or Enter in a field: show the programme again as typed.
            form = _changed_draft(request, form, library)
    else:
        rows, note = _current_rows(patient)
        form = PrescriptionForm(library=library, rows=rows, initial={"note": note})
    # The page shows the patient's name and answers (bone density): a look, recorded once.
    if not looking:
        AuditEvent.record(request, AuditAction.VIEW, patient=patient, object_ref="prescribe")
    screening = latest_screening(patient)
    context = {
        "patient": patient,
        "form": form,
        "in_programme": set(form.slugs()),
        "bone_density": bool(screening and screening.bone_density_caution),
        **library_search(data, library),
    }
    template = "clinic/prescribe.html#results" if searching else "clinic/prescribe.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
