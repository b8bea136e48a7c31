"""The per-request reads of who is signed in (apps/accounts/backends.py).

The session and the user are read with SQL compiled once instead of through the ORM each
time; what decides whether a request is signed in must not change with it. Each case below is
one Django makes: a live session signs the person in, an expired or unknown one does not, a
deactivated account and a changed password end every session.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.backends import SessionStore
from apps.accounts.models import User

ACCOUNT = reverse("accounts:overview")


def signed_in(client: Client) -> bool:
    response = client.get(ACCOUNT)
    return response.status_code == 200


def test_a_live_session_signs_the_person_in_with_two_reads(patient_client: Client) -> None:
    patient_client.get(ACCOUNT)  # the session's activity stamp, written at most once a minute
    with CaptureQueriesContext(connection) as queries:
        patient_client.get(reverse("exercises:library"))
    first_two = [q["sql"] for q in queries.captured_queries[:2]]
    assert "django_session" in first_two[0]
    assert "accounts_user" in first_two[1]
    assert signed_in(patient_client)


def test_an_expired_session_is_not_signed_in(patient_client: Client) -> None:
    key = patient_client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    assert not signed_in(patient_client)


def test_an_unknown_session_key_is_dropped(db) -> None:
    store = SessionStore("a" * 32)
    assert store.load() == {}
    assert store.session_key is None  # as Django's: saving makes a new key, never this one


def test_a_deactivated_account_is_signed_out(patient: User, patient_client: Client) -> None:
    User.objects.filter(pk=patient.pk).update(is_active=False)
    assert not signed_in(patient_client)


def test_a_password_change_ends_other_sessions(patient: User, patient_client: Client) -> None:
    patient.set_password("a-new-and-long-password")
    patient.save()
    assert not signed_in(patient_client)


def test_a_deleted_account_is_signed_out(patient: User, patient_client: Client) -> None:
    patient.delete()
    assert not signed_in(patient_client)
