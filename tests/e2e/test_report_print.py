"""A linked clinician prints a patient's report: A4, nothing wider than the page, a real PDF."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse
from playwright.sync_api import Page, expect

from apps.progress.models import Plan, PlanItem, PlanKind, SessionEntry
from tests.e2e.journeys import totp_code
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    CheckInFactory,
    ExerciseFactory,
    SessionFactory,
    monday,
)
from tests.screening.factories import answered_screening

# A4 is 210 mm wide; print.css leaves 12 mm margins each side: 186 mm at 96 px per inch.
PRINTABLE_WIDTH = round(186 / 25.4 * 96)
A4_HEIGHT = round(297 / 25.4 * 96)

# Every box that reaches past the page, or whose content is wider than the box itself.
TOO_WIDE = """() => {
  const page = document.documentElement.clientWidth;
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const clipped = el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1;
    if (box.right > page + 1 || box.left < -1 || clipped) {
      const name = `${el.tagName.toLowerCase()}.${el.className.baseVal ?? el.className}`;
      found.push(`${name} ${Math.round(box.width)}px: ${(el.textContent || "").slice(0, 30)}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, page, found};
}"""


def log_in_with_code(page: Page, axe: Callable[[], None], email: str) -> None:
    """Log in through the real forms: password, then the authenticator app's current code.

    The code box is found by its name: its visible label is allauth's ("Code:").
    """
    page.goto("/accounts/login/")
    axe()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    code = page.locator("input[name=code]")
    expect(code).to_be_visible()
    axe()
    code.fill(totp_code(TOTP_SECRET))
    code.press("Enter")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    axe()


def long_history(patient, clinician) -> None:
    """A year of check-ins, sessions, a triggered check and a prescribed plan: a long report,
    with a note in one unbroken word that would push a careless table off the page."""
    exercises = [ExerciseFactory(name="Pelvic tilt"), ExerciseFactory(name="Bridge")]
    for week in range(52):
        note = "Supercalifragilisticexpialidocious" * 4 if week == 3 else f"Week {week} went ok"
        CheckInFactory(
            patient=patient, week_start=monday(week), pain_average=week % 7, pain_worst=8, note=note
        )
        session = SessionFactory(patient=patient, performed_on=monday(week), pain_during=2)
        for exercise in exercises:
            SessionEntry.objects.create(session=session, exercise=exercise, sets=2, reps=10)
    answered_screening(patient, {"possible_fracture": "yes", "weight_loss": "unsure"})
    plan = Plan.objects.create(
        patient=patient, author=clinician, kind=PlanKind.PRESCRIBED, note="Little and often."
    )
    for order, exercise in enumerate(exercises):
        PlanItem.objects.create(plan=plan, exercise=exercise, order=order, sets=3, reps=10)


def test_a_clinician_prints_a_report_that_fits_a4(page: Page, axe, patient, clinician, tmp_path):
    long_history(patient, clinician)
    log_in_with_code(page, axe, clinician.email)

    page.set_viewport_size({"width": PRINTABLE_WIDTH, "height": A4_HEIGHT})
    page.goto(reverse("clinic:report", args=[patient.uuid]))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Report on Pat"))
    axe()

    page.emulate_media(media="print")
    axe()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.get_by_role("link", name=re.compile("Download"))).to_have_count(0)
    expect(page.get_by_text("It is not a diagnosis")).to_be_visible()
    expect(page.locator("[data-check-ins] tbody tr")).to_have_count(52)
    expect(page.locator("[data-urgency=urgent]")).to_be_visible()

    layout = page.evaluate(TOO_WIDE)
    assert layout["scroll"] <= layout["page"], layout
    assert layout["found"] == [], layout
    chart = page.locator("#report-pain-chart-title").locator("xpath=..").bounding_box()
    assert chart is not None and chart["width"] <= PRINTABLE_WIDTH
    page.screenshot(path=tmp_path / "report-print.png", full_page=True)

    pdf = page.pdf(format="A4", path=tmp_path / "report.pdf")
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages >= 1
