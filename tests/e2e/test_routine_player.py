"""The hands-free routine player on a phone: count-in, paced reps without a tap, sets and
sides, the breathing pacer, the total time left, the wake lock and the one-tap log at the end.

Playwright's clock runs the page's timers: time flows as usual and `run_for` skips ahead, so
a three-exercise routine takes seconds. The pace and count-in are set through the player's own
settings, as a patient would.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from apps.exercises import player as rules
from apps.exercises.models import Exercise
from apps.progress.models import Session
from tests.e2e.journeys import log_in, sign_in
from tests.factories import PASSWORD

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
ITEMS = ["dead-bug", "side-plank", "breathing-90-90"]
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", tempfile.gettempdir())) / "routine-player"


def clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def seconds_of(text: str) -> int:
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def run_until(page: Page, locator: Locator, pattern: str, limit: int = 180_000) -> None:
    """Skip ahead a quarter second at a time until the text matches, so every check starts
    from a known moment however slowly the machine runs."""
    for _ in range(limit // 250):
        if re.search(pattern, locator.text_content() or ""):
            return
        page.clock.run_for(250)
    raise AssertionError(f"{locator} never matched {pattern!r}")


def shoot(page: Page, name: str) -> None:
    """Phone and desktop screenshots of the current state (for a person to look at)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"routine-{name}-phone.png")
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=SHOTS / f"routine-{name}-desktop.png")
    page.set_viewport_size(PHONE)


