"""The audit trail is append-only for the app, and outlives the accounts it names."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.models import signals
from django.http import Http404
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.clinic.access import patient_for
from apps.clinic.models import AuditAction, AuditEvent
from backpain import content_cache


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


# ---- the look and its event in one statement ----------------------------------------------

# Every column of an event but its id and moment, which differ between any two events.
SAME = ["actor", "actor_label", "patient", "patient_uuid", "action", "object_ref", "ip"]


def a_request(user):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    request.user = user
    return request


def written_by(write) -> dict:
    """The one event `write()` adds, without its id; its moment checked to be the call's."""
    before = timezone.now()
    write()
    event = AuditEvent.objects.latest("pk")
    assert before <= event.at <= timezone.now()
    return dict(zip(SAME, AuditEvent.objects.values_list(*SAME).get(pk=event.pk), strict=True))


def test_an_allowed_look_in_one_statement_writes_the_event_record_writes(clinician, patient):
    request = a_request(clinician)

    found = []
    one = written_by(
        lambda: found.append(
            AuditEvent.record_visible(request, AuditAction.VIEW, patient.uuid, object_ref="review")
        )
    )
    two = written_by(
        lambda: AuditEvent.record(request, AuditAction.VIEW, patient=patient, object_ref="review")
    )

    assert one == two
    assert one["patient"] == patient.pk and one["ip"] == "192.0.2.7"
    # The patient comes back as `visible_patient` gives them, every field as the ORM reads it.
    [got] = found
    orm = User.objects.visible_patient(clinician, patient.uuid)
    for field in User._meta.concrete_fields:
        assert getattr(got, field.attname) == getattr(orm, field.attname), field.name
    assert not got._state.adding


def test_a_look_in_one_statement_finds_nobody_and_writes_nothing_when_not_allowed(
    clinician, revoked_clinician, stranger_clinician, patient, other_patient
):
    refused = [
        (revoked_clinician, patient.uuid),
        (stranger_clinician, patient.uuid),
        (clinician, other_patient.uuid),  # not sharing with this clinician
        (clinician, clinician.uuid),  # not a patient
        (clinician, uuid.uuid4()),  # nobody
        (patient, patient.uuid),  # not a clinician
    ]
    for who, wanted in refused:
        request = a_request(who)
        assert AuditEvent.record_visible(request, AuditAction.VIEW, wanted) is None, who
    patient.is_active = False
    patient.save()
    assert AuditEvent.record_visible(a_request(clinician), AuditAction.VIEW, patient.uuid) is None

    assert not AuditEvent.objects.exists()


def test_a_refused_audited_look_is_recorded_as_denied_and_is_a_404(stranger_clinician, patient):
    nobody = uuid.uuid4()
    for wanted in (patient.uuid, nobody):
        with pytest.raises(Http404):
            patient_for(
                a_request(stranger_clinician), wanted, audit=AuditAction.VIEW, object_ref="review"
            )

    assert list(
        AuditEvent.objects.order_by("pk").values_list("actor", "action", "patient", "patient_uuid")
    ) == [
        (stranger_clinician.pk, AuditAction.DENIED, patient.pk, patient.uuid),
        (stranger_clinician.pk, AuditAction.DENIED, None, nobody),
    ]


def test_the_dashboards_event_and_versions_in_one_statement(clinician, stranger_clinician, patient):
    for who in (clinician, stranger_clinician):
        request = a_request(who)
        versions = []
        one = written_by(
            lambda request=request, versions=versions: versions.append(
                AuditEvent.record_with_versions(request, AuditAction.VIEW, object_ref="dashboard")
            )
        )
        two = written_by(
            lambda request=request: AuditEvent.record(
                request, AuditAction.VIEW, object_ref="dashboard"
            )
        )

        assert one == two and one["patient"] is None
        assert versions == [User.objects.visible_versions(who)]
    assert User.objects.visible_versions(clinician)[0] == 1


# Each view that looks a patient up to record the same event whatever it then does.
AUDITED_LOOKS = {
    "review": ({}, ("view", "review")),
    "timeline": ({"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "timeline"}, ("view", "review")),
    "report": ({}, ("export", "report")),
    "csv": ({}, ("export", "csv")),
    "fhir": ({}, ("export", "fhir")),
    "prescribe": ({}, ("view", "prescribe")),  # a GET: the page, only ever a look
}


def audited_url(name: str, patient) -> str:
    return reverse(f"clinic:{'review' if name == 'timeline' else name}", args=[patient.uuid])


@pytest.mark.parametrize("name", AUDITED_LOOKS)
def test_an_allowed_look_and_its_event_are_one_statement(
    name, content, clinician, clinician_client, patient
):
    headers, (action, object_ref) = AUDITED_LOOKS[name]

    with CaptureQueriesContext(connection) as queries:
        assert clinician_client.get(audited_url(name, patient), **headers).status_code == 200

    audited = [q["sql"] for q in queries.captured_queries if "clinic_auditevent" in q["sql"]]
    assert len(audited) == 1 and '"accounts_carelink"' in audited[0]
    assert list(
        AuditEvent.objects.values_list("actor", "action", "object_ref", "patient", "patient_uuid")
    ) == [(clinician.pk, action, object_ref, patient.pk, patient.uuid)]


@pytest.mark.parametrize("name", AUDITED_LOOKS)
def test_a_refused_look_is_still_denied_and_a_404(name, content, stranger_clinician, patient):
    headers, _ = AUDITED_LOOKS[name]
    client = Client()
    client.force_login(stranger_clinician)

    assert client.get(audited_url(name, patient), **headers).status_code == 404

    assert list(AuditEvent.objects.values_list("actor", "action", "patient", "patient_uuid")) == [
        (stranger_clinician.pk, AuditAction.DENIED, patient.pk, patient.uuid)
    ]


# A kept page costs the session (read with its user and their MFA flag) and one statement:
# the access check or the key (the patient's sharing, the patients' versions) with the
# audit event.
KEPT_HIT_QUERIES = 2


@pytest.mark.parametrize("name", ["review", "timeline", "dashboard"])
def test_a_kept_clinic_page_costs_one_statement_beyond_the_door(
    name, content, clinician, clinician_client, patient, django_assert_max_num_queries
):
    headers = {} if name == "dashboard" else AUDITED_LOOKS[name][0]
    url = reverse("clinic:dashboard") if name == "dashboard" else audited_url(name, patient)
    assert clinician_client.get(url, **headers).status_code == 200  # kept now
    content_cache.version()  # read once a second (a slow machine): not the page's cost

    with django_assert_max_num_queries(KEPT_HIT_QUERIES):
        assert clinician_client.get(url, **headers).status_code == 200
    assert AuditEvent.objects.count() == 2
