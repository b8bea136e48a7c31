"""A new patient's first steps on a phone: sign up, warning signs, checklist, plan, Today;
then the weekly schedule decides whether today's routine has the strength moves.

axe runs on every page and state the journey visits.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.checklist.models import Item
from apps.progress.models import Frequency, PlanItem, Weekday
from apps.screening.models import Question
from tests.e2e.journeys import confirm_email, go_to
from tests.factories import CheckInFactory, monday

PHONE = {"width": 390, "height": 844}
PASSWORD = "my-first-steps-password-42"
SCREENSHOTS = "/tmp"


def next_step(page: Page):
    return page.locator("[data-next-step]")


def answer_every_step(page: Page, axe, choice: str, total: int) -> None:
    for number in range(1, total + 1):
        page.get_by_label(choice, exact=True).check()
        page.get_by_role("button", name="See my result" if number == total else "Next").click()
        if number < total:
            progress = page.locator(".progress__label")
            expect(progress).to_have_text(f"Question {number + 1} of {total}")
            axe()


def today_slugs(page: Page) -> set[str]:
    return set(page.locator("[data-today-items]").get_attribute("data-today-items").split())


def save_days(page: Page, axe, days: list[int]) -> None:
    """Tick exactly `days` in the strength-days form on the plan page and save."""
    form = page.locator("#strength-days")
    for day in Weekday:
        box = form.get_by_label(day.label, exact=True)
        box.check() if day.value in days else box.uncheck()
    form.get_by_role("button", name="Save my strength days").click()
    expect(page.locator(".messages")).to_contain_text("Your strength days are now")
    axe()


def test_a_new_patient_is_led_from_sign_up_to_today_and_the_schedule_shapes_the_routine(
    page: Page, axe
):
    page.set_viewport_size(PHONE)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Look after your back, one step at a time"
    )
    axe()

    # Sign up and confirm the address from the e-mail, which logs in and lands on Today.
    go_to(page, "Sign up")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    axe()
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    confirm_email(page, axe)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    expect(next_step(page)).to_have_attribute("data-next-step", "screening")
    # The check cannot be skipped: no way past it but the check itself.
    expect(next_step(page).get_by_role("link", name=re.compile("Skip"))).to_have_count(0)
    axe()

    # 1. The warning-signs check.
    next_step(page).get_by_role("link", name="Check for warning signs").click()
    expect(page.get_by_role("heading", name="Check for warning signs")).to_be_visible()
    axe()
    page.get_by_role("button", name="Start the check").click()
    questions = Question.objects.active().count()
    expect(page.locator(".progress__label")).to_have_text(f"Question 1 of {questions}")
    axe()
    answer_every_step(page, axe, "No", questions)
    expect(page.locator("[data-urgency]")).to_have_attribute("data-urgency", "none")
    axe()

    # 2. The movement checklist, from the result's "Next" link.
    page.get_by_role("link", name="Next: the movement checklist").click()
    expect(page.get_by_role("heading", level=1, name="Movement checklist")).to_be_visible()
    axe()
    page.get_by_role("button", name="Start the checklist").click()
    items = Item.objects.active().count()
    expect(page.locator(".progress__label")).to_have_text(f"Question 1 of {items}")
    axe()
    answer_every_step(page, axe, "No", items)
    expect(page.locator("[data-priorities]")).to_be_attached()
    axe()

    # 3. The plan, built from both.
    page.get_by_role("link", name="Next: your plan, built from your answers").click()
    expect(page.get_by_role("heading", level=1, name="Your plan")).to_be_visible()
    expect(page.locator("[data-week] tbody tr")).to_have_count(7)
    axe()

    # 4. Today: the routine is next.
    page.get_by_role("link", name="Next: Today, your day at a glance").click()
    expect(next_step(page)).to_have_attribute("data-next-step", "routine")
    expect(page.locator("[data-start-routine]")).to_have_count(1)
    axe()

    # Pain eases: after a low weekly check-in a rebuilt plan adds core strength 2-3 days a week.
    patient = User.objects.get(email="sam@example.org")
    CheckInFactory(patient=patient, week_start=monday(1), pain_average=2, pain_worst=3)
    go_to(page, "My plan")
    axe()
    page.get_by_role("button", name="Rebuild my plan from my latest answers").click()
    expect(page.locator(".messages")).to_contain_text("Your plan has been rebuilt")
    axe()
    strength = set(
        PlanItem.objects.filter(plan__patient=patient, plan__active=True)
        .exclude(frequency=Frequency.DAILY)
        .values_list("exercise__slug", flat=True)
    )
    assert strength, "the rebuilt plan has strength work"

    # No day ticked: the message is beside the field and the page keeps working.
    form = page.locator("#strength-days")
    for day in Weekday:
        form.get_by_label(day.label, exact=True).uncheck()
    form.get_by_role("button", name="Save my strength days").click()
    expect(form.locator(".errorlist")).to_have_text("Pick at least one day for your strength work.")
    axe()

    today = timezone.localdate().weekday()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).weekday()

    # A strength day: today's routine has the strength moves.
    save_days(page, axe, [today])
    page.screenshot(path=f"{SCREENSHOTS}/first_steps_plan.png", full_page=True)
    go_to(page, "Today")
    expect(next_step(page)).to_have_attribute("data-next-step", "routine")
    assert strength <= today_slugs(page)
    link = page.locator("[data-start-routine]").get_attribute("href")
    assert all(slug in link for slug in strength)
    axe()
    page.screenshot(path=f"{SCREENSHOTS}/first_steps_today.png", full_page=True)

    # A rest day for strength: the every-day moves, and no strength moves.
    go_to(page, "My plan")
    axe()
    save_days(page, axe, [tomorrow])
    go_to(page, "Today")
    expect(next_step(page)).to_have_attribute("data-next-step", "routine")
    assert today_slugs(page), "the every-day moves are still on"
    assert not strength & today_slugs(page)
    link = page.locator("[data-start-routine]").get_attribute("href")
    assert not any(slug in link.split("items=")[1].split(",") for slug in strength)
    axe()

    # The routine link starts the player with that day's part of the plan.
    page.locator("[data-start-routine]").click()
    expect(page).to_have_url(re.compile(r"/exercises/routine/\?items="))
    axe()