def test_a_patient_runs_a_routine_without_a_tap_and_saves_it_with_one(
    page: Page, axe, base_url, patient, content
):
    page.set_viewport_size(PHONE)
    page.clock.install()
    sign_in(page, base_url, patient)
    page.goto(f"/exercises/routine/?items={','.join(ITEMS)}")
    player = page.locator("[data-routine]")
    expect(page.get_by_role("heading", name="Now: Dead bug")).to_be_visible()
    axe()  # start

    # The current exercise's steps and cues are in the player; the list keeps names and doses.
    dead_bug = Exercise.objects.get(slug="dead-bug")
    howto = player.locator('[data-role="howto"]')
    expect(howto).to_contain_text(dead_bug.steps[0])
    expect(howto).to_contain_text(dead_bug.cues[0])
    expect(page.locator("[data-routine-plan] [data-howto]").first).to_be_hidden()

    # The player's total starts from the server's (same rules, default pace and count-in).
    total = player.locator('[data-role="total"]')
    server_total = page.locator("[data-total-seconds]").get_attribute("data-total-seconds")
    assert int(server_total) == rules.routine_seconds(Exercise.objects.in_slug_order(ITEMS))
    expect(total).to_have_text(clock(int(server_total)))
    expect(player).to_have_attribute("data-wake-lock", "off")

    # A quicker pace and a shorter count-in, through the settings.
    page.get_by_text("Player settings").click()
    page.get_by_label("Seconds for each rep").select_option("1")
    page.get_by_label("Get-ready count-in").select_option("3")
    quick = rules.routine_seconds(Exercise.objects.in_slug_order(ITEMS), tempo=1, ready=3)
    expect(total).to_have_text(clock(quick))
    expect(page.locator('[data-role="routine-total"]')).to_contain_text(
        "at 1 second a rep with a 3-second count-in"
    )
    page.get_by_text("Player settings").click()
    server_token = page.locator('input[name="client_token"]').input_value()

    page.get_by_role("button", name="Start").click()
    phase = player.locator('[data-role="phase"]')
    detail = player.locator('[data-role="detail"]')
    count = player.locator('[data-role="count"]')
    expect(phase).to_have_text("Get ready")
    expect(player.get_by_role("status")).to_have_text("Get ready: Dead bug. Set 1 of 1.")
    expect(player).to_have_attribute("data-wake-lock", "held")  # the screen stays on
    expect(page.get_by_label("Seconds for each rep")).to_be_disabled()

    # Reps paced on their own, one a second.
    expect(phase).to_have_text("One rep with each beep")
    expect(detail).to_have_text("Set 1 of 1")
    expect(count).to_have_text("Rep 2 of 12")
    before = seconds_of(total.text_content())
    page.clock.run_for(2000)
    assert seconds_of(total.text_content()) <= before - 2, "the total time left counts down"
    axe()  # running
    shoot(page, "running")

    # Pause stops the clock and lets the screen sleep; resume takes the lock again.
    page.get_by_role("button", name="Pause").click()
    expect(player).to_have_attribute("data-wake-lock", "off")
    frozen = total.text_content()
    page.clock.run_for(3000)
    assert total.text_content() == frozen
    page.get_by_role("button", name="Resume").click()
    expect(player).to_have_attribute("data-wake-lock", "held")

    # The reps finish without any tap; the side plank counts down each side in turn.
    heading = page.locator("#player-heading")
    run_until(page, heading, "Now: Side plank")
    expect(howto).to_contain_text(Exercise.objects.get(slug="side-plank").steps[0])
    expect(detail).to_have_text("Set 1 of 1 · left side")
    run_until(page, phase, "^Hold$")
    expect(detail).to_have_text("Set 1 of 1 · left side")
    run_until(page, phase, "^Switch sides$")
    expect(detail).to_have_text("Set 1 of 1 · right side")
    run_until(page, phase, "^Hold$")
    expect(detail).to_have_text("Set 1 of 1 · right side")

    # The breathing pacer: each phase with its seconds, and the rounds (4 in, 6 out, 120 s).
    page.emulate_media(reduced_motion="reduce")
    run_until(page, heading, "Now: 90/90 breathing")
    label = player.locator('[data-role="pacer-label"]')
    rounds = player.locator('[data-role="pacer-round"]')
    run_until(page, phase, "^Breathe$")
    expect(label).to_have_text(re.compile(r"^Breathe in · [1-4]$"))
    expect(rounds).to_have_text("Round 1 of 12")
    expect(player.locator('[data-role="pacer-shape"]')).to_be_hidden()  # no motion asked for
    run_until(page, label, "^Breathe out")
    expect(label).to_have_text(re.compile(r"^Breathe out · [1-6]$"))
    expect(player).to_have_attribute("data-breath", "exhale")
    run_until(page, rounds, "^Round 2 of 12$")
    expect(label).to_have_text(re.compile(r"^Breathe in · [1-4]$"))
    axe()  # breathing
    shoot(page, "breathing")

    page.clock.run_for(110_000)
    done = page.get_by_role("heading", name="Routine complete")
    run_until(page, page.locator("#done-heading"), "Routine complete")
    expect(done).to_be_focused()
    expect(player).to_be_hidden()
    expect(player).to_have_attribute("data-wake-lock", "off")
    axe()  # end
    shoot(page, "end")

    # Pre-filled: a token of this run's own and today's date; one tap on the pain score saves.
    form = page.locator('form[action="/progress/log/"]')
    token = form.locator('input[name="client_token"]').input_value()
    assert token != server_token and re.fullmatch(r"[0-9a-f-]{36}", token)
    performed_on = form.locator('input[name="performed_on"]').input_value()
    assert performed_on == page.evaluate(
        "() => { const d = new Date(); return [d.getFullYear(),"
        " String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')]"
        ".join('-'); }"
    )
    expect(page.get_by_role("link", name="Change the details before saving")).to_have_attribute(
        "href", "/progress/log/?items=dead-bug%2Cside-plank%2Cbreathing-90-90"
    )
    pain = page.get_by_role("group", name="Pain during the routine")
    pain.get_by_role("button", name="2", exact=True).click()
    expect(page.get_by_text("Session saved.")).to_be_visible()
    axe()

    session = Session.objects.get(patient=patient)
    assert session.pain_during == 2
    assert session.performed_on == dt.date.fromisoformat(performed_on)
    entries = [(e.exercise.slug, e.sets, e.reps, e.hold_seconds) for e in session.entries.all()]
    assert entries == [
        ("dead-bug", 1, 12, None),
        ("side-plank", 1, None, 15),
        ("breathing-90-90", 1, None, 120),
    ]


