"""Steps several browser journeys share."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect


def main_menu(page: Page) -> Locator:
    """The header's navigation, opened first if it sits behind "Menu" (a phone).

    From 64rem wide the links show inline and the Menu button is hidden.
    """
    nav = page.get_by_role("navigation", name="Main")
    toggle = nav.locator("summary")
    if toggle.is_visible() and nav.locator("details[open]").count() == 0:
        toggle.click()
    return nav


def go_to(page: Page, name: str) -> None:
    """Follow a link in the header's navigation, as a person would at any width."""
    main_menu(page).get_by_role("link", name=name, exact=True).click()


def expect_logged_in(page: Page) -> None:
    """Wait until the page is one for a signed-in person: it has the Log out button.

    On a phone the button sits in the closed Menu, so presence is the signal, not
    visibility (tests of the header itself check that it can be seen and used).
    """
    expect(page.get_by_role("button", name="Log out", include_hidden=True)).to_be_attached()


def expect_logged_out(page: Page) -> None:
    """Wait until the page is one for a signed-out person: it has the Log in link."""
    expect(page.get_by_role("link", name="Log in", include_hidden=True)).to_be_attached()


def log_in(page: Page, axe: Callable[[], None], email: str, password: str) -> None:
    """Log in through the real form, checking both pages with axe."""
    page.goto("/accounts/login/")
    axe()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect_logged_in(page)
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
    expect_logged_in(page)


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
    expect_logged_in(page)
    axe()
