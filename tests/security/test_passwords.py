"""Passwords: at least 12 characters, and none from the list of common (breached) ones."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command

from apps.accounts.models import User
from tests.factories import PASSWORD

ELEVEN = "bluecanoe7!"  # 11 characters, not a common password
TWELVE = "bluecanoe7!x"
TOO_SHORT = "This password is too short. It must contain at least 12 characters."
TOO_COMMON = "This password is too common."


def field_error(body: str, field: str) -> str:
    """Return the text of the error list rendered beside this field."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', body, re.S)
    assert match, f"no error beside {field}"
    return re.sub(r"<[^>]+>", " ", match[1])


def sign_up(client, password: str):
    return client.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": password, "password2": password},
    )


def change_password(client, password: str):
    return client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": password, "password2": password},
    )


def test_the_factories_password_passes_the_rules():
    validate_password(PASSWORD)
    validate_password("backpain-demo")  # the README's demo accounts


def test_sign_up_refuses_11_characters_beside_the_field(client, db):
    response = sign_up(client, ELEVEN)

    assert response.status_code == 200
    assert TOO_SHORT in field_error(response.content.decode(), "password1")
    assert not User.objects.filter(email="new@example.org").exists()


def test_sign_up_takes_12_characters(client, db):
    response = sign_up(client, TWELVE)

    assert response.status_code == 302
    assert User.objects.get(email="new@example.org").check_password(TWELVE)


def test_the_sign_up_page_states_the_rule(client, db):
    assert "at least 12 characters" in client.get("/accounts/signup/").content.decode()


@pytest.mark.parametrize("common", ["password1234", "qwerty123456"])
def test_sign_up_refuses_a_common_password(client, db, common):
    response = sign_up(client, common)

    assert response.status_code == 200
    assert TOO_COMMON in field_error(response.content.decode(), "password1")
    assert not User.objects.filter(email="new@example.org").exists()


def test_password_change_refuses_11_characters_beside_the_field(patient, patient_client):
    response = change_password(patient_client, ELEVEN)

    assert response.status_code == 200
    assert TOO_SHORT in field_error(response.content.decode(), "password1")
    patient.refresh_from_db()
    assert patient.check_password(PASSWORD)


def test_password_change_refuses_a_common_password(patient, patient_client):
    response = change_password(patient_client, "password1234")

    assert TOO_COMMON in field_error(response.content.decode(), "password1")
    patient.refresh_from_db()
    assert patient.check_password(PASSWORD)


def test_create_clinician_refuses_a_short_password(db):
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("create_clinician", "dr.short@example.org", "--password", ELEVEN)

    assert not User.objects.filter(email="dr.short@example.org").exists()
