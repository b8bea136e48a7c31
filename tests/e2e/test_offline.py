"""The installed app offline: exercise pages and the routine from the service worker's copies,
nothing of a signed-in person in its caches, and a session logged offline saved exactly once.

How the network is cut: `context.set_offline(True)` makes Chromium refuse the page's requests
and, in this Playwright and Chromium, the service worker's own fetches too (the test checks
that a request from the worker fails while offline, so it would notice if that changed).
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from apps.accounts.models import WebSession
from apps.progress.models import Session
from apps.screening.triage import Urgency
from tests.e2e.journeys import log_in, log_in_with_code
from tests.factories import PASSWORD, TOTP_SECRET
from tests.screening.factories import ScreeningFactory

DETAIL = "/exercises/side-plank/"
ROUTINE = "/exercises/routine/?items=chin-tuck,side-plank"

CACHED_URLS = """async () => {
    const urls = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) urls.push(request.url);
    }
    return urls;
}"""

CACHED_PAGES = """async () => {
    const pages = [];
    for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) {
            const response = await cache.match(request);
            if ((response.headers.get("Content-Type") || "").startsWith("text/html")) {
                pages.push([request.url, await response.text()]);
            }
        }
    }
    return pages;
}"""


# Generous: on a loaded 2-core machine the worker's send (a fresh CSRF token, then the post)
# has taken more than 10 s; a real phone has minutes. A send that never happens still fails.
def wait_until(check, message: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, message
        time.sleep(0.1)


WORKER_READY = """() => Promise.race([
    navigator.serviceWorker.ready.then(() => true),
    new Promise((resolve) => setTimeout(() => resolve(false), 20000)),
])"""


def controlled(page: Page) -> None:
    """Wait until the service worker is installed and controls this page.

    A page whose navigation began while the worker was activating can miss its claim (more
    likely on a loaded machine); a person would open it again, so the test reloads it once.
    """
    assert page.evaluate(WORKER_READY), "the service worker never became ready"
    try:
        page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)", timeout=3000)
    except PlaywrightTimeoutError:
        page.reload()
        page.wait_for_function("() => Boolean(navigator.serviceWorker.controller)")


def cached_paths(page: Page) -> set[str]:
    return {re.sub(r"^https?://[^/]+", "", url) for url in page.evaluate(CACHED_URLS)}


def wait_cached(page: Page, path: str) -> None:
    wait_until(lambda: path in cached_paths(page), f"{path} was not kept for offline use")


def test_exercise_pages_and_the_routine_work_offline_once_visited(page: Page, axe):
    page.goto("/exercises/")
    controlled(page)
    axe()
    page.goto(DETAIL)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Side plank", re.I))
    axe()
    page.goto(ROUTINE)
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    axe()
    for path in ("/exercises/", DETAIL, ROUTINE, "/offline/", "/offline/saved/"):
        wait_cached(page, path)

    page.context.set_offline(True)
    # The worker's own requests fail too (it fetches static files itself; an unknown one
    # would be a 404 if it reached the server), so what follows comes from its caches.
    missing = "fetch('/static/js/missing.js').then(r => r.status, () => 'down')"
    assert page.evaluate(missing) == "down"
    page.reload()
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_enabled()
    expect(page.locator("[data-offline-status]")).to_contain_text("You are offline")
    axe()
    page.goto(DETAIL)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Side plank", re.I))
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_enabled()
    axe()
    page.goto("/exercises/")
    expect(page.get_by_role("heading", name="Exercise library")).to_be_visible()
    expect(page.get_by_text("keep working without a connection")).to_be_visible()
    axe()
    # A page never opened, or one with a person's records: the offline page.
    page.goto("/exercises/routine/?items=chin-tuck")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    axe()
    page.context.set_offline(False)


def test_a_signed_in_patient_leaves_nothing_personal_in_the_caches(
    page: Page, axe, patient, content
):
    patient.display_name = "Zebedee Quartermaine"  # a name no page has by chance
    patient.save()
    log_in(page, axe, patient.email, PASSWORD)
    controlled(page)
    page.goto("/progress/")
    axe()
    page.goto(DETAIL)
    axe()
    page.goto("/progress/log/")
    axe()
    wait_cached(page, DETAIL)

    paths = cached_paths(page)
    assert not {p for p in paths if p.startswith(("/progress", "/account", "/plan"))}, paths
    pages = page.evaluate(CACHED_PAGES)
    assert {re.sub(r"^https?://[^/]+", "", url) for url, _ in pages} <= {
        "/exercises/",
        DETAIL,
        "/offline/",
        "/offline/saved/",
    }
    for url, html in pages:
        assert patient.email not in html, url
        assert patient.display_name not in html, url
        assert "Log out" not in html, f"{url} was kept from a signed-in request"

    # Logging out clears the worker's caches and storage (Clear-Site-Data).
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    axe()
    assert DETAIL not in cached_paths(page)


def test_a_session_logged_offline_is_saved_once_when_the_connection_returns(
    page: Page, axe, patient, content
):
    log_in(page, axe, patient.email, PASSWORD)
    controlled(page)
    page.goto("/progress/log/?items=chin-tuck")
    expect(page.get_by_role("heading", name="Log a session")).to_be_visible()
    axe()
    page.get_by_role("group", name="Pain during the session").get_by_label("2", exact=True).check()
    page.get_by_label("Note (optional)").fill("Logged on the train")

    page.context.set_offline(True)
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Saved on this device")).to_be_visible()
    status = page.locator("[data-offline-status]")
    expect(status).to_have_attribute("data-pending", "1")
    expect(status).to_contain_text("One session is saved on this device")
    axe()
    assert Session.objects.count() == 0

    page.context.set_offline(False)  # the page's "online" event asks the worker to send it
    wait_until(lambda: Session.objects.count() == 1, "the kept session was not sent")
    expect(status).to_contain_text("has been sent")
    expect(status).to_have_attribute("data-pending", "0")
    session = Session.objects.get()
    assert session.patient == patient and session.note == "Logged on the train"

    # Every other trigger finds nothing left to send.
    page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'flush'})")
    page.goto("/progress/")
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    axe()
    page.wait_for_timeout(500)
    assert Session.objects.count() == 1


def test_a_closed_care_gate_takes_the_offline_copies_away(page: Page, axe, patient, content):
    log_in(page, axe, patient.email, PASSWORD)
    controlled(page)
    page.goto(DETAIL)
    axe()
    wait_cached(page, DETAIL)

    ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)
    page.goto(DETAIL)  # online, the server closes the page and says so
    expect(page.locator("#gate-heading")).to_be_visible()
    axe()
    wait_until(lambda: DETAIL not in cached_paths(page), "the copy outlived the closed gate")

    page.context.set_offline(True)
    page.goto(DETAIL)
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    axe()
    page.goto("/exercises/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()
    axe()
    page.context.set_offline(False)


def test_a_kept_session_waits_for_its_own_account_on_a_shared_device(
    page: Page, axe, patient, other_patient, content
):
    log_in(page, axe, patient.email, PASSWORD)
    controlled(page)
    page.goto("/progress/log/?items=chin-tuck")
    axe()
    page.get_by_role("group", name="Pain during the session").get_by_label("3", exact=True).check()
    page.context.set_offline(True)
    page.get_by_role("button", name="Save session").click()
    expect(page.get_by_role("heading", name="Saved on this device")).to_be_visible()
    axe()

    # The sign-in runs out while offline (no log-out, so nothing clears the device), and
    # someone else signs in on the same browser.
    WebSession.objects.all().delete()  # every browser signed out
    page.context.set_offline(False)
    log_in(page, axe, other_patient.email, PASSWORD)
    page.goto("/progress/")
    axe()
    expect(page.locator("[data-offline-status]")).to_have_attribute("data-pending", "1")
    assert not Session.objects.exists()

    WebSession.objects.all().delete()  # every browser signed out
    log_in(page, axe, patient.email, PASSWORD)
    wait_until(lambda: Session.objects.exists(), "the kept session was not sent")
    assert Session.objects.get().patient == patient


# The routine's one-tap log, offline. The player's copy is anonymous, so the form in it is
# hidden behind a guest's log-in link; routine.js shows it when sw-register.js recorded a
# patient signed in on this device. Quick settings: one-second holds, no count-in or rests.
QUICK = "/exercises/routine/?items=chin-tuck,side-plank&ready=0&hold=1&rest=0&reps=1&sets=1"
RECORDED = "() => localStorage.getItem('backpain-patient')"


def run_offline_copy(page: Page, axe) -> None:
    """Open the player's copy with the network cut and run it to the end."""
    page.context.set_offline(True)
    page.goto(QUICK)
    expect(page.locator('meta[name="backpain-copy"]')).to_have_count(1)
    start = page.get_by_role("button", name="Start", exact=True)
    expect(start).to_be_enabled()
    axe()
    start.click()
    expect(page.get_by_role("heading", name="Routine complete")).to_be_visible(timeout=20_000)


