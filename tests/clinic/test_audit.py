"""The audit trail is append-only for the app, and outlives the accounts it names."""

from __future__ import annotations

import pytest
from django.db.models import signals
from django.test import RequestFactory

from apps.clinic.models import AuditAction, AuditEvent


@pytest.fixture
def event(clinician, patient) -> AuditEvent:
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    request.user = clinician
    return AuditEvent.record(request, AuditAction.VIEW, patient=patient, object_ref="review")


def test_recording_keeps_who_what_whom_when_and_where(event, clinician, patient):
    stored = AuditEvent.objects.get()

    assert (stored.actor, stored.actor_label) == (clinician, clinician.email)
    assert (stored.patient, stored.patient_uuid) == (patient, patient.uuid)
    assert (stored.action, stored.object_ref, stored.ip) == ("view", "review", "192.0.2.7")
    assert stored.at is not None


def test_an_event_cannot_be_changed(event):
    event.object_ref = "something else"

    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(object_ref="something else")
    assert AuditEvent.objects.get().object_ref == "review"


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_erasing_either_account_keeps_the_event(event, clinician, patient):
    patient_uuid = patient.uuid
    patient.delete()
    clinician.delete()

    stored = AuditEvent.objects.get()
    assert stored.patient is None and stored.actor is None
    assert stored.patient_uuid == patient_uuid
    assert stored.actor_label == "dr.link@example.org"


def test_an_event_is_written_at_once_and_comes_back_saved(event):
    stored = AuditEvent.objects.get()

    assert event.pk == stored.pk and not event._state.adding
    assert (event.actor_id, event.patient_id, event.at) == (
        stored.actor_id,
        stored.patient_id,
        stored.at,
    )


def test_nothing_listens_for_audit_events_being_saved():
    # AuditEvent._insert writes without save(), so without its signals.
    for signal in (signals.pre_save, signals.post_save):
        assert not signal.has_listeners(AuditEvent)
