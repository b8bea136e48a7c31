"""Exercise figures move in the browser, and hold still (start and end side by side) for people
who ask for reduced motion."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

MOVING_LIMB = ".fig--large .fig__anim line.fig__move"


def limb_matrix(page: Page) -> list[float]:
    """Where the first highlighted limb of the moving figure is drawn right now."""
    return page.eval_on_selector(
        MOVING_LIMB,
        "el => { const m = el.getCTM(); return [m.a, m.b, m.c, m.d, m.e, m.f]; }",
    )


def test_a_figure_moves_and_stays_still_with_reduced_motion(page: Page, axe) -> None:
    page.goto("/exercises/bridge/")
    figure = page.get_by_role(
        "img", name=re.compile(r"Start: lying on your back, knees bent.*End: hips raised")
    )
    expect(figure).to_be_visible()
    axe()
    animated = figure.locator(".fig__anim")
    stills = figure.locator(".fig__still")
    expect(animated).to_be_visible()
    expect(stills).to_have_count(2)
    expect(stills.first).to_be_hidden()

    # SMIL runs: over a second the highlighted limb turns and moves.
    page.wait_for_timeout(300)
    before = limb_matrix(page)
    page.wait_for_timeout(1000)
    after = limb_matrix(page)
    assert max(abs(a - b) for a, b in zip(before, after, strict=True)) > 0.5, (before, after)

    page.emulate_media(reduced_motion="reduce")
    expect(animated).to_be_hidden()
    start, end = stills.first, stills.last
    expect(start).to_be_visible()
    expect(end).to_be_visible()
    start_box, end_box = start.bounding_box(), end.bounding_box()
    assert abs(start_box["y"] - end_box["y"]) < 1  # side by side, not stacked
    assert end_box["x"] >= start_box["x"] + start_box["width"]
    expect(figure.locator(".fig__caption")).to_have_text(["Start", "End"])
    expect(figure.locator(".fig__caption").first).to_be_visible()
    axe()

    page.emulate_media(reduced_motion="reduce", color_scheme="dark")
    axe()


def test_library_cards_and_the_routine_show_figures(page: Page, axe) -> None:
    page.goto("/exercises/?kind=breathing")
    cards = page.locator(".exercise-card")
    expect(cards).to_have_count(5)
    expect(cards.get_by_role("img", name=re.compile("^Figure. Start: "))).to_have_count(5)
    axe()

    page.goto("/exercises/routine/?items=cat-cow,bridge")
    axe()
    # The player shows the current exercise's figure (copied from the list below it).
    player = page.locator(".player__howto")
    expect(player.get_by_role("img", name=re.compile(r"\(cat\)"))).to_be_visible()
    page.get_by_role("button", name="Next exercise").click()
    expect(player.get_by_role("img", name=re.compile("hips raised"))).to_be_visible()
    axe()
