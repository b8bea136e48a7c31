"""Screenshots of every main page and state, and checks that hold on every page.

Each page is loaded once at phone size; axe runs on it in dark and light colours, it must
not scroll sideways at 390 px, and it is photographed full length on a phone (390 × 844) and
a desktop (1366 × 900) in light and dark to artifacts/screenshots/<viewport>-<scheme>/ for a
person to look at (the folder is not committed). Data comes from the demo (`seed_demo`),
so pages look as they do for someone trying the app.

Every problem is collected and reported at the end, so one bad page does not hide the rest
or leave the screenshots half taken.
"""

from __future__ import annotations

import re
import shutil
from urllib.parse import urldefrag

from playwright.sync_api import Page, expect

from apps.accounts.management.commands.seed_demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from apps.accounts.models import User
from apps.checklist.models import Run
from apps.screening.models import Question, Screening
from tests.e2e.conftest import ROOT, PageGuard
from tests.e2e.journeys import log_in, log_in_with_code
from tests.factories import PASSWORD, UserFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
SCHEMES = ("light", "dark")
OUT = ROOT / "artifacts" / "screenshots"


class Camera:
    """Check and photograph the page as it stands, numbering the shots in order."""

    def __init__(self, page: Page, guard: PageGuard) -> None:
        self.page = page
        self.guard = guard
        self.count = 0
        self.problems: list[str] = []
        for viewport in VIEWPORTS:
            for scheme in SCHEMES:
                folder = OUT / f"{viewport}-{scheme}"
                shutil.rmtree(folder, ignore_errors=True)  # no stale shots of renamed pages
                folder.mkdir(parents=True)

    def shoot(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        self.count += 1
        url = urldefrag(page.url).url
        try:
            self.guard.axe_in_both_schemes()
        except AssertionError as error:
            self.problems.append(f"{name}: {error}")
            self.guard.checked.add(url)  # checked, and failed: reported once, below
        overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if overflow[0] > overflow[1]:
            self.problems.append(
                f"{name}: scrolls sideways at {overflow[1]} px (content {overflow[0]} px wide)"
            )
        for viewport, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                page.screenshot(
                    path=OUT / f"{viewport}-{scheme}" / f"{self.count:02d}-{name}.png",
                    full_page=True,
                    animations="disabled",
                    caret="hide",
                )
        page.set_viewport_size(PHONE)
        page.emulate_media(color_scheme="light")

    def visit(self, url: str, name: str) -> None:
        self.page.goto(url)
        self.shoot(name)


def screened(user: User, yes: set[str], keys: list[str] | None = None) -> Screening:
    """A finished warning-signs check, answered yes to `yes` and no to the rest of `keys`."""
    screening = Screening.objects.create(user=user)
    for question in Question.objects.active():
        if keys is None or question.key in keys:
            screening.record(question, "yes" if question.key in yes else "no")
    screening.complete()
    return screening


def test_every_page_in_light_and_dark_on_a_phone_and_a_desktop(
    page: Page, guard: PageGuard, demo_data
):
    # Long pages photographed four times: allow more than a journey's 10 s on a busy machine.
    page.set_default_timeout(30_000)
    page.set_viewport_size(PHONE)
    camera = Camera(page, guard)

    # A guest.
    camera.visit("/", "home")
    camera.visit("/accounts/login/", "log-in")
    camera.visit("/accounts/signup/", "sign-up")
    camera.visit("/no-such-page/", "not-found")
    camera.visit("/offline/", "offline")

    # A patient who has just signed up.
    newcomer = UserFactory(email="new@example.org", display_name="Robin")
    log_in(page, guard.axe, newcomer.email, PASSWORD)
    camera.shoot("today-new-patient")
    camera.visit("/screening/", "warning-signs-start")
    page.get_by_role("button", name="Start the check").click()
    expect(page.locator(".progress__label")).to_have_text(re.compile(r" 1 of \d+$"))
    camera.shoot("warning-signs-step")
    camera.visit("/checklist/", "checklist-start")
    page.get_by_role("button", name=re.compile("^Start")).click()
    expect(page.locator(".progress__label")).to_have_text(re.compile(r" 1 of \d+$"))
    camera.shoot("checklist-step")
    # Results made directly: clicking through every question would add nothing to the look.
    no_flag = screened(newcomer, yes=set())
    camera.visit(no_flag.get_absolute_url(), "warning-signs-result-no-flag")
    urgent = screened(newcomer, yes={"night_pain"})
    camera.visit(urgent.get_absolute_url(), "warning-signs-result-urgent")
    # The check stops at the first emergency answer, so that is the only one recorded.
    emergency = screened(newcomer, yes={"bladder_bowel"}, keys=["bladder_bowel"])
    camera.visit(emergency.get_absolute_url(), "warning-signs-result-emergency")
    page.context.clear_cookies()

    # The demo patient, with ten weeks of history.
    sam = User.objects.get(email="patient@example.com")
    log_in(page, guard.axe, sam.email, DEMO_PASSWORD)
    camera.shoot("today-with-history")
    camera.visit("/plan/", "plan")
    camera.visit("/progress/", "progress")
    camera.visit("/progress/log/", "quick-log")
    camera.visit("/progress/check-in/", "check-in")
    camera.visit("/progress/reminder/", "reminders")
    latest = Run.objects.filter(user=sam).latest_completed_first().first()
    camera.visit(latest.get_absolute_url(), "checklist-result")
    camera.visit("/checklist/history/", "checklist-history")
    camera.visit("/exercises/", "library")
    camera.visit("/exercises/?kind=strength&difficulty=gentle", "library-filtered")
    camera.visit("/exercises/bridge/", "exercise")
    camera.visit("/exercises/routine/?items=cat-cow,bridge,bird-dog", "routine-player")
    camera.visit("/account/sharing/", "sharing")
    camera.visit("/account/", "account")
    camera.visit("/account/export/", "export")
    camera.visit("/accounts/email/", "email-addresses")
    camera.visit("/accounts/password/change/", "password-change")
    page.context.clear_cookies()

    # The demo clinician, with a caseload of thirty made-up patients and Sam.
    log_in_with_code(page, guard.axe, "clinician@example.com", DEMO_PASSWORD, DEMO_TOTP_SECRET)
    camera.shoot("clinic-dashboard")
    review = f"/clinic/patients/{sam.uuid}/"
    camera.visit(review, "clinic-review")
    camera.visit(review + "prescribe/", "clinic-prescribe")
    camera.visit(review + "report/", "clinic-report")

    assert not camera.problems, "\n".join(camera.problems)
