"""The per-request read of who is signed in (apps/accounts/backends.py).

The session and its user are read in one query instead of two through the ORM; what decides
whether a request is signed in must not change with it. Each case below is one Django makes:
a live session signs the person in, an expired or unknown one does not, a deactivated
account, a changed password and a deleted account end every session.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.backends import SessionStore
from apps.accounts.models import User, WebSession
from apps.clinic.access import has_mfa

ACCOUNT = reverse("accounts:overview")


def signed_in(client: Client) -> bool:
    response = client.get(ACCOUNT)
    return response.status_code == 200


def test_a_live_session_signs_the_person_in_with_one_read(
    patient: User, patient_client: Client
) -> None:
    patient_client.get(ACCOUNT)  # the session's activity stamp, written at most once a minute
    with CaptureQueriesContext(connection) as queries:
        response = patient_client.get(reverse("exercises:library"))
    assert response.context["user"] == patient
    sql = [q["sql"] for q in queries.captured_queries]
    assert "accounts_websession" in sql[0] and "accounts_user" in sql[0]
    assert not any("accounts_user" in q for q in sql[1:])
    assert signed_in(patient_client)


def test_the_session_row_names_who_is_signed_in(patient: User) -> None:
    client = Client()
    client.force_login(patient)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert WebSession.objects.get(session_key=key).user == patient
    client.post(reverse("account_logout"))
    assert not WebSession.objects.filter(session_key=key).exists()
    assert not WebSession.objects.filter(user=patient).exists()


def test_a_guests_session_names_nobody(db) -> None:
    store = SessionStore()
    store["something"] = "kept for a guest"
    store.save()
    assert WebSession.objects.get(session_key=store.session_key).user is None
    again = SessionStore(store.session_key)
    assert again["something"] == "kept for a guest" and again.loaded_user is None


def test_the_session_read_says_whether_the_user_has_an_authenticator(
    clinician: User, patient: User
) -> None:
    for person in (clinician, patient):
        client = Client()
        client.force_login(person)
        store = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
        store.load()
        assert store.loaded_user == person
        assert store.loaded_user.has_authenticator == has_mfa(User.objects.get(pk=person.pk))


def test_an_expired_session_is_not_signed_in(patient_client: Client) -> None:
    key = patient_client.cookies[settings.SESSION_COOKIE_NAME].value
    WebSession.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
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


def test_a_deleted_account_takes_its_sessions_with_it(
    patient: User, patient_client: Client
) -> None:
    assert WebSession.objects.filter(user=patient).exists()
    patient.delete()
    assert not WebSession.objects.filter(user_id=patient.pk).exists()


def test_a_session_whose_user_column_disagrees_is_judged_by_its_data(
    patient: User, other_patient: User, patient_client: Client
) -> None:
    """The column only saves a query: the data's id still decides who is signed in."""
    key = patient_client.cookies[settings.SESSION_COOKIE_NAME].value
    WebSession.objects.filter(session_key=key).update(user=other_patient)
    response = patient_client.get(ACCOUNT)
    assert response.status_code == 200 and response.context["user"] == patient
