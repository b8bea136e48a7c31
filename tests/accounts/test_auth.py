from __future__ import annotations

import re
import time
from types import SimpleNamespace

import pytest
from allauth.core.internal import ratelimit

from apps.accounts.models import Role, User
from tests.factories import PASSWORD

LOCKED = "Too many failed login attempts"


def login(client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


# The clock allauth's rate limiter reads, as it will be once the 30-minute window has passed.
LaterClock = SimpleNamespace(
    time=lambda: time.time() + 31 * 60, monotonic=time.monotonic, sleep=time.sleep
)


def test_the_sixth_wrong_password_is_refused_and_then_the_right_one_too(
    client, patient, monkeypatch
):
    for _ in range(5):
        response = login(client, patient.email, "wrong-password")
        assert response.status_code == 200
        assert "not correct" in response.content.decode()

    sixth = login(client, patient.email, "wrong-password")
    assert sixth.status_code == 200
    assert LOCKED in sixth.content.decode()

    right = login(client, patient.email, PASSWORD)
    assert right.status_code == 200
    assert LOCKED in right.content.decode()
    assert "_auth_user_id" not in client.session

    # Once the window has passed, the right password works again.
    monkeypatch.setattr(ratelimit, "time", LaterClock)
    later = login(client, patient.email, PASSWORD)
    assert later.status_code == 302
    assert client.session["_auth_user_id"] == str(patient.pk)


def test_the_lock_is_per_account(client, patient, other_patient):
    for _ in range(6):
        login(client, patient.email, "wrong-password")

    response = login(client, other_patient.email, PASSWORD)

    assert response.status_code == 302


def test_login_is_by_email_and_case_insensitive(client, patient):
    response = login(client, patient.email.upper(), PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(patient.pk)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"login": "", "password": ""}, "login", "This field is required."),
        ({"login": "not-an-email", "password": "x"}, "login", "valid email"),
        ({"login": "pat@example.org", "password": ""}, "password", "This field is required."),
    ],
)
def test_bad_login_input_rerenders_with_the_message_by_the_field(
    client, patient, data, field, message
):
    response = client.post("/accounts/login/", data)

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert f'value="{data["login"]}"' in body or not data["login"]


def test_signup_makes_a_patient_and_keeps_what_was_typed_on_error(client, db):
    bad = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "display_name": "Nia",
            "password1": "short",
            "password2": "short",
        },
    )
    body = bad.content.decode()
    assert bad.status_code == 200
    assert 'id="id_password1_error"' in body
    assert 'value="new@example.org"' in body
    assert 'value="Nia"' in body

    good = client.post(
        "/accounts/signup/",
        {
            "email": "New@Example.org",
            "display_name": "Nia",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert good.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.role == Role.PATIENT
    assert user.display_name == "Nia"
    assert user.password.startswith("argon2")


def test_signup_cannot_choose_the_clinician_role(client, db):
    client.post(
        "/accounts/signup/",
        {
            "email": "sneaky@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": "clinician",
        },
    )

    assert User.objects.get(email="sneaky@example.org").role == Role.PATIENT


def test_signup_with_a_taken_email_does_not_say_so(client, patient):
    # The same answer as for a new address (tests/security/test_signup.py has the rest).
    response = client.post(
        "/accounts/signup/", {"email": patient.email, "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"


def test_password_change_bad_input_rerenders(patient_client):
    response = patient_client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": "a", "password2": "b"},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_oldpassword_error"' in body


def test_password_reset_bad_input_rerenders(client, db):
    response = client.post("/accounts/password/reset/", {"email": "nope"})

    assert response.status_code == 200
    assert 'id="id_email_error"' in response.content.decode()


def test_password_reset_sends_a_link(client, patient, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": patient.email})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/key/" in mailoutbox[0].body


def test_account_page_needs_login(client, db):
    response = client.get("/account/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_navigation_changes_with_role(client, patient_client, clinician_client):
    guest = client.get("/").content.decode()
    assert "Log in" in guest and "My plan" not in guest and "Clinic" not in guest

    patient = patient_client.get("/").content.decode()
    assert "My plan" in patient and "Log out" in patient and ">Clinic<" not in patient

    # A clinician's home is the clinic dashboard: read the navigation on a shared page.
    clinician = clinician_client.get("/exercises/").content.decode()
    assert ">Clinic<" in clinician and "My plan" not in clinician


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "logged_in", "labels"),
    [
        ("/accounts/login/", False, ["Email", "Password", "Remember me"]),
        ("/accounts/signup/", False, ["Email", "Password", "Password (again)"]),
        ("/accounts/password/reset/", False, ["Email"]),
        (
            "/accounts/password/change/",
            True,
            ["Current password", "New password", "New password (again)"],
        ),
    ],
)
def test_account_forms_have_sentence_case_labels_and_one_reset_link(
    client, patient, url, logged_in, labels
):
    if logged_in:
        client.force_login(patient)

    body = client.get(url).content.decode()

    found = re.findall(r'<label for="[^"]+">([^<]+)</label>', body)
    assert [label for label in found if label in labels] == labels
    assert all(label[1:] == label[1:].lower() for label in found), found
    assert "placeholder=" not in body
    assert body.count('href="/accounts/password/reset/"') <= 1