def test_tap_mode_is_remembered_and_a_skipped_exercise_is_not_logged(
    page: Page, axe, base_url, patient, content
):
    page.set_viewport_size(PHONE)
    page.clock.install()
    sign_in(page, base_url, patient)
    page.goto("/exercises/routine/?items=plank,dead-bug&reps=3")
    axe()
    page.get_by_text("Player settings").click()
    page.get_by_label("I tap after each rep").check()
    page.get_by_label("Get-ready count-in").select_option("0")
    page.reload()
    axe()
    page.get_by_text("Player settings").click()
    expect(page.get_by_label("I tap after each rep")).to_be_checked()
    expect(page.get_by_label("Get-ready count-in")).to_have_value("0")

    # Straight past the plank to the dead bug, whose reps wait for a tap each.
    player = page.locator("[data-routine]")
    page.get_by_role("button", name="Next exercise").click()
    expect(page.get_by_role("heading", name="Now: Dead bug")).to_be_visible()
    page.get_by_role("button", name="Start").click()
    expect(player.locator('[data-role="phase"]')).to_have_text("Tap after each rep")
    tap = page.get_by_role("button", name="Count a rep")
    page.clock.run_for(30_000)
    expect(player.locator('[data-role="count"]')).to_have_text("Rep 1 of 3")  # none counted for you
    expect(player.locator('[data-role="total"]')).to_have_text("0:09")
    axe()
    for _ in range(3):
        tap.click()
    expect(page.get_by_role("heading", name="Routine complete")).to_be_visible()
    axe()

    page.get_by_role("group", name="Pain during the routine").get_by_role(
        "button", name="0", exact=True
    ).click()
    expect(page.get_by_text("Session saved.")).to_be_visible()
    axe()
    session = Session.objects.get(patient=patient)
    assert [(e.exercise.slug, e.reps) for e in session.entries.all()] == [("dead-bug", 12)]


def test_without_a_wake_lock_the_player_still_runs_and_a_guest_is_asked_to_log_in(
    page: Page, axe, content
):
    page.set_viewport_size(PHONE)
    # A browser without the Screen Wake Lock API.
    page.add_init_script("delete Navigator.prototype.wakeLock;")
    page.goto("/exercises/routine/?items=chin-tuck&ready=0&hold=1&rest=0&reps=2")
    player = page.locator("[data-routine]")
    expect(player).to_have_attribute("data-wake-lock", "unsupported")
    axe()
    page.get_by_role("button", name="Start").click()
    expect(player.locator('[data-role="count"]')).to_have_text("Rep 2 of 2")
    expect(page.get_by_role("heading", name="Routine complete")).to_be_visible()
    expect(player).to_have_attribute("data-wake-lock", "unsupported")
    done = page.locator('[data-role="done"]')
    expect(done.get_by_role("link", name="log in")).to_have_attribute(
        "href", "/accounts/login/?next=%2Fprogress%2Flog%2F%3Fitems%3Dchin-tuck"
    )
    # The form is on the page for the offline copy, hidden from a guest.
    expect(page.locator('form[action="/progress/log/"]')).to_be_hidden()
    axe()


def test_without_javascript_every_step_is_listed_and_one_tap_saves(nojs, patient, content):
    page, guard = nojs
    page.set_viewport_size(PHONE)
    log_in(page, guard.axe, patient.email, PASSWORD)
    page.goto(f"/exercises/routine/?items={','.join(ITEMS)}")
    guard.axe()
    expect(page.locator("[data-routine]")).to_be_hidden()
    for slug in ITEMS:
        exercise = Exercise.objects.get(slug=slug)
        expect(page.get_by_text(exercise.steps[-1], exact=True)).to_be_visible()
        expect(page.get_by_text(exercise.cues[0], exact=True)).to_be_visible()
        expect(page.get_by_text(exercise.dosage_text, exact=True)).to_be_visible()
    page.get_by_role("group", name="Pain during the routine").get_by_role(
        "button", name="4", exact=True
    ).click()
    expect(page.get_by_text("Session saved.")).to_be_visible()
    guard.axe()
    assert Session.objects.filter(patient=patient).count() == 1
    assert Session.objects.get(patient=patient).entries.count() == 3
