from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from typing import Any

import pytest
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models.deletion import Collector
from django.test import Client

from apps.accounts.exportfiles import FILES
from apps.accounts.models import CareLink, InviteCode, User
from apps.accounts.owndata import ERASED_NOT_EXPORTED, OWNER, collect, undeclared
from apps.clinic.models import (
    Alert,
    AuditEvent,
    Note,
)
from apps.progress.models import (
    CheckIn,
    Plan,
    PlanKind,
)
from tests.accounts.histories import NOTE_TEXT, Expected, counts, sizes
from tests.factories import PASSWORD

EXPORT = "/account/export/"
DELETE = "/account/delete/"
JSON_NAME = "data.json"

# ---- helpers ----------------------------------------------------------------------------


def download(client: Client) -> dict[str, Any]:
    """Download the export; return its data.json."""
    response = client.post(EXPORT)
    assert response.status_code == 200
    return json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read(JSON_NAME))


def user_references() -> list[tuple[type[models.Model], models.Field]]:
    """Every ForeignKey and OneToOne to the user model in the registry, Django's own included."""
    return [
        (model, field)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    ]


# ---- access -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", [EXPORT, DELETE])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_people_are_sent_to_log_in(anon_client, url, method):
    response = getattr(anon_client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [EXPORT, DELETE])
def test_other_methods_are_refused(patient_client, url):
    assert patient_client.put(url).status_code == 405


def test_the_account_page_links_to_export_and_deletion(patient_client):
    body = patient_client.get("/account/").content.decode()

    assert f'href="{EXPORT}"' in body
    assert f'href="{DELETE}"' in body


@pytest.mark.parametrize("who", ["patient_client", "clinician_client"])
def test_the_export_page_explains_and_offers_a_download_button(request, who):
    response = request.getfixturevalue(who).get(EXPORT)

    body = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert '<form method="post" action="/account/export/">' in body
    assert "weekly-check-ins.csv" in body
    assert JSON_NAME in body


# ---- export: whose rows ----------------------------------------------------------------


