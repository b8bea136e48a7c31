"""An unconfirmed emergency result closes every way to start exercise until care is confirmed."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.screening.triage import Urgency
from tests.e2e.journeys import log_in
from tests.screening.factories import ScreeningFactory

FAST = "ready=0&hold=1&rest=0&duration=1&reps=1&sets=1&gap=0"
CLOSED = "Closed until you confirm you have sought care"


def press_start_everywhere(page: Page) -> None:
    """Try every way a person could start a timer: click Start, and press Space."""
    page.get_by_role("button", name="Start", exact=True).click(force=True)  # force: it is disabled
    page.locator("main h1").click()  # Space is ignored while a control has focus
    page.keyboard.press("Space")
    page.wait_for_timeout(1500)  # longer than a whole fast timer would take


def expect_banner(page: Page) -> None:
    banner = page.get_by_role("alert").filter(has=page.locator("#gate-heading"))
    expect(banner).to_be_visible()
    expect(banner.get_by_role("link", name=re.compile("I have sought care"))).to_be_visible()


def test_the_timer_routine_and_plan_stay_closed_until_care_is_confirmed(page: Page, axe, demo_data):
    patient = User.objects.get(email="patient@example.com")
    ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)
    log_in(page, axe, "patient@example.com", "backpain-demo")

    # The exercise page: banner first, the timer shown with Start off; nothing starts it.
    page.goto(f"/exercises/side-plank/?{FAST}")
    expect_banner(page)
    timer = page.locator("[data-timer]")
    expect(timer).to_be_visible()
    expect(timer).to_have_attribute("data-gated", "")
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_disabled()
    expect(page.locator("[data-timer-config]")).to_have_count(0)
    expect(page.get_by_role("link", name="Do it as a guided routine")).to_have_count(0)
    axe()
    press_start_everywhere(page)
    expect(timer.locator('[data-role="phase"]')).to_have_text(CLOSED)
    assert timer.get_attribute("data-phase") is None, "the timer never started"

    # The routine player: closed in the same way, with no way to move on and no log form.
    page.goto(f"/exercises/routine/?items=chin-tuck,sky-high-stretch&{FAST}")
    expect_banner(page)
    expect(page.get_by_role("heading", name="The routine player is closed for now")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Now: "))).to_have_count(0)
    expect(page.get_by_role("button", name="Next exercise")).to_have_count(0)
    expect(page.get_by_role("group", name="Pain during the routine")).to_have_count(0)
    expect(page.get_by_role("link", name="Change the details before saving")).to_have_count(0)
    axe()
    press_start_everywhere(page)
    assert page.locator("[data-timer]").get_attribute("data-phase") is None
    expect(page.get_by_role("heading", name="Routine complete")).to_have_count(0)

    # The library stays readable, with the banner on top and the routine button off.
    page.goto("/exercises/")
    expect_banner(page)
    expect(page.get_by_role("link", name="Side plank")).to_be_visible()
    expect(page.get_by_role("button", name="Start a routine with the ones ticked")).to_be_disabled()
    axe()

    # The plan: the banner instead of the exercises, no way to start today's routine.
    page.get_by_role("link", name="My plan").click()
    expect_banner(page)
    expect(page.get_by_role("link", name="Start today's routine")).to_have_count(0)
    axe()

    # Confirming on the result page opens the way.
    page.get_by_role("link", name=re.compile("I have sought care")).click()
    expect(page.locator("#next-steps")).to_be_visible()
    axe()
    page.get_by_role("checkbox").check()
    page.locator("#next-steps").get_by_role("button", name="Continue").click()
    expect(page.get_by_text(re.compile("You confirmed on .* that you sought care"))).to_be_visible()
    axe()

    page.goto(f"/exercises/side-plank/?{FAST}")
    expect(page.locator("#gate-heading")).to_have_count(0)
    axe()
    page.get_by_role("button", name="Start", exact=True).click()
    phase = page.locator('[data-timer] [data-role="phase"]')
    expect(phase).to_have_text("Hold")
    expect(phase).to_have_text("Done. Well done!")

    page.goto(f"/exercises/routine/?items=chin-tuck,sky-high-stretch&{FAST}")
    expect(page.get_by_role("heading", name=re.compile("Now: Chin tuck"))).to_be_visible()
    axe()
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Now: Sky-high stretch"))).to_be_visible()
    expect(page.get_by_role("heading", name="Routine complete")).to_be_visible(timeout=20_000)
    expect(page.get_by_role("link", name="Change the details before saving")).to_be_visible()
    axe()

    page.get_by_role("link", name="My plan").click()
    expect(page.get_by_role("link", name="Start today's routine")).to_be_visible()
    expect(page.locator("#gate-heading")).to_have_count(0)
    axe()
