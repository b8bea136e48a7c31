"""Steps several browser journeys share."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect


def log_in(page: Page, axe: Callable[[], None], email: str, password: str) -> None:
    """Log in through the real form, checking both pages with axe."""
    page.goto("/accounts/login/")
    axe()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    axe()


def sign_in(page: Page, base_url: str, user) -> None:
    """Give the browser a signed-in session for a patient without the login form.

    For journeys about something else: a log-in through the form costs two page loads, two
    axe runs and an Argon2 hash. Django's `force_login` goes through `login()`, so the
    session is stamped as a real one is (apps.accounts.sessions). The form itself is walked
    by the journeys about logging in, the demo accounts' journeys and the clinicians' (whose
    log-in needs an authenticator code, which only the form records).
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )


def confirm_email(page: Page, axe: Callable[[], None]) -> None:
    """After sign-up, open the link in the newest e-mail and confirm, which logs in."""
    from django.core import mail

    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    axe()
    page.goto(re.search(r"/accounts/confirm-email/\S+/", mail.outbox[-1].body)[0])
    expect(page.get_by_role("heading", name="Confirm your e-mail address")).to_be_visible()
    axe()
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def totp_code(secret: str) -> str:
    """Return the authenticator code an app would show now for this base32 secret."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in_with_code(
    page: Page, axe: Callable[[], None], email: str, password: str, secret: str
) -> None:
    """Log in with a password and then an authenticator code, checking each page with axe."""
    page.goto("/accounts/login/")
    axe()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    code = page.get_by_label(re.compile(r"^Code:?$"))
    expect(code).to_be_visible()
    axe()
    code.fill(totp_code(secret))
    page.get_by_role("button", name=re.compile("^(sign in|log in)$", re.I)).click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    axe()
