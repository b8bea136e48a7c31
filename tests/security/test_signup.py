"""Sign-up tells no one whether an e-mail address has an account (issue 12, finding 7).

A taken address and a new one get the same answer ("check your e-mail") at the same cost; the
owner of the taken address is e-mailed, and a new account logs in only once it has confirmed.
"""

from __future__ import annotations

import re

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from tests.factories import PASSWORD, UserFactory

NEW_PASSWORD = "a-new-patients-password-42"


def sign_up(client: Client, email: str):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def visible_text(response) -> str:
    """The page's words, without the parts that differ on every request (token, nonce)."""
    body = response.content.decode()
    body = re.sub(r'(value|nonce|hx-headers)=(["\']).*?\2', "", body)
    return body


def test_a_taken_address_gets_the_same_answer_as_a_new_one(patient, mailoutbox):
    answers = {}
    for email in (patient.email, "newcomer@example.org"):
        client = Client()
        response = sign_up(client, email)
        assert response.status_code == 302
        assert response["Location"] == reverse("account_email_verification_sent")
        # The page after it, with its message ("Confirmation email sent to …").
        page = client.get(response["Location"])
        answers[email] = visible_text(page).replace(email, "ADDRESS")

    taken, new = answers.values()
    assert taken == new
    assert "Confirmation email sent to ADDRESS" in taken
    for text in ("already registered", "already exists", "is taken", "already in use"):
        assert text not in taken.lower()


def test_the_owner_of_a_taken_address_is_told_and_keeps_their_account(patient, mailoutbox):
    client = Client()
    sign_up(client, patient.email.upper())

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [patient.email]
    assert "already exists" in mailoutbox[0].body
    assert reverse("account_reset_password") in mailoutbox[0].body
    assert User.objects.filter(email__iexact=patient.email).count() == 1
    patient.refresh_from_db()
    assert patient.check_password(PASSWORD)
    assert "_auth_user_id" not in client.session


def test_a_taken_address_costs_the_same_hashing_as_a_new_one(patient, monkeypatch):
    hashes: list[str] = []
    encode = Argon2PasswordHasher.encode

    def spy_encode(self, password, salt):
        hashes.append(password)
        return encode(self, password, salt)

    monkeypatch.setattr(Argon2PasswordHasher, "encode", spy_encode)

    sign_up(Client(), "newcomer@example.org")
    new = len(hashes)
    hashes.clear()
    sign_up(Client(), patient.email)

    assert new == len(hashes) == 1


def test_a_new_account_logs_in_once_its_address_is_confirmed(db, client, mailoutbox):
    sign_up(client, "newcomer@example.org")
    assert "_auth_user_id" not in client.session

    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    page = client.get(link)
    assert page.status_code == 200
    confirmed = client.post(link)

    user = User.objects.get(email="newcomer@example.org")
    assert confirmed.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.emailaddress_set.get().verified


def test_an_unconfirmed_account_cannot_log_in_with_its_password(db, client, mailoutbox):
    sign_up(Client(), "newcomer@example.org")

    response = client.post(
        reverse("account_login"), {"login": "newcomer@example.org", "password": NEW_PASSWORD}
    )

    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_the_demo_accounts_log_in_without_a_confirmation_step(db):
    call_command("seed_demo", verbosity=0)
    client = Client()

    response = client.post(
        reverse("account_login"), {"login": "patient@example.com", "password": "backpain-demo"}
    )

    assert response.status_code == 302
    assert response["Location"] != reverse("account_email_verification_sent")
    assert client.session["_auth_user_id"]


def test_an_account_made_without_an_address_record_confirms_at_its_next_login(db, mailoutbox):
    # As create_clinician and createsuperuser make them.
    clinician = UserFactory(verified_email=False)
    client = Client()

    first = client.post(reverse("account_login"), {"login": clinician.email, "password": PASSWORD})
    assert first["Location"] == reverse("account_email_verification_sent")
    client.post(re.search(r"/accounts/confirm-email/\S+/", mailoutbox[0].body)[0])
    elsewhere = Client()
    again = elsewhere.post(
        reverse("account_login"), {"login": clinician.email, "password": PASSWORD}
    )

    assert again["Location"] == "/"
    assert elsewhere.session["_auth_user_id"] == str(clinician.pk)
