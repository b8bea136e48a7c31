from __future__ import annotations

from icalendar import Calendar
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.progress.models import Reminder
from tests.e2e.journeys import log_in

PHONE = {"width": 390, "height": 844}


def test_a_patient_sets_reminders_and_subscribes_to_the_calendar_on_a_phone(
    page: Page, axe, settings, live_server, demo_data
):
    settings.SITE_URL = live_server.url
    patient = User.objects.get(email="patient@example.com")
    page.set_viewport_size(PHONE)
    log_in(page, axe, "patient@example.com", "backpain-demo")

    page.goto("/progress/")
    axe()
    page.get_by_role("link", name="Reminders and calendar").click()
    expect(page.get_by_role("heading", name="Reminders and calendar")).to_be_visible()
    axe()

    page.get_by_label("E-mail me on my exercise days").check()
    page.get_by_label("Weekly check-in day").select_option(label="Sunday")
    page.get_by_label("Time of day").select_option(label="07:00")
    page.get_by_role("button", name="Save reminders").click()
    expect(page.get_by_text("from 07:00")).to_be_visible()
    expect(page.get_by_label("Time of day")).to_have_value("7")
    axe()

    page.get_by_role("button", name="Make my calendar address").click()
    address = page.get_by_label("Your calendar address")
    expect(address).to_have_value(
        f"{live_server.url}/calendar/{Reminder.objects.get(patient=patient).calendar_token}.ics"
    )
    axe()
    feed_url = address.input_value()
    response = page.request.get(feed_url)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    check_in = [
        e for e in Calendar.from_ical(response.body()).walk("VEVENT") if "check-in" in e["uid"]
    ]
    assert check_in[0]["rrule"]["BYDAY"] == ["SU"]

    page.get_by_role("button", name="Stop this address").click()
    expect(page.get_by_role("button", name="Make my calendar address")).to_be_visible()
    axe()
    assert page.request.get(feed_url).status == 404
