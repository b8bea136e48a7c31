from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from apps.accounts.models import User
from tests.e2e.journeys import confirm_email

NEW_PASSWORD = "a-brand-new-password-42"
FIRST_PASSWORD = "my-first-password-42"


def test_a_new_patient_signs_up_logs_out_logs_in_and_changes_password(page: Page, axe):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe()

    page.get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    axe()

    # A mistake first: the message appears beside the field and the e-mail is kept.
    page.get_by_label("Email").fill("nia@example.org")
    page.get_by_label("Your name (optional)").fill("Nia")
    page.get_by_label("Password", exact=True).fill(FIRST_PASSWORD)
    page.get_by_label("Password (again)").fill("something-else-entirely")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#id_password2_error")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("nia@example.org")
    axe()

    page.get_by_label("Password", exact=True).fill(FIRST_PASSWORD)
    page.get_by_label("Password (again)").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # The same answer whether or not the address had an account: confirm it from the e-mail.
    confirm_email(page, axe)
    expect(page.get_by_role("link", name="My plan")).to_be_visible()
    axe()
    assert User.objects.get(email="nia@example.org").is_patient

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    axe()

    page.get_by_role("link", name="Log in").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    axe()
    page.get_by_label("Email").fill("nia@example.org")
    page.get_by_label("Password").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    axe()

    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    axe()
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    axe()
    page.get_by_label("Current password").fill(FIRST_PASSWORD)
    page.get_by_label(re.compile(r"^New password$", re.I)).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^New password \(again\)$", re.I)).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".messages")).to_contain_text("Password successfully changed")
    axe()

    assert User.objects.get(email="nia@example.org").check_password(NEW_PASSWORD)


def test_wrong_password_shows_a_clear_message(page: Page, axe, patient):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(patient.email)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("alert")).to_contain_text("not correct")
    axe()


def test_the_axe_guard_fails_on_a_real_violation(page: Page, axe, live_server):
    # The harness must be able to fail: an image without alt text is a WCAG A violation.
    page.goto("/")
    axe()
    page.evaluate(
        "document.querySelector('main')"
        ".insertAdjacentHTML('beforeend', '<img src=\"/static/img/favicon.svg\">')"
    )
    try:
        axe()
    except AssertionError as error:
        assert "image-alt" in str(error)
    else:
        raise AssertionError("axe did not report the image without alt text")