def test_the_download_is_a_private_zip_attachment(patient_client):
    response = patient_client.post(EXPORT)

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="backpain-data-')
    assert "no-store" in response["Cache-Control"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names[:2] == ["README.txt", JSON_NAME]
    assert "profile.csv" in names


@pytest.mark.parametrize(
    ("who", "owner"),
    [
        ("patient_client", "patient"),
        ("other_patient_client", "other_patient"),
        ("clinician_client", "clinician"),
        ("stranger_clinician_client", "stranger_clinician"),
    ],
)
def test_each_person_gets_all_of_their_rows_and_nobody_elses(
    request, histories, clinic_histories, who, owner
):
    mine, others = histories
    # Plans a clinician prescribed are their patients' rows, not theirs.
    expected = {
        "patient": mine,
        "other_patient": others,
        "clinician": clinic_histories[0],
        "stranger_clinician": clinic_histories[1],
    }[owner]

    data = download(request.getfixturevalue(who))

    assert counts(data) == sizes(expected)
    assert [row["email"] for row in data["profile"]] == [request.getfixturevalue(owner).email]
    # Every file is there, empty or not, so the person sees what kinds of data exist.
    assert list(data) == ["exported_at", "time_zone", *(f.key for f in FILES)]


def test_the_history_here_fills_every_table_the_export_has(patient, histories, clinic_histories):
    mine, _ = histories
    clinicians, _ = clinic_histories

    # When a new table joins the export, make_history or make_clinic_history must fill it.
    assert set(collect(patient)) == set(mine) | set(clinicians)


def test_every_table_says_whose_it_is():
    # A new model must be added to OWNER (exported to that person) or NOT_OWNED (nobody's).
    assert undeclared() == []


def test_the_profile_leaves_out_the_password_hash(patient_client, patient):
    data = download(patient_client)

    [profile] = data["profile"]
    assert profile["email"] == patient.email
    assert profile["name_to_show"] == "Pat"
    assert "password" not in profile
    assert patient.password not in json.dumps(data)


def erased_by(person: User) -> Expected:
    """Return the rows in scope that deleting this person would erase, by Django's own
    deletion collector: a second and independent walk of the model graph."""
    collector = Collector(using=DEFAULT_DB_ALIAS)
    collector.collect([person])
    doomed: Expected = defaultdict(set)
    for model, instances in collector.data.items():
        doomed[model._meta.label] |= {instance.pk for instance in instances}
    for queryset in collector.fast_deletes:
        doomed[queryset.model._meta.label] |= set(queryset.values_list("pk", flat=True))
    return {label: rows for label, rows in doomed.items() if label in OWNER and rows}


@pytest.mark.parametrize(
    ("who", "owner"), [("patient_client", "patient"), ("clinician_client", "clinician")]
)
def test_erasure_takes_the_export_and_only_the_declared_rows_beside_it(
    request, clinic_histories, who, owner
):
    person = request.getfixturevalue(owner)
    data = download(request.getfixturevalue(who))
    beside: Expected = {}
    for label, lookup in ERASED_NOT_EXPORTED.items():
        rows = apps.get_model(label)._base_manager.filter(**{lookup: person.pk})
        if found := set(rows.values_list("pk", flat=True)):
            beside[label] = found
    # The patient's notes written by a clinician; the clinician's links from a patient.
    assert beside

    # data.json holds no ids: its records are counted, table by table, through the files.
    expected = counts(data)
    for label, rows in beside.items():
        expected[label] = expected.get(label, 0) + len(rows)
    assert sizes(erased_by(person)) == expected


# ---- deletion ---------------------------------------------------------------------------


def delete(client: Client, password: str = PASSWORD, confirm: bool = True):
    data = {"password": password}
    if confirm:
        data["confirm"] = "on"
    return client.post(DELETE, data, follow=True)


def test_the_delete_page_warns_and_asks_for_password_and_confirmation(patient_client):
    response = patient_client.get(DELETE)

    body = response.content.decode()
    assert response.status_code == 200
    assert "cannot be undone" in body
    assert '<label for="id_password">Your password</label>' in body
    assert '<label for="id_confirm">I understand this cannot be undone</label>' in body
    assert f'href="{EXPORT}"' in body


def test_deleting_leaves_no_row_that_refers_to_the_person(
    patient, patient_client, other_patient_client, histories, clinic_histories
):
    mine, others = histories
    before = download(other_patient_client)
    gone = patient.pk

    response = delete(patient_client)

    assert response.redirect_chain == []
    assert "Your account and everything in it have been deleted." in response.content.decode()
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not response.wsgi_request.user.is_authenticated
    for model, field in user_references():
        assert not model._base_manager.filter(**{field.attname: gone}).exists(), (model, field.name)
    for label, created in mine.items():
        model = apps.get_model(label)
        assert not model._base_manager.filter(pk__in=created).exists(), label
    after = download(other_patient_client)
    assert counts(after) == sizes(others)
    assert {**after, "exported_at": None} == {**before, "exported_at": None}


def test_other_devices_are_signed_out_too(patient, patient_client):
    phone = Client()
    phone.force_login(patient)
    assert phone.get("/account/").status_code == 200

    delete(patient_client)

    response = phone.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_wrong_password_deletes_nothing(patient, patient_client, histories):
    response = delete(patient_client, password="not-my-password")

    body = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain == []
    assert 'id="id_password_error"' in body
    assert "That is not your password." in body
    assert User.objects.filter(pk=patient.pk).exists()
    assert CheckIn.objects.filter(patient=patient).count() == 2


def test_without_the_tick_nothing_is_deleted(patient, patient_client):
    response = delete(patient_client, confirm=False)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_confirm_error"' in body
    assert "Tick this box" in body
    assert User.objects.filter(pk=patient.pk).exists()


def test_guessing_the_password_is_rate_limited(patient, patient_client):
    for _ in range(10):
        delete(patient_client, password="guess")

    response = delete(patient_client)

    assert response.status_code == 200
    assert "Too many attempts" in response.content.decode()
    assert User.objects.filter(pk=patient.pk).exists()


def test_a_clinician_can_leave_and_prescribed_plans_stay_with_the_patient(
    patient, clinician, clinician_client, histories
):
    mine, _ = histories
    prescribed = Plan.objects.get(patient=patient, kind=PlanKind.PRESCRIBED)

    delete(clinician_client)

    assert not User.objects.filter(pk=clinician.pk).exists()
    prescribed.refresh_from_db()
    assert prescribed.author is None
    plans = Plan.objects.filter(patient=patient).values_list("pk", flat=True)
    assert set(plans) == mine["progress.Plan"]


def test_every_reference_to_a_user_lets_the_account_go():
    # PROTECT or DO_NOTHING on a reference to a user would make erasure fail or leave
    # a dangling id; a new model must choose CASCADE (the row is theirs) or SET_NULL.
    allowed = {models.CASCADE, models.SET_NULL}
    wrong = [
        f"{model._meta.label}.{field.name}"
        for model, field in user_references()
        if field.remote_field.on_delete not in allowed
    ]
    assert not wrong


# ---- clinicians and patients: both directions -------------------------------------------


def raw_download(client: Client) -> str:
    """Return every file of the export as one text, to search for what must not be there."""
    archive = zipfile.ZipFile(io.BytesIO(client.post(EXPORT).content))
    return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


def test_a_patient_export_holds_no_clinician_note_and_no_audit_event(
    patient, patient_client, clinician, clinic_histories
):
    data = download(patient_client)
    raw = raw_download(patient_client)

    assert data["clinic_notes"] == []
    assert NOTE_TEXT not in raw
    assert "audit" not in json.dumps(list(data)).lower()
    # The clinician's look at the review is in the audit trail, not here.
    assert '"review"' not in json.dumps(data)
    # Their share and the alert about them are theirs; who marked what seen is not.
    assert [(row["clinician"], row["clinicians_email"]) for row in data["sharing"]] == [
        ("Dr Link", clinician.email)
    ]
    assert [row["alert"] for row in data["clinic_alerts"]] == ["Worst pain 8 or more"]
    assert not any("seen_by" == key for key in data["clinic_alerts"][0])


def test_a_clinician_export_holds_their_notes_and_invites_and_no_patient_data(
    patient, clinician, clinician_client, stranger_clinician, clinic_histories
):
    data = download(clinician_client)
    raw = raw_download(clinician_client)

    # Their own record of whom they wrote about names the patient, nothing more.
    assert [(row["about"], row["note"]) for row in data["clinic_notes"]] == [("Pat", NOTE_TEXT)]
    [invite] = data["invite_codes"]
    assert invite["used"] is not None
    # The code is a key to link a patient; which patient used it is the patient's to tell.
    assert InviteCode.objects.get(clinician=clinician).code not in raw
    clinicians_files = {
        "profile",
        "email_addresses",
        "invite_codes",
        "clinic_notes",
        "clinic_settings",
    }
    assert {key for key, rows in data.items() if isinstance(rows, list) and rows} == (
        clinicians_files
    )
    assert patient.email not in raw
    assert "=1+1 felt better" not in raw
    assert not Note.objects.filter(clinician=stranger_clinician, text__in=raw.splitlines()).exists()
    assert len(data["clinic_notes"]) == Note.objects.filter(clinician=clinician).count()


def test_erasing_a_patient_keeps_the_audit_trail_and_removes_notes_and_alerts_about_them(
    patient, patient_client, clinician, stranger_clinician, other_patient, clinic_histories
):
    events = set(AuditEvent.objects.filter(patient=patient).values_list("pk", flat=True))
    gone_uuid = patient.uuid
    assert events

    delete(patient_client)

    kept = AuditEvent.objects.filter(pk__in=events)
    assert kept.count() == len(events)
    assert all(event.patient_id is None for event in kept)
    assert {event.patient_uuid for event in kept} == {gone_uuid}
    assert {event.actor_id for event in kept} == {clinician.pk}
    assert not Note.objects.filter(text=NOTE_TEXT, clinician=clinician).exists()
    assert not Alert.objects.filter(patient_id=patient.pk).exists()
    assert not CareLink.objects.filter(patient_id=patient.pk).exists()
    # The clinician's own records and everyone else's stay.
    assert InviteCode.objects.filter(clinician=clinician).exists()
    assert Note.objects.filter(clinician=stranger_clinician, patient=other_patient).exists()
    assert Alert.objects.filter(patient=other_patient).exists()


def test_erasing_a_clinician_keeps_the_audit_trail_and_their_notes_and_invites_go(
    patient, clinician, clinician_client, stranger_clinician, clinic_histories
):
    events = set(AuditEvent.objects.filter(actor=clinician).values_list("pk", flat=True))
    label = clinician.email
    assert events
    check_ins = CheckIn.objects.filter(patient=patient).count()

    delete(clinician_client)

    kept = AuditEvent.objects.filter(pk__in=events)
    assert kept.count() == len(events)
    assert all(event.actor_id is None for event in kept)
    assert {event.actor_label for event in kept} == {label}
    assert {event.patient_id for event in kept} == {patient.pk}
    assert not Note.objects.filter(clinician_id=clinician.pk).exists()
    assert not InviteCode.objects.filter(clinician_id=clinician.pk).exists()
    assert not CareLink.objects.filter(clinician_id=clinician.pk).exists()
    # The patient's own data, and the alert about them, stay with them.
    assert CheckIn.objects.filter(patient=patient).count() == check_ins
    assert Alert.objects.filter(patient=patient).exists()
    assert Note.objects.filter(clinician=stranger_clinician).exists()
