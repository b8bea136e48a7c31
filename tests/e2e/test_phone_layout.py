"""Phone-first layout: the one-row header and its Menu, and wizard steps whose answers and
Next button sit on a phone's first screen however long the question is.

axe runs on every page and state these journeys visit.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from playwright.sync_api import Page, expect

from tests.e2e.journeys import go_to, log_in, main_menu
from tests.factories import PASSWORD
from tests.screening.factories import ScreeningFactory

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
QUESTIONS = sorted(
    json.loads((settings.BASE_DIR / "fixtures" / "screening_questions.json").read_text()),
    key=lambda question: question["order"],
)
ITEMS = json.loads((settings.BASE_DIR / "fixtures" / "checklist_items.json").read_text())


def page_top(page: Page, selector: str) -> float:
    """Where the element starts, in CSS pixels from the top of the page (not the viewport)."""
    return page.locator(selector).first.evaluate(
        "el => el.getBoundingClientRect().top + window.scrollY"
    )


def test_on_a_phone_the_header_is_one_row_with_a_menu_keyboard_users_can_open_and_close(
    page: Page, axe, patient
):
    page.set_viewport_size(PHONE)
    log_in(page, axe, patient.email, PASSWORD)
    header = page.locator("header.site-header")
    assert header.bounding_box()["height"] <= 64

    nav = page.get_by_role("navigation", name="Main")
    toggle = nav.locator("summary")
    expect(toggle).to_have_text("Menu")
    expect(nav.get_by_role("link", name="My plan")).to_be_hidden()

    # Keyboard: Enter opens it, the links follow in tab order, Escape closes it again.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Today")).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Today")).to_be_focused()
    axe()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name="Today")).to_be_hidden()
    expect(toggle).to_be_focused()
    # The open menu lies over the page; the header itself stays one row.
    assert header.bounding_box()["height"] <= 64

    go_to(page, "My plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your plan")
    axe()


def test_the_phone_menu_works_without_javascript(nojs, live_server):
    page, guard = nojs
    page.set_viewport_size(PHONE)
    page.goto("/")
    guard.axe()
    assert page.locator("header.site-header").bounding_box()["height"] <= 64
    main_menu(page).get_by_role("link", name="Checklist").click()
    expect(page.get_by_role("heading", level=1, name="Movement checklist")).to_be_visible()
    guard.axe()


def test_on_a_desktop_the_links_sit_inline_in_one_row(page: Page, axe, patient):
    page.set_viewport_size(DESKTOP)
    log_in(page, axe, patient.email, PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.locator("summary")).to_be_hidden()
    links = nav.locator(".nav-list > li")
    expect(links.first).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    first, last = links.first.bounding_box(), links.last.bounding_box()
    assert abs(first["y"] - last["y"]) < 2, "the links wrap onto a second row"
    assert last["x"] + last["width"] <= DESKTOP["width"]
    assert page.locator("header.site-header").bounding_box()["height"] <= 72


def test_every_warning_sign_question_shows_in_full_with_next_on_a_phones_first_screen(
    page: Page, axe
):
    page.set_viewport_size(PHONE)
    page.goto("/screening/")
    axe()
    page.get_by_role("button", name="Start the check").click()
    for number, question in enumerate(QUESTIONS, start=1):
        heading = page.locator(".wizard__heading")
        expect(page.locator(".progress__label")).to_have_text(
            f"Question {number} of {len(QUESTIONS)}"
        )
        # Every word of the warning sign and why we ask, as written.
        expect(heading).to_have_text(question["text"])
        expect(page.locator("#wizard-hint")).to_contain_text(question["why"])
        expect(page.locator("#wizard-hint")).to_be_visible()
        last = number == len(QUESTIONS)
        button = page.get_by_role("button", name="See my result" if last else "Next")
        top = page_top(page, "#wizard button[type=submit]")
        assert top + button.bounding_box()["height"] <= PHONE["height"], (
            f"question {number}: Next ends {top:.0f} px down, below the first screen"
        )
        axe()
        page.get_by_label("No", exact=True).check()
        button.click()
    expect(page.locator("[data-urgency]")).to_have_attribute("data-urgency", "none")
    axe()


def test_every_checklist_item_has_next_on_a_phones_first_screen_and_its_guide_below(
    page: Page, axe
):
    page.set_viewport_size(PHONE)
    page.goto("/checklist/")
    axe()
    page.get_by_role("button", name="Start the checklist").click()
    for number in range(1, len(ITEMS) + 1):
        expect(page.locator(".progress__label")).to_have_text(f"Question {number} of {len(ITEMS)}")
        last = number == len(ITEMS)
        button = page.get_by_role("button", name="See my result" if last else "Next")
        top = page_top(page, "#wizard button[type=submit]")
        assert top + button.bounding_box()["height"] <= PHONE["height"], (
            f"item {number}: Next ends {top:.0f} px down, below the first screen"
        )
        # The how-to-check steps follow the answers, and the link under the question leads there.
        expect(page.get_by_role("heading", name="How to check yourself")).to_be_visible()
        assert page_top(page, "#wizard-more") > top
        expect(page.get_by_role("link", name="How to check yourself")).to_have_attribute(
            "href", "#wizard-more"
        )
        axe()
        page.get_by_label("No", exact=True).check()
        button.click()
    expect(page.locator("[data-priorities]")).to_be_attached()
    axe()


def test_swapping_and_removing_a_plan_item_keeps_the_place_and_undo_puts_it_back(
    page: Page, axe, patient
):
    ScreeningFactory(user=patient)
    page.set_viewport_size(PHONE)
    log_in(page, axe, patient.email, PASSWORD)
    page.goto("/plan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your plan")
    axe()
    page_loads: list[str] = []
    page.on("load", lambda loaded: page_loads.append(loaded.url))

    # Far down the list: the third row from the end.
    rows = page.locator(".plan-list > li.plan-item")
    row = rows.nth(rows.count() - 3)
    name = row.locator(".plan-item__title").inner_text()
    row.get_by_role("button", name=f"Remove {name}").scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    assert before > 300, "the row is not far enough down to tell"
    row.get_by_role("button", name=f"Remove {name}").click()

    status = page.get_by_text(f"Removed {name} from your plan.")
    expect(status).to_be_focused()
    assert abs(page.evaluate("window.scrollY") - before) < 80, "the page jumped"
    assert not page_loads, "a whole page loaded instead of the row"
    expect(page.locator("#plan-today")).not_to_contain_text(name)
    axe()

    page.get_by_role("button", name=f"Undo: put {name} back").click()
    expect(page.get_by_text(f"Put {name} back in your plan.")).to_be_focused()
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert abs(page.evaluate("window.scrollY") - before) < 80, "the page jumped"
    axe()

    # A swap changes the row in place, too.
    row = page.locator(".plan-list > li.plan-item").filter(has=page.locator("select")).first
    old = row.locator(".plan-item__title").inner_text()
    new = row.locator("select option").first.inner_text()
    row.get_by_role("button", name="Swap").click()
    expect(page.get_by_text(f"Swapped {old} for {new}.")).to_be_focused()
    assert not page_loads
    axe()


def test_on_a_phone_the_library_filters_fold_and_the_routine_bar_is_always_in_reach(
    page: Page, axe
):
    page.set_viewport_size(PHONE)
    page.goto("/exercises/")
    kind = page.get_by_label("Kind")
    expect(kind).to_be_hidden()
    # The first results start on the first screen.
    assert page_top(page, ".exercise-card") < PHONE["height"]
    axe()

    page.get_by_text("Filter by kind, body region, equipment or difficulty").click()
    kind.select_option("breathing")
    count = page.locator("#result-count")
    expect(count).to_have_text("5 exercises match your search")
    box = count.bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], "the count is off screen"
    axe()

    page.goto("/exercises/")
    axe()
    boxes = page.locator('input[name="items"]')
    boxes.nth(1).check()
    boxes.nth(20).check()
    bar = page.locator(".routine-bar")
    expect(bar.locator("[data-ticked-count]")).to_have_text("2 ticked")
    start = page.get_by_role("button", name="Start a routine with the ones ticked")
    for position in (0, 1500, 4000):
        page.evaluate(f"window.scrollTo(0, {position})")
        box = start.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], position
    # Tabbing down the list: whatever takes the focus stays clear of the bar, never under it.
    page.evaluate("window.scrollTo(0, 0)")
    boxes.nth(3).focus()
    for _ in range(6):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const r = document.activeElement.getBoundingClientRect();"
            " return [r.top, r.bottom]; }"
        )
        bar_top = bar.bounding_box()["y"]
        assert focused[1] <= bar_top, f"the focused element ({focused}) is under the bar"
    axe()
    start.click()
    expect(page).to_have_url(re.compile(r"/exercises/routine/\?items="))
    axe()
