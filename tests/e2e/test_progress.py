from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.progress.models import CheckIn, Session
from tests.e2e.journeys import log_in

FAST = "&ready=0&hold=1&rest=0&duration=1&reps=1&sets=1&gap=0"


def test_the_demo_patient_does_todays_routine_logs_it_and_checks_in(page: Page, axe, demo_data):
    patient = User.objects.get(email="patient@example.com")
    sessions_before = Session.objects.filter(patient=patient).count()
    log_in(page, axe, "patient@example.com", "backpain-demo")

    page.get_by_role("link", name="My plan").click()
    expect(page.get_by_role("heading", name="Your plan")).to_be_visible()
    axe()
    routine = page.get_by_role("link", name="Start today's routine").get_attribute("href")
    page.goto(routine + FAST)
    expect(page.get_by_role("heading", name=re.compile("^Now: "))).to_be_visible()
    axe()

    page.get_by_role("button", name="Start").click()
    done = page.get_by_role("heading", name="Routine complete")
    count_rep = page.get_by_role("button", name="Count a rep")
    for _ in range(80):  # hands-free, except rep-counted moves, which need a tap
        if done.is_visible():
            break
        if count_rep.is_visible():
            count_rep.click()
        page.wait_for_timeout(250)
    expect(done).to_be_visible()
    axe()

    page.get_by_role("link", name="Change the details before saving").click()
    expect(page.get_by_role("heading", name="Log a session")).to_be_visible()
    axe()
    page.get_by_label("Note (optional)").fill("Felt looser afterwards")
    # Forgetting the pain score: the message sits by the field, the note is kept.
    page.get_by_role("button", name="Save session").click()
    expect(page.locator("#id_pain_during_error")).to_be_visible()
    expect(page.get_by_label("Note (optional)")).to_have_value("Felt looser afterwards")
    axe()
    page.get_by_role("group", name="Pain during the session").get_by_label("2", exact=True).check()
    save = page.get_by_role("button", name="Save session")
    save.dblclick()  # a double click must still make one session
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    axe()
    assert Session.objects.filter(patient=patient).count() == sessions_before + 1
    logged = Session.objects.filter(patient=patient, note="Felt looser afterwards").get()
    assert logged.entries.count() >= 4

    page.get_by_role("link", name="Weekly check-in").click()
    expect(page.get_by_role("heading", name="Weekly check-in")).to_be_visible()
    axe()
    # The weekly re-check of every emergency and urgent sign comes first.
    recheck = page.locator("fieldset.recheck")
    signs = recheck.locator(".field fieldset")
    assert signs.count() == 18
    for index in range(signs.count()):
        signs.nth(index).get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Your average pain this week").get_by_label(
        "2", exact=True
    ).check()
    page.get_by_role("group", name="Your worst pain this week").get_by_label(
        "4", exact=True
    ).check()
    for name in ["Putting on socks", "Sitting through a film", "Walking to the shops"]:
        page.get_by_role("group", name=re.compile(name, re.I)).get_by_label("8", exact=True).check()
    page.get_by_label(re.compile("^Nights this week")).fill("1")
    page.get_by_label(re.compile("^Days this week")).fill("5")
    # A mistake first: the message sits by the field and the answers stay.
    page.get_by_label(re.compile("^Days this week")).fill("9")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#id_days_active_error")).to_be_visible()
    axe()
    expect(signs.first.get_by_label("No", exact=True)).to_be_checked()
    page.get_by_label(re.compile("^Days this week")).fill("5")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    axe()

    weeks = CheckIn.objects.filter(patient=patient).count()
    assert weeks == 11
    expect(page.locator("[data-pain-table] tbody tr")).to_have_count(weeks)
    dots = page.locator(".chart__dot--average").get_attribute("d")
    assert dots.count("h0") == weeks
    expect(page.locator("[data-pain-summary]")).to_contain_text("to 2 out of 10")