def test_a_patient_finishes_the_routine_offline_and_logs_it_with_one_tap(
    page: Page, axe, patient, content
):
    log_in(page, axe, patient.email, PASSWORD)
    controlled(page)
    page.goto(QUICK)
    done = page.locator('[data-role="done"]')
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    axe()
    mark = page.locator('meta[name="backpain-account"]').get_attribute("content")
    assert page.evaluate(RECORDED) == mark
    wait_cached(page, QUICK)
    html = dict(page.evaluate(CACHED_PAGES))[f"{page.url.split('/exercises/')[0]}{QUICK}"]
    assert "Log out" not in html and mark not in html
    assert '<div data-role="log-quick" hidden>' in html

    run_offline_copy(page, axe)
    expect(done.get_by_role("link", name="log in")).to_be_hidden()
    scale = page.get_by_role("group", name="Pain during the routine")
    expect(scale).to_be_visible()
    axe()
    scale.get_by_role("button", name="3", exact=True).click()
    expect(page.get_by_role("heading", name="Saved on this device")).to_be_visible()
    status = page.locator("[data-offline-status]")
    expect(status).to_have_attribute("data-pending", "1")
    axe()
    assert Session.objects.count() == 0
    # The saved page is a copy too: the record of the patient stays.
    assert page.evaluate(RECORDED) == mark

    page.context.set_offline(False)  # the page's "online" event asks the worker to send it
    wait_until(lambda: Session.objects.count() == 1, "the kept session was not sent")
    expect(status).to_contain_text("has been sent")
    session = Session.objects.get()
    assert session.patient == patient and session.pain_during == 3
    assert [e.exercise.slug for e in session.entries.all()] == ["chin-tuck", "side-plank"]

    page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'flush'})")
    page.goto("/progress/")
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    axe()
    page.wait_for_timeout(500)
    assert Session.objects.count() == 1


