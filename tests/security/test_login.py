"""Logging in: one throttled door, the same cost for every answer, locks that hold.

Issue 12, findings 1 to 3. Every password check goes through allauth's login view, so its
limits apply; a wrong password, a right one and an unknown e-mail each cost one Argon2 hash;
the per-account lock ignores the Host header; one IP cannot lock other people out.
"""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, TOTP_SECRET, ClinicianFactory, UserFactory
from tests.test_settings import PRODUCTION_ENV, run_manage

LOCKED = "Too many failed login attempts"


def login(client: Client, email: str, password: str, **extra: str):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def logged_in_as(client: Client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def hashes(monkeypatch) -> list[str]:
    """Record every Argon2 hash computed, checking a password or making one."""
    calls: list[str] = []
    verify, encode = Argon2PasswordHasher.verify, Argon2PasswordHasher.encode

    def spy_verify(self, password, encoded):
        calls.append("verify")
        return verify(self, password, encoded)

    def spy_encode(self, password, salt):
        calls.append("encode")
        return encode(self, password, salt)

    monkeypatch.setattr(Argon2PasswordHasher, "verify", spy_verify)
    monkeypatch.setattr(Argon2PasswordHasher, "encode", spy_encode)
    return calls


# Finding 1: the same cost for every answer.


def test_right_wrong_and_unknown_logins_each_cost_one_hash(patient, hashes):
    counts = {}
    for name, email, password in [
        ("right", patient.email, PASSWORD),
        ("wrong", patient.email, "not-the-password"),
        ("unknown", "nobody@example.org", PASSWORD),
    ]:
        hashes.clear()
        response = login(Client(), email, password)
        assert response.status_code == (302 if name == "right" else 200)
        counts[name] = len(hashes)

    assert counts == {"right": 1, "wrong": 1, "unknown": 1}


def test_the_admin_login_page_sends_people_to_the_throttled_login(client, db):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"


def test_the_admin_login_keeps_the_page_asked_for_but_not_another_site(client, db):
    users = reverse("admin:accounts_user_changelist")

    kept = client.get(reverse("admin:login"), {"next": users})
    elsewhere = client.get(reverse("admin:login"), {"next": "https://evil.example/"})

    assert kept["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2Faccounts%2Fuser%2F"
    assert elsewhere["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"


def test_a_password_posted_to_the_admin_login_is_never_checked(client, hashes, db):
    staff = ClinicianFactory(is_staff=True, is_superuser=True)
    hashes.clear()

    response = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert hashes == []
    assert logged_in_as(client) is None


def test_staff_reach_the_admin_through_allauths_login_and_second_step(client, db):
    staff = ClinicianFactory(is_staff=True, is_superuser=True)

    to_login = client.get(reverse("admin:index"), follow=True)
    assert to_login.redirect_chain[-1][0] == f"{reverse('account_login')}?next=%2Fadmin%2F"

    password = client.post(
        to_login.redirect_chain[-1][0], {"login": staff.email, "password": PASSWORD}
    )
    assert password["Location"] == reverse("mfa_authenticate")
    code = format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30))
    second_step = client.post(reverse("mfa_authenticate"), {"code": code})

    assert second_step["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_signed_in_patient_at_the_admin_login_is_refused_not_looped(patient_client):
    response = patient_client.get(reverse("admin:login"))

    assert response.status_code == 403


def test_the_admin_lockout_is_allauths(client, db):
    staff = ClinicianFactory(is_staff=True, is_superuser=True)
    for _ in range(5):
        login(client, staff.email, "wrong-password")

    refused = login(client, staff.email, PASSWORD)

    assert LOCKED in refused.content.decode()
    assert logged_in_as(client) is None


def test_a_patients_email_gets_nowhere_in_the_admin(client, patient):
    response = client.post(
        f"{reverse('account_login')}?next=/admin/", {"login": patient.email, "password": PASSWORD}
    )
    assert response["Location"] == "/admin/"

    assert client.get(reverse("admin:index")).status_code == 302
    assert client.get(reverse("admin:login")).status_code == 403


def test_a_user_factory_staff_member_without_mfa_is_sent_to_set_it_up(client, db):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    response = client.get(reverse("admin:login"))

    assert response["Location"].startswith(reverse("mfa_activate_totp"))


# Finding 2: the per-account lock is keyed on the account, not the Host header.


def test_a_locked_account_stays_locked_under_another_host(client, patient, settings):
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    for _ in range(5):
        login(client, patient.email, "wrong-password", HTTP_HOST="localhost:8000")

    refused = login(Client(), patient.email, PASSWORD, HTTP_HOST="127.0.0.1")

    assert refused.status_code == 200
    assert LOCKED in refused.content.decode()


def test_wrong_passwords_spread_over_hosts_count_together(patient, settings):
    hosts = ["localhost", "localhost:8000", "127.0.0.1", "127.0.0.1:8000", "[::1]:8000"]
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
    for host in hosts:
        login(Client(), patient.email.upper(), "wrong-password", HTTP_HOST=host)

    client = Client()
    refused = login(client, patient.email, PASSWORD, HTTP_HOST="localhost:9999")

    assert LOCKED in refused.content.decode()
    assert logged_in_as(client) is None


# Finding 3: one address cannot lock other people out; behind a proxy, addresses are the clients'.


@pytest.fixture
def quick_unknown_logins(settings) -> None:
    # An unknown e-mail is hashed with the first hasher to spend time: a fast one here, for
    # the many made-up accounts. Real accounts' Argon2 hashes still verify.
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.mark.usefixtures("quick_unknown_logins")
def test_failures_on_made_up_accounts_do_not_refuse_a_real_users_right_password(client, patient):
    for n in range(20):
        login(client, f"made-up-{n}@example.org", "guess-123456")

    response = login(client, patient.email, PASSWORD)

    assert response.status_code == 302
    assert logged_in_as(client) == str(patient.pk)


@pytest.mark.usefixtures("quick_unknown_logins")
def test_after_the_made_up_failures_the_per_account_lock_still_holds(client, patient):
    for n in range(20):
        login(client, f"made-up-{n}@example.org", "guess-123456")
    for _ in range(5):
        login(client, patient.email, "wrong-password")

    refused = login(client, patient.email, PASSWORD)

    assert LOCKED in refused.content.decode()
    assert logged_in_as(client) is None


def flood_login(client: Client, times: int, **extra: str) -> None:
    # An empty form costs no hash but counts against the per-IP "login" limit.
    for _ in range(times):
        client.post(reverse("account_login"), {}, **extra)


def test_one_address_is_slowed_to_30_tries_a_minute(client, patient):
    flood_login(client, 30)

    response = login(client, patient.email, PASSWORD)

    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()


def test_behind_a_proxy_the_limit_is_per_client_not_per_proxy(patient, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    flood_login(Client(), 30, **attacker)

    # The client's address is the entry the proxy appended, not one the client made up.
    spoofed = login(
        Client(), patient.email, PASSWORD, **proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    someone_else = login(
        Client(), patient.email, PASSWORD, **proxy, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )

    assert spoofed.status_code == 429
    assert someone_else.status_code == 302


PRINT_PROXY_COUNT = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"


@pytest.mark.parametrize(
    ("env", "count"),
    [
        ({"BEHIND_PROXY": "false"}, "0"),
        ({}, "1"),  # the README's production block: BEHIND_PROXY=true
        ({"TRUSTED_PROXY_COUNT": "2"}, "2"),  # a CDN in front of the proxy
    ],
)
def test_the_trusted_proxy_count_follows_the_environment(env, count):
    result = run_manage("shell", "-v0", "-c", PRINT_PROXY_COUNT, env={**PRODUCTION_ENV, **env})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == count
