"""Every clinic URL against the whole cast: the one door holds everywhere.

The per-part test files check each view's behaviour; this file walks the URL list itself,
so a new clinic route without the door shows up here.
"""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import is_mfa_enabled
from django.urls import reverse

from apps.accounts.models import CareLink
from apps.clinic import urls as clinic_urls
from apps.clinic.access import has_mfa
from apps.clinic.models import Alert, AlertKind
from tests.factories import TOTP_SECRET, ClinicianFactory

PATIENT_GETS = ["review", "prescribe", "report", "csv", "fhir"]
PATIENT_POSTS = {"note": {"text": "Checked in by phone."}, "alert_seen": {}}
OWN_PAGES = ["dashboard", "invite"]


def url_for(name: str, patient, alert=None) -> str:
    if name in OWN_PAGES or name == "preferences":
        return reverse(f"clinic:{name}")
    if name == "alert_seen":
        return reverse(f"clinic:{name}", args=[patient.uuid, alert.uuid])
    return reverse(f"clinic:{name}", args=[patient.uuid])


@pytest.fixture
def alert(patient):
    return Alert.objects.create(patient=patient, kind=AlertKind.INACTIVE, source="test")


def test_the_matrix_covers_every_clinic_route():
    names = {pattern.name for pattern in clinic_urls.urlpatterns}

    assert names == {*PATIENT_GETS, *PATIENT_POSTS, *OWN_PAGES, "preferences"}


@pytest.mark.parametrize("name", PATIENT_GETS)
def test_only_the_linked_clinician_gets_a_patients_pages(
    name,
    patient,
    content,
    clinician_client,
    revoked_clinician_client,
    stranger_clinician_client,
    patient_client,
    other_patient_client,
    anon_client,
):
    url = url_for(name, patient)

    assert clinician_client.get(url).status_code == 200
    assert revoked_clinician_client.get(url).status_code == 404
    assert stranger_clinician_client.get(url).status_code == 404
    assert patient_client.get(url).status_code == 404
    assert other_patient_client.get(url).status_code == 404
    response = anon_client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", list(PATIENT_POSTS))
def test_only_the_linked_clinician_can_post_about_a_patient(
    name,
    patient,
    alert,
    clinician_client,
    revoked_clinician_client,
    stranger_clinician_client,
    patient_client,
    anon_client,
):
    url = url_for(name, patient, alert)
    data = PATIENT_POSTS[name]

    for refused in (revoked_clinician_client, stranger_clinician_client, patient_client):
        assert refused.post(url, data).status_code == 404
    assert anon_client.post(url, data).status_code == 302
    assert clinician_client.post(url, data).status_code in (200, 302)


@pytest.mark.parametrize("name", [*PATIENT_GETS, *OWN_PAGES])
def test_a_clinician_without_mfa_is_sent_to_set_it_up(name, patient, client, content):
    doctor = ClinicianFactory(mfa=False)
    CareLink.objects.create(patient=patient, clinician=doctor)
    client.force_login(doctor)

    response = client.get(url_for(name, patient))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


@pytest.mark.parametrize("name", OWN_PAGES)
def test_the_clinics_own_pages_are_for_clinicians_only(
    name, clinician_client, patient_client, anon_client
):
    url = reverse(f"clinic:{name}")

    assert clinician_client.get(url).status_code == 200
    assert patient_client.get(url).status_code == 404
    assert anon_client.get(url).status_code == 302


def test_the_mfa_check_agrees_with_allauths(patient):
    with_app, without = ClinicianFactory(), ClinicianFactory(mfa=False)
    codes_only = ClinicianFactory(mfa=False)
    RecoveryCodes.activate(codes_only)

    for doctor in (with_app, without, codes_only):
        assert has_mfa(doctor) is is_mfa_enabled(doctor)
    assert has_mfa(with_app) and not has_mfa(without)


@pytest.mark.parametrize("name", ["dashboard", "review"])
def test_a_kept_page_still_needs_mfa_and_the_share(
    name, clinician, clinician_client, patient, content
):
    url = url_for(name, patient)
    for _ in range(2):  # the second one is the kept page
        assert clinician_client.get(url).status_code == 200

    Authenticator.objects.filter(user=clinician).delete()
    response = clinician_client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))

    TOTP.activate(clinician, TOTP_SECRET)
    assert clinician_client.get(url).status_code == 200
    CareLink.objects.get(patient=patient, clinician=clinician).revoke()
    assert clinician_client.get(url).status_code == (200 if name == "dashboard" else 404)
    if name == "dashboard":
        assert patient.email not in clinician_client.get(url).content.decode()
