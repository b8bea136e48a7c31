"""The quick log on a phone: one line per exercise, lines added from a search and removed,
a session edited and then deleted, and the progress page following each change."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from apps.progress.models import Session
from tests.e2e.journeys import log_in, sign_in
from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}
NINE = "bridge,plank,bird-dog,dead-bug,cat-cow,pelvic-tilt,side-plank,walking-break,box-breathing"
# The old log (two empty rows, a dropdown and four stacked fields per exercise) was about
# 3,700 px tall for nine exercises on a phone.
OLD_HEIGHT = 3700


def page_height(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_nine_exercises_fit_a_short_page_on_a_phone(
    page: Page, axe, base_url, patient, tmp_path: Path
):
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, patient)
    page.goto(f"/progress/log/?items={NINE}")
    expect(page.get_by_role("heading", name="Log a session")).to_be_visible()
    axe()

    lines = page.locator(".log-line")
    expect(lines).to_have_count(9)
    # One line each: every line is about one touch target high, none spills sideways.
    heights = [box["height"] for box in (lines.nth(n).bounding_box() for n in range(9))]
    assert max(heights) < 80, heights
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    height = page_height(page)
    page.screenshot(path=tmp_path / "quick-log-phone.png", full_page=True)
    print(f"nine-exercise log on a 390 px phone: {height} px tall ({tmp_path})")
    assert height < 2000, f"{height} px, the old log was about {OLD_HEIGHT}"


def test_log_add_remove_save_then_edit_and_delete_on_a_phone(
    page: Page, axe, base_url, patient, tmp_path: Path
):
    page.set_viewport_size(PHONE)
    sign_in(page, base_url, patient)
    page.goto("/progress/log/?items=bridge,plank,dead-bug")
    expect(page.get_by_role("heading", name="Log a session")).to_be_visible()
    axe()
    lines = page.locator(".log-line")
    expect(lines).to_have_count(3)
    page.get_by_label("Reps of Bridge").fill("12")

    # Add from the search: htmx lists the matches as the patient types.
    page.get_by_label("Add an exercise").fill("bird")
    add = page.get_by_role("button", name="Add Bird dog")
    expect(add).to_be_visible()
    axe()
    add.click()
    expect(lines).to_have_count(4)
    expect(page.locator("#log-status")).to_have_text("Added Bird dog.")
    expect(page.get_by_label("Reps of Bridge")).to_have_value("12")
    axe()

    page.get_by_role("button", name="Remove Plank").click()
    expect(lines).to_have_count(3)
    expect(page.locator("#log-status")).to_have_text("Removed Plank.")
    expect(page.locator("#log-status")).to_be_focused()
    axe()

    # Saving with no pain score: the message is by the field and the lines stay.
    page.get_by_role("button", name="Save session").click()
    expect(page.locator("#id_pain_during_error")).to_be_visible()
    expect(page.get_by_label("Reps of Bridge")).to_have_value("12")
    expect(lines).to_have_count(3)
    axe()
    page.get_by_role("group", name="Pain during the session").get_by_label("2", exact=True).check()
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    axe()
    session = Session.objects.get(patient=patient)
    assert [(e.exercise.slug, e.reps) for e in session.entries.order_by("id")] == [
        ("bridge", 12),
        ("dead-bug", 12),
        ("bird-dog", 15),
    ]
    this_week = page.locator("[data-sessions-this-week]")
    calendar = page.locator("#calendar-desc")
    expect(this_week).to_have_text(re.compile(r"^1\b"))
    expect(calendar).to_have_text(re.compile(r"^1 day with a session"))

    # Edit from the progress page: untick one exercise, change the pain score.
    page.get_by_role("link", name=re.compile("^Edit the session of")).click()
    expect(page.get_by_role("heading", name=re.compile("^Change the session of"))).to_be_visible()
    axe()
    page.get_by_role("checkbox", name="Done: Dead bug").uncheck()
    page.get_by_role("group", name="Pain during the session").get_by_label("4", exact=True).check()
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    axe()
    session.refresh_from_db()
    assert session.pain_during == 4
    assert [e.exercise.slug for e in session.entries.order_by("id")] == ["bridge", "bird-dog"]

    # Delete, after a confirmation page, and the progress page no longer counts it.
    page.get_by_role("link", name=re.compile("^Delete the session of")).click()
    expect(page.get_by_role("heading", name=re.compile("^Delete the session of"))).to_be_visible()
    axe()
    page.get_by_role("button", name="Delete this session").click()
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    expect(page.get_by_text(re.compile("^Deleted the session of"))).to_be_visible()
    axe()
    expect(this_week).to_have_text(re.compile(r"^0\b"))
    expect(calendar).to_have_text(re.compile(r"^0 days with a session"))
    assert not Session.objects.filter(patient=patient).exists()


def test_without_javascript_lines_are_added_and_removed_by_real_buttons(nojs, patient):
    page, guard = nojs
    page.set_viewport_size(PHONE)
    log_in(page, guard.axe, patient.email, PASSWORD)
    page.goto("/progress/log/?items=bridge")
    guard.axe()
    lines = page.locator(".log-line")
    expect(lines).to_have_count(1)
    page.get_by_label("Reps of Bridge").fill("9")
    page.get_by_label("Add an exercise").fill("Dead bug")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(lines).to_have_count(2)
    expect(page.locator("#log-status")).to_have_text("Added Dead bug.")
    expect(page.get_by_label("Reps of Bridge")).to_have_value("9")
    guard.axe()
    page.get_by_role("button", name="Remove Bridge").click()
    expect(lines).to_have_count(1)
    guard.axe()
    page.get_by_role("group", name="Pain during the session").get_by_label("1", exact=True).check()
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    guard.axe()
    entry = Session.objects.get(patient=patient).entries.get()
    assert entry.exercise.slug == "dead-bug"
