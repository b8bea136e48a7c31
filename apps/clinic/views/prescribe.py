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
from apps.exercises.forms import LibraryFilterForm
from apps.exercises.models import Exercise
from apps.progress.models import Plan, PlanKind
from apps.screening.gate import latest_screening

from ..access import clinician_required, patient_for
from ..forms import MAX_ITEMS, PrescriptionForm, default_row, plan_rows
from ..models import AuditAction, AuditEvent

SEARCH_PREFIX = "search"


def _search(data: Any, library: dict[str, Exercise]) -> dict[str, Any]:
    """The library search: its form (valid values only) and the exercises it finds."""
    filters, notes = LibraryFilterForm(data, prefix=SEARCH_PREFIX).valid_filters()
    found = LibraryFilterForm.apply(Exercise.objects.all(), filters)
    return {
        # Re-bound with the valid values only, so ignored filters show as "Any".
        "search_form": LibraryFilterForm(
            {f"{SEARCH_PREFIX}-{name}": value for name, value in filters.items()},
            prefix=SEARCH_PREFIX,
        ),
        # The queryset filters and orders; the rows come from the library already loaded.
        "results": [library[slug] for slug in found.values_list("slug", flat=True)],
        "searched": bool(filters),
        "search_notes": notes,
    }


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
    if slug := request.POST.get("add"):
        exercise = library.get(slug)
        if exercise is None:
            messages.error(request, "That exercise is not in the library.")
        elif slug in {row["exercise"] for row in rows}:
            messages.info(request, f"{exercise.name} is already in the programme.")
        elif len(rows) >= MAX_ITEMS:
            messages.error(request, f"A programme can hold up to {MAX_ITEMS} exercises.")
        else:
            rows.append(default_row(exercise))
    else:
        removed = request.POST.get("remove", "")
        rows = [row for index, row in enumerate(rows) if str(index) != removed]
    return PrescriptionForm(library=library, rows=rows, initial={"note": note})


@require_http_methods(["GET", "POST"])
@clinician_required
def prescribe(request: HttpRequest, uuid: UUID) -> HttpResponse:
    patient = patient_for(request, uuid)
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
    AuditEvent.record(request, AuditAction.VIEW, patient=patient, object_ref="prescribe")
    screening = latest_screening(patient)
    context = {
        "patient": patient,
        "form": form,
        "in_programme": set(form.slugs()),
        "bone_density": bool(screening and screening.bone_density_caution),
        **_search(data, library),
    }
    template = "clinic/prescribe.html#results" if searching else "clinic/prescribe.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