def test_offline_a_guest_is_asked_to_log_in_at_the_end_of_the_routine(page: Page, axe, content):
    page.goto(QUICK)
    controlled(page)
    axe()
    wait_cached(page, QUICK)
    assert page.evaluate(RECORDED) is None

    run_offline_copy(page, axe)
    done = page.locator('[data-role="done"]')
    expect(done.get_by_role("link", name="log in")).to_be_visible()
    expect(page.locator('form[action="/progress/log/"]')).to_be_hidden()
    axe()
    page.context.set_offline(False)


def test_a_clinician_gets_no_log_form_online_or_offline(page: Page, axe, clinician, content):
    log_in_with_code(page, axe, clinician.email, PASSWORD, TOTP_SECRET)
    controlled(page)
    # Say a patient had been recorded here: a clinician's page clears it.
    page.evaluate("() => localStorage.setItem('backpain-patient', 'someone')")
    page.goto(QUICK)
    expect(page.get_by_role("button", name="Start", exact=True)).to_be_visible()
    axe()
    expect(page.locator('form[action="/progress/log/"]')).to_have_count(0)
    assert page.evaluate(RECORDED) is None
    wait_cached(page, QUICK)

    run_offline_copy(page, axe)
    expect(page.locator('form[action="/progress/log/"]')).to_be_hidden()
    expect(page.locator('[data-role="done"]').get_by_role("link", name="log in")).to_be_visible()
    axe()
    page.context.set_offline(False)


def test_back_online_before_the_tap_the_copy_is_sent_with_a_fresh_token(
    page: Page, axe, patient, content
):
    log_in(page, axe, patient.email, PASSWORD)
    controlled(page)
    page.goto(QUICK)
    axe()
    wait_cached(page, QUICK)

    run_offline_copy(page, axe)
    page.context.set_offline(False)
    # The copy's CSRF token was a stranger's: straight to the server it would be refused.
    page.get_by_role("group", name="Pain during the routine").get_by_role(
        "button", name="5", exact=True
    ).click()
    expect(page.get_by_role("heading", name="Saved on this device")).to_be_visible()
    wait_until(lambda: Session.objects.count() == 1, "the kept session was not sent")
    expect(page.locator("[data-offline-status]")).to_contain_text("has been sent")
    axe()
    session = Session.objects.get()
    assert session.patient == patient and session.pain_during == 5
    page.wait_for_timeout(500)
    assert Session.objects.count() == 1
