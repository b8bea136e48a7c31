from __future__ import annotations

import os

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run beside one unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.core.management import call_command
from django.test import Client

from apps.accounts.models import CareLink, User
from tests.factories import ClinicianFactory, UserFactory


@pytest.fixture(autouse=True)
def _plain_static_storage(settings) -> None:
    # Manifest storage needs collectstatic; tests serve static files from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def content(db) -> None:
    """The app's content (exercises, questions, checklist items) as `make run` loads it."""
    call_command("load_content", verbosity=0)


@pytest.fixture
def patient(db) -> User:
    return UserFactory(email="pat@example.org", display_name="Pat")


@pytest.fixture
def other_patient(db) -> User:
    return UserFactory(email="olly@example.org", display_name="Olly")


@pytest.fixture
def clinician(db, patient) -> User:
    """A clinician the patient shares with (an active CareLink), with MFA set up."""
    doctor = ClinicianFactory(email="dr.link@example.org", display_name="Dr Link")
    CareLink.objects.create(patient=patient, clinician=doctor)
    return doctor


@pytest.fixture
def revoked_clinician(db, patient) -> User:
    """A clinician the patient shared with and then stopped sharing with."""
    doctor = ClinicianFactory(email="dr.revoked@example.org", display_name="Dr Revoked")
    CareLink.objects.create(patient=patient, clinician=doctor).revoke()
    return doctor


@pytest.fixture
def stranger_clinician(db) -> User:
    return ClinicianFactory(email="dr.stranger@example.org", display_name="Dr Stranger")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture
def patient_client(patient) -> Client:
    return _client_for(patient)


@pytest.fixture
def other_patient_client(other_patient) -> Client:
    return _client_for(other_patient)


@pytest.fixture
def clinician_client(clinician) -> Client:
    return _client_for(clinician)


@pytest.fixture
def stranger_clinician_client(stranger_clinician) -> Client:
    return _client_for(stranger_clinician)


@pytest.fixture
def revoked_clinician_client(revoked_clinician) -> Client:
    return _client_for(revoked_clinician)
