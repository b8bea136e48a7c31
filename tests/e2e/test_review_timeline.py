"""The review's timeline pages by month: htmx swaps only the timeline, the address follows
so Back and a reload show the same month, and each state is axe-clean."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.accounts.models import CareLink
from tests.e2e.journeys import log_in_with_code
from tests.factories import PASSWORD, TOTP_SECRET, ClinicianFactory, SessionFactory, UserFactory


def test_older_and_newer_months_swap_the_timeline(page: Page, axe, content):
    doctor = ClinicianFactory(email="dr.months@example.org")
    patient = UserFactory(email="robin@example.org", display_name="Robin")
    CareLink.objects.create(patient=patient, clinician=doctor)
    today = timezone.localdate()
    earlier = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    SessionFactory(patient=patient, performed_on=earlier + dt.timedelta(days=3), pain_during=3)
    SessionFactory(patient=patient, performed_on=today, pain_during=6)

    log_in_with_code(page, axe, doctor.email, PASSWORD, TOTP_SECRET)
    page.goto(f"/clinic/patients/{patient.uuid}/")
    timeline = page.locator("#timeline")
    expect(timeline.get_by_role("heading", level=2)).to_contain_text(f"{today:%B %Y}")
    expect(timeline).to_contain_text("pain during 6 out of 10")
    axe()

    page.get_by_role("link", name=f"Older: {earlier:%B %Y}").click()
    expect(timeline.get_by_role("heading", level=2)).to_contain_text(f"{earlier:%B %Y}")
    expect(timeline).to_contain_text("pain during 3 out of 10")
    expect(timeline).not_to_contain_text("pain during 6 out of 10")
    expect(page).to_have_url(re.compile(rf"\?month={earlier:%Y-%m}$"))
    # Swapped in place: the rest of the review is still the page it was.
    expect(page.get_by_role("heading", level=1)).to_have_text("Robin")
    axe()

    page.get_by_role("link", name=f"Newer: {today:%B %Y}").click()
    expect(timeline).to_contain_text("pain during 6 out of 10")
    axe()
