"""No text in the charts or the body map is clipped or too small, from a 320px phone to a
desktop; legend swatches are dashed like their lines."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.journeys import log_in

SVGS = "svg.chart__plot, svg.chart__axis, svg.calendar, svg.bodymap"

# For each text in those SVGs: its box must lie inside its SVG's box, and its font size as
# rendered (the CSS size times the viewBox's scale, if any) must be 12px or more. No SVG may
# reach past the screen, and HTML labels around the charts must not overflow their boxes.
MEASURE = """(selector) => {
  const problems = [];
  for (const svg of document.querySelectorAll(selector)) {
    const box = svg.getBoundingClientRect();
    if (box.right > window.innerWidth + 0.5) problems.push(`${svg.getAttribute("class")} too wide`);
    const vb = svg.viewBox && svg.viewBox.baseVal;
    const scale = vb && vb.width ? box.width / vb.width : 1;
    for (const text of svg.querySelectorAll("text")) {
      const r = text.getBoundingClientRect();
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      const name = `${svg.getAttribute("class")}: "${text.textContent}"`;
      if (r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
          r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
        problems.push(`${name} clipped: ${r.left}-${r.right} in ${box.left}-${box.right}`);
      }
      if (size < 11.99) problems.push(`${name} at ${size.toFixed(1)}px`);
    }
  }
  for (const el of document.querySelectorAll(".chart__caption, .chart-key li")) {
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`"${el.textContent}" overflows`);
  }
  return problems;
}"""


@pytest.mark.parametrize("width", [320, 390, 1366])
def test_no_chart_or_body_map_text_is_clipped_or_small(page: Page, axe, demo_data, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, axe, "patient@example.com", "backpain-demo")

    checked = 0
    for url in ["/progress/", "/", "/checklist/history/"]:
        page.goto(url)
        if url.endswith("history/"):
            axe()
            page.get_by_role("link", name=re.compile("^See the result")).first.click()
            expect(page.locator("svg.bodymap")).to_be_visible()
        axe()
        checked += page.locator(SVGS).locator("text").count()
        assert page.evaluate(MEASURE, SVGS) == [], (url, width)

    assert checked > 40  # the demo's charts, session grid and body map were all there


def test_legend_swatches_are_drawn_like_their_lines(page: Page, axe, demo_data):
    log_in(page, axe, "patient@example.com", "backpain-demo")
    page.goto("/progress/")
    axe()

    styles = page.evaluate(
        """() => [...document.querySelectorAll(".chart-key__swatch line")].map((swatch) => {
          const css = swatch.getAttribute("class");
          const line = swatch.closest(".chart").querySelector(`polyline[class="${css}"]`);
          const look = (el) => ["stroke", "stroke-dasharray", "stroke-width"]
            .map((p) => getComputedStyle(el).getPropertyValue(p)).join(" ");
          return [css, look(swatch), look(line)];
        })"""
    )

    assert len(styles) >= 3
    assert any("none" not in swatch.split(" ", 1)[1] for _, swatch, _ in styles)  # a dashed one
    for css, swatch, line in styles:
        assert swatch == line, css
