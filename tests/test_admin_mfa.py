"""The admin shows patient data: staff reach it only after setting up two-factor auth."""

from __future__ import annotations

from allauth.mfa.totp.internal.auth import TOTP
from django.urls import reverse

from tests.factories import TOTP_SECRET, UserFactory


def test_staff_without_mfa_are_sent_to_set_it_up(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)

    response = client.get(reverse("admin:index"), follow=True)

    # Set-up asks for the password again first (allauth's re-authentication), then MFA.
    visited = [url for url, _ in response.redirect_chain]
    assert any(url.startswith(reverse("mfa_activate_totp")) for url in visited)
    assert "admin" not in response.resolver_match.route


def test_staff_with_mfa_see_the_admin(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(staff, TOTP_SECRET)
    client.force_login(staff)

    assert client.get(reverse("admin:index")).status_code == 200


def test_people_who_are_not_staff_never_see_it(client, patient):
    client.force_login(patient)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
