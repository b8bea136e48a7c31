"""One patient's review: timeline, charts, rules, alerts (marked seen here) and private notes."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST, require_safe

from apps.accounts.models import User
from backpain.once import create_once
from backpain.page_cache import kept_page

from .. import timeline
from ..access import clinician_required, patient_for
from ..forms import NoteForm
from ..models import Alert, AuditAction, AuditEvent, Note


def _patient_version(request: HttpRequest, patient: User, note_form: NoteForm | None) -> str | None:
    # Kept only with an empty note form: one with what a clinician typed is drawn afresh.
    return None if note_form is not None else str(patient.data_version)


@kept_page(vary=_patient_version)
def _review_page(request: HttpRequest, patient: User, note_form: NoteForm | None) -> HttpResponse:
    """The whole review. Kept per clinician and patient until either's data changes; the
    audit event and the access check come before, on every request. `note_form` is a note
    sent with a mistake in it, shown again; None for an empty one (made only if drawn)."""
    context = timeline.review(
        patient,
        clinician=request.user,
        today=timezone.localdate(),
        # Anything but a YYYY-MM month shows the latest month, never an error.
        month=timeline.parse_month(request.GET.get("month")),
    )
    return render(request, "clinic/review.html", {**context, "note_form": note_form or NoteForm()})


def _timeline_version(request: HttpRequest, patient: User) -> str:
    return str(patient.data_version)


@kept_page(vary=_timeline_version, fragment=True)
def _timeline_fragment(request: HttpRequest, patient: User) -> HttpResponse:
    """The timeline of one month (htmx paging): kept like the whole review, after the same
    access check and audit event."""
    period = timeline.timeline_alone(patient, timeline.parse_month(request.GET.get("month")))
    return render(request, "clinic/review.html#timeline", {"patient": patient, "period": period})


@require_safe
@clinician_required
def review(request: HttpRequest, uuid: UUID) -> HttpResponse:
    patient = patient_for(request, uuid, audit=AuditAction.VIEW, object_ref="review")
    if (
        request.htmx
        and request.htmx.target == "timeline"
        and not request.htmx.history_restore_request
    ):
        # Paging the timeline by month: only that section is drawn again.
        response = _timeline_fragment(request, patient)
    else:
        response = _review_page(request, patient, None)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@clinician_required
def note(request: HttpRequest, uuid: UUID) -> HttpResponse:
    patient = patient_for(request, uuid)
    form = NoteForm(request.POST)
    if form.is_valid():
        saved, created = create_once(
            Note,
            form.cleaned_data["client_token"],
            {"patient": patient, "clinician": request.user},
            lambda: Note.objects.create(
                patient=patient,
                clinician=request.user,
                text=form.cleaned_data["text"],
                client_token=form.cleaned_data["client_token"],
            ),
        )
        if created:  # A resent form wrote nothing: nothing new to record.
            AuditEvent.record(
                request, AuditAction.NOTE, patient=patient, object_ref=f"note:{saved.uuid}"
            )
        if request.htmx:
            form = NoteForm()
        else:
            messages.success(request, "Note saved. Only you can see it.")
            return redirect(f"{reverse('clinic:review', args=[patient.uuid])}#notes")
    else:
        # The page shows the patient's data again, with the message beside the note.
        AuditEvent.record(request, AuditAction.VIEW, patient=patient, object_ref="review")
    if request.htmx:
        response = render(
            request,
            "clinic/review.html#notes",
            {
                "patient": patient,
                "notes": timeline.notes(patient, request.user),
                "note_form": form,
            },
        )
    else:
        response = _review_page(request, patient, form)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@clinician_required
def alert_seen(request: HttpRequest, uuid: UUID, alert_uuid: UUID) -> HttpResponse:
    patient = patient_for(request, uuid)
    alert = Alert.objects.filter(patient=patient, uuid=alert_uuid).first()
    if alert is None:
        # Another patient's alert, or none at all: refused, and recorded as such.
        AuditEvent.record(
            request, AuditAction.DENIED, patient=patient, object_ref=f"alert:{alert_uuid}"
        )
        raise Http404("No such alert for this patient.")
    # Only the first clinician to mark it seen is kept; a second click changes nothing.
    Alert.objects.filter(Q(pk=alert.pk), Q(seen_at__isnull=True)).update(
        seen_at=timezone.now(), seen_by=request.user
    )
    AuditEvent.record(
        request, AuditAction.ALERT_SEEN, patient=patient, object_ref=f"alert:{alert.uuid}"
    )
    if request.htmx:
        open_alerts, seen_alerts = timeline.alerts(patient)
        response = render(
            request,
            "clinic/review.html#alerts",
            {"patient": patient, "open_alerts": open_alerts, "seen_alerts": seen_alerts},
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    messages.success(request, f"Marked “{alert.get_kind_display()}” as seen.")
    return redirect(f"{reverse('clinic:review', args=[patient.uuid])}#alerts")
