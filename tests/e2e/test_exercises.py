from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_filters_and_search_update_live_with_one_request_each(page: Page, axe):
    page.goto("/exercises/")
    expect(page.locator("#result-count")).to_contain_text("in the library")
    axe()
    htmx_requests: list[str] = []
    page.on(
        "request", lambda r: htmx_requests.append(r.url) if r.headers.get("hx-request") else None
    )

    page.get_by_label("Kind").select_option("breathing")
    expect(page.locator("#result-count")).to_have_text("5 exercises match your search")
    assert query(page.url)["kind"] == ["breathing"]
    assert len(htmx_requests) == 1
    axe()

    page.get_by_label("Search").fill("box")
    expect(page.locator("#result-count")).to_have_text(
        "1 exercise matches your search".replace("matches", "match")
    )
    expect(page.get_by_role("link", name="Box breathing")).to_be_visible()
    assert query(page.url) == {"kind": ["breathing"], "q": ["box"]}
    page.get_by_label("Difficulty").focus()  # leaving the search box must not send a second request
    assert len(htmx_requests) == 2

    page.get_by_label("Search").fill("nothing like this at all")
    expect(page.get_by_role("heading", name="No exercises match")).to_be_visible()
    axe()  # the empty state

    page.go_back()
    expect(page.get_by_role("link", name="Box breathing")).to_be_visible()
    axe()

    page.get_by_role("link", name="Box breathing").click()
    expect(page.get_by_role("heading", level=1, name="Box breathing")).to_be_visible()
    axe()


def test_filters_work_without_javascript(nojs, axe):
    page, guard = nojs
    page.goto("/exercises/")
    guard.axe()
    page.get_by_label("Body region").select_option("ankle")
    page.get_by_label("Search").fill("calf")
    page.get_by_role("button", name="Show exercises").click()
    expect(page.locator("#result-count")).to_have_text("1 exercise match your search")
    assert query(page.url)["region"] == ["ankle"] and query(page.url)["q"] == ["calf"]
    expect(page.get_by_role("link", name="Calf stretch")).to_be_visible()
    guard.axe()
    # The dosage is there as text; the timer stays hidden without JavaScript.
    page.get_by_role("link", name="Calf stretch").click()
    expect(page.locator(".dosage").first).to_be_visible()
    expect(page.locator("[data-timer]")).to_be_hidden()
    guard.axe()


def test_the_hold_timer_runs_a_per_side_hold(page: Page, axe):
    # Side plank: 15 s per side; shortened through the URL so the test runs in seconds.
    page.goto("/exercises/side-plank/?ready=1&hold=2&rest=1")
    axe()
    timer = page.locator("[data-timer]")
    phase = timer.locator('[data-role="phase"]')
    count = timer.locator('[data-role="count"]')

    page.keyboard.press("Space")  # Space starts it
    expect(phase).to_have_text("Get ready")
    expect(timer).to_have_attribute("data-phase", "ready")
    expect(phase).to_have_text("Hold")
    expect(count).to_contain_text("left side")
    axe()  # while running

    page.get_by_role("button", name="Pause").click()
    expect(phase).to_contain_text("Paused")
    frozen = timer.locator('[data-role="clock"]').text_content()
    page.wait_for_timeout(1200)
    assert timer.locator('[data-role="clock"]').text_content() == frozen, (
        "pause stops the countdown"
    )
    expect(timer).to_have_attribute("data-phase", "work")
    page.get_by_role("button", name="Resume").click()

    expect(phase).to_have_text("Switch sides")
    expect(phase).to_have_text("Hold")
    expect(count).to_contain_text("right side")
    expect(phase).to_have_text("Done. Well done!")
    expect(timer.locator('[role="status"]')).to_have_text("Done. Well done!")


def test_sets_and_reps_advance(page: Page, axe):
    page.goto("/exercises/angry-cat/?ready=0&hold=1&rest=0")
    axe()
    count = page.locator('[data-timer] [data-role="count"]')
    page.get_by_role("button", name="Start").click()
    expect(count).to_have_text("Rep 1 of 20")
    expect(count).to_have_text("Rep 2 of 20")
    expect(count).to_have_text("Rep 3 of 20")
    page.get_by_role("button", name="Stop").click()
    expect(page.locator('[data-timer] [data-role="phase"]')).to_have_text("Ready when you are")


def test_the_set_counter_advances(page: Page, axe):
    # Supine twist: 2 holds per side; two sets injected through the URL.
    page.goto("/exercises/supine-twist/?ready=0&hold=1&rest=1&sets=2")
    axe()
    count = page.locator('[data-timer] [data-role="count"]')
    page.get_by_role("button", name="Start").click()
    expect(count).to_have_text("Set 1 of 2 · Rep 1 of 2 · left side")
    expect(count).to_have_text("Set 1 of 2 · Rep 1 of 2 · right side")
    expect(page.locator('[data-timer] [data-role="phase"]')).to_have_text(
        "Rest before the next set"
    )
    expect(count).to_have_text("Set 2 of 2 · Rep 1 of 2 · left side")
    expect(page.locator('[data-timer] [data-role="phase"]')).to_have_text(
        "Done. Well done!", timeout=15_000
    )


def test_the_breathing_pacer_names_the_phases(page: Page, axe):
    page.goto("/exercises/breathing-4-7-8/?ready=0&duration=20")
    axe()
    pacer_label = page.locator('[data-role="pacer-label"]')
    page.get_by_role("button", name="Start").click()
    expect(pacer_label).to_have_text("Breathe in")
    expect(page.locator("[data-timer]")).to_have_attribute("data-breath", "inhale")
    expect(pacer_label).to_have_text("Hold", timeout=6000)
    axe()


def test_the_routine_player_walks_three_exercises_to_the_end(page: Page, axe):
    page.goto(
        "/exercises/routine/?items=chin-tuck,sky-high-stretch,cat-cow&ready=0&hold=1&rest=0&duration=1"
    )
    expect(page.get_by_role("heading", name=re.compile("Now: Chin tuck"))).to_be_visible()
    expect(page.locator('[data-role="next"]')).to_have_text("Next: Sky-high stretch")
    axe()

    # Skip ahead and back again.
    page.get_by_role("button", name="Next exercise").click()
    expect(page.get_by_role("heading", name=re.compile("Now: Sky-high stretch"))).to_be_visible()
    page.get_by_role("button", name="Previous exercise").click()
    expect(page.get_by_role("heading", name=re.compile("Now: Chin tuck"))).to_be_visible()

    page.get_by_role("button", name="Start").click()
    # Hands-free from here: each timer's end starts the next exercise.
    expect(page.get_by_role("heading", name=re.compile("Now: Sky-high stretch"))).to_be_visible(
        timeout=30_000
    )
    axe()
    expect(page.get_by_role("heading", name=re.compile("Now: Cat-cow"))).to_be_visible(
        timeout=30_000
    )
    expect(page.locator('[data-role="next"]')).to_have_text("Last one")
    expect(page.get_by_role("heading", name="Routine complete")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("link", name="create a free account")).to_be_visible()
    axe()


def test_an_unknown_exercise_leads_back_to_the_library(page: Page, axe):
    response = page.goto("/exercises/no-such-exercise/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    axe()

    page.get_by_role("link", name="Exercise library").last.click()
    expect(page.get_by_role("heading", level=1, name="Exercise library")).to_be_visible()
    axe()
