"""A stolen session cannot take the account over: e-mail, password and MFA changes ask for
the password (or an authenticator code) again, and the account's address hears of each."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from tests.factories import PASSWORD

THIEF = "thief@example.net"
REAUTH = "/accounts/reauthenticate/"


@pytest.fixture
def owner(patient):
    """The patient, with the verified primary address sign-up gives every account."""
    EmailAddress.objects.update_or_create(
        user=patient, email=patient.email, defaults={"primary": True, "verified": True}
    )
    return patient


def reauthenticate(client, password: str = PASSWORD, next_url: str = "/accounts/email/"):
    return client.post(f"{REAUTH}?next={next_url}", {"password": password})


def age_reauthentication(client, seconds: int) -> None:
    """Move this session's record of the last password entry `seconds` into the past."""
    session = client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= seconds
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()


def addresses(user) -> set[str]:
    return set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))


def test_adding_an_email_asks_for_the_password_first_and_changes_nothing(
    owner, patient_client, mailoutbox
):
    response = patient_client.post("/accounts/email/", {"email": THIEF, "action_add": ""})

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == REAUTH
    assert addresses(owner) == {owner.email}
    assert mailoutbox == []


def test_after_reauthenticating_the_add_goes_through_and_the_old_address_is_told(
    owner, patient_client, mailoutbox
):
    patient_client.post("/accounts/email/", {"email": THIEF, "action_add": ""})

    response = reauthenticate(patient_client)

    assert response.status_code == 302
    assert addresses(owner) == {owner.email, THIEF}
    notices = [mail for mail in mailoutbox if mail.to == [owner.email]]
    assert len(notices) == 1
    assert THIEF in notices[0].body
    assert "was added to your account" in notices[0].body


def test_a_wrong_password_does_not_reauthenticate(owner, patient_client):
    patient_client.post("/accounts/email/", {"email": THIEF, "action_add": ""})

    response = reauthenticate(patient_client, password="not-the-password")

    assert response.status_code == 200
    assert 'id="id_password_error"' in response.content.decode()
    assert addresses(owner) == {owner.email}


@pytest.mark.parametrize("action", ["action_primary", "action_remove"])
def test_making_primary_or_removing_asks_again_once_the_window_has_passed(
    owner, patient_client, action
):
    EmailAddress.objects.create(user=owner, email=THIEF, primary=False, verified=True)
    reauthenticate(patient_client)
    age_reauthentication(patient_client, 5 * 60 + 1)

    response = patient_client.post("/accounts/email/", {"email": THIEF, action: ""})

    assert urlsplit(response["Location"]).path == REAUTH
    thief = EmailAddress.objects.get(email=THIEF)
    assert not thief.primary
    owner.refresh_from_db()
    assert owner.email == "pat@example.org"


def test_within_the_window_a_second_change_needs_no_password(owner, patient_client):
    patient_client.post("/accounts/email/", {"email": THIEF, "action_add": ""})
    reauthenticate(patient_client)
    age_reauthentication(patient_client, 4 * 60)

    response = patient_client.post(
        "/accounts/email/", {"email": "second@example.org", "action_add": ""}
    )

    assert urlsplit(response["Location"]).path == "/accounts/email/"
    assert "second@example.org" in addresses(owner)


def test_making_another_address_primary_tells_the_old_one(owner, patient_client, mailoutbox):
    EmailAddress.objects.create(user=owner, email=THIEF, primary=False, verified=True)
    patient_client.post("/accounts/email/", {"email": THIEF, "action_primary": ""})

    reauthenticate(patient_client)

    owner.refresh_from_db()
    assert owner.email == THIEF
    [notice] = [mail for mail in mailoutbox if mail.to == ["pat@example.org"]]
    assert f"to {THIEF}" in notice.body


def test_removing_an_address_tells_the_primary_one(owner, patient_client, mailoutbox):
    EmailAddress.objects.create(user=owner, email="old@example.org", primary=False, verified=True)
    patient_client.post("/accounts/email/", {"email": "old@example.org", "action_remove": ""})

    reauthenticate(patient_client)

    assert addresses(owner) == {owner.email}
    [notice] = mailoutbox
    assert notice.to == [owner.email]
    assert "old@example.org has been removed" in notice.body


def test_changing_the_password_needs_the_current_one_and_tells_the_address(
    owner, patient_client, mailoutbox
):
    new = "a-whole-new-password-31"
    refused = patient_client.post(
        "/accounts/password/change/", {"oldpassword": "", "password1": new, "password2": new}
    )
    assert 'id="id_oldpassword_error"' in refused.content.decode()
    assert mailoutbox == []

    patient_client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": new, "password2": new},
    )

    owner.refresh_from_db()
    assert owner.check_password(new)
    [notice] = mailoutbox
    assert notice.to == [owner.email]
    assert "Your password has been changed" in notice.body


def test_turning_off_two_factor_asks_for_the_password_first(clinician, clinician_client):
    response = clinician_client.post("/accounts/2fa/totp/deactivate/")

    assert urlsplit(response["Location"]).path == REAUTH
    assert Authenticator.objects.filter(user=clinician, type=Authenticator.Type.TOTP).exists()


def test_reauthenticate_offers_the_authenticator_app_to_clinicians(clinician_client):
    response = clinician_client.get(f"{REAUTH}?next=/accounts/email/")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="password"' in body
    assert "/accounts/2fa/reauthenticate/" in body
