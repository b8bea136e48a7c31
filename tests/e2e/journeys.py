"""Steps several browser journeys share."""

from __future__ import annotations

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
