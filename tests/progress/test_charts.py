"""Charts people can read: real-size labels, which way is better, swatches drawn like their
lines, axes that match their scale, and week labels on the session grid."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from apps.checklist.models import Item, Run
from apps.progress.charts import (
    PAIN_SCALE,
    Series,
    calendar_size,
    calendar_weeks,
    line_chart,
    x_tick_indices,
    y_tick_values,
)
from tests.factories import CheckInFactory, monday

CSS = (Path(__file__).resolve().parents[2] / "static" / "css" / "app.css").read_text()


def pain_chart(weeks: int = 3):
    return line_chart(
        [f"{day:02d} Nov" for day in range(1, weeks + 1)],
        [
            Series("Average pain", "average", [5] * weeks),
            Series("Worst pain", "worst", [8] * weeks),
        ],
        better="lower",
        y_label=PAIN_SCALE,
    )


def rendered(chart, id: str = "c") -> str:
    return render_to_string(
        "progress/_line_chart.html", {"chart": chart, "id": id, "title": "T", "summary": "S"}
    )


def font_size_px(selector: str) -> float:
    """The last font-size the stylesheet gives `selector` (later rules win), in CSS px."""
    sizes = re.findall(
        r"(?:^|[},\s])" + re.escape(selector) + r"\b[^{]*\{[^}]*font-size:\s*([\d.]+)(px|rem)",
        CSS,
        re.M,
    )
    value, unit = sizes[-1]
    return float(value) * (16 if unit == "rem" else 1)


def test_chart_labels_are_at_least_12px_and_the_svgs_are_not_scaled():
    html = rendered(pain_chart())

    # Without a viewBox one SVG unit is one CSS pixel, so the font size is what people see
    # at any screen width (a scaled 600-wide viewBox made 12px labels 7px on a phone).
    for svg_class in ("chart__axis", "chart__plot"):
        tag = re.search(rf'<svg class="{svg_class}"[^>]*>', html).group(0)
        assert "viewBox" not in tag, tag
    assert font_size_px(".chart__label") >= 12  # Today's small chart too: no rule of its own
    assert ".chart--small .chart__label" not in CSS
    assert font_size_px(".calendar__label") >= 12


def test_each_legend_swatch_is_drawn_with_its_lines_own_class():
    html = rendered(pain_chart())

    lines = re.findall(r'<polyline points="[^"]*" class="([^"]+)"', html)
    swatches = re.findall(r'<svg class="chart-key__swatch"[^>]*><line [^>]*class="([^"]+)"', html)
    assert (
        lines == swatches == ["chart__line chart__line--average", "chart__line chart__line--worst"]
    )
    # The dashes come from the line's class, so the swatch of the dashed line is dashed too.
    assert re.search(r"\.chart__line--worst[^{]*\{[^}]*stroke-dasharray", CSS)
    assert not re.search(r"\.chart-key__swatch[^{]*\{[^}]*stroke-dasharray", CSS)


@pytest.mark.parametrize(
    ("better", "text", "other"),
    [("lower", "Lower is better", "Higher is better"), ("higher", "Higher is better", "Lower")],
)
def test_each_chart_says_which_way_is_better(better, text, other):
    chart = line_chart(["01 Nov"], [Series("A", "average", [3])], better=better, y_label="Pain")

    html = rendered(chart)

    assert f'data-better="{better}"' in html and text in html and other not in html
    assert f"T. {text}.</title>" in html  # in the accessible name too


def test_the_checklist_axis_goes_to_13_and_the_pain_axis_to_10():
    assert y_tick_values(10) == [0, 2, 4, 6, 8, 10]
    assert y_tick_values(13) == [0, 5, 10, 13]
    chart = line_chart(
        ["01 Nov", "08 Nov"],
        [Series("Checklist score", "checklist", [13, 0])],
        y_max=13,
        better="higher",
        y_label="Points, out of 13",
    )
    (top_y, top), *_ = sorted(chart.y_ticks)
    # A full score sits on the top grid line, labelled 13; none sits on the bottom's 0.
    assert top == 13
    assert chart.series[0].coords[0][1] == top_y
    assert chart.series[0].coords[1][1] == max(y for y, _ in chart.y_ticks)


def test_x_labels_stay_few_and_the_end_ones_stay_inside_the_plot():
    assert x_tick_indices(3) == [0, 1, 2]
    assert x_tick_indices(52) == [0, 17, 34, 51]
    chart = pain_chart(weeks=8)

    anchors = [(tick.label, tick.anchor) for tick in chart.x_ticks]

    assert anchors[0] == ("01 Nov", "start") and anchors[-1] == ("08 Nov", "end")
    assert all(anchor == "middle" for _, anchor in anchors[1:-1])


def test_the_session_grid_labels_every_fourth_week_by_its_monday():
    today = dt.date(2026, 11, 19)  # a Thursday

    weeks = calendar_weeks(today, 12)

    assert [week.monday for week in weeks] == [
        dt.date(2026, 8, 31),
        dt.date(2026, 9, 28),
        dt.date(2026, 10, 26),
    ]
    assert all(week.monday.weekday() == 0 for week in weeks)
    width, _ = calendar_size(12)
    assert width <= 288  # a 320px phone less its 16px margins: drawn at its natural size


def test_the_progress_page_draws_the_charts_with_their_scales(patient_client, patient, content):
    for weeks_ago in range(3):
        CheckInFactory(patient=patient, week_start=monday(weeks_ago))
    run = Run.objects.create(user=patient)
    for item in Item.objects.active():
        run.record(item, "yes")
    run.complete()

    body = patient_client.get("/progress/").content.decode()

    pain = body[body.index('data-chart="pain-chart"') :]
    assert "Pain, 0 to 10" in pain[:400] and "Lower is better" in pain[:600]
    checklist = body[body.index('data-chart="checklist-chart"') :]
    assert "Points, out of 13" in checklist[:400] and "Higher is better" in checklist[:600]
    axis = checklist[checklist.index('class="chart__axis"') : checklist.index("</svg>")]
    assert re.findall(r">(\d+)</text>", axis) == ["0", "5", "10", "13"]
    assert body.count('class="chart__label calendar__label calendar__label--week"') == 3


def test_a_year_of_weeks_is_one_line_and_one_path_of_dots_per_series():
    weeks = 52
    chart = line_chart(
        [f"w{week}" for week in range(weeks)],
        [Series("Average pain", "average", [5] * (weeks - 1) + [None])],
        better="lower",
        y_label=PAIN_SCALE,
    )

    html = rendered(chart)

    # Every value is a dot, a zero-length stroke at the same point as the line's vertex; a
    # week without a value has neither.
    (dots,) = re.findall(r'<path d="([^"]+)" class="chart__dot chart__dot--average"', html)
    (points,) = re.findall(r'<polyline points="([^"]+)"', html)
    assert re.findall(r"M([\d.]+,[\d.]+)h0", dots) == points.split(" ")
    assert len(points.split(" ")) == weeks - 1
    assert "<circle" not in html and "style=" not in html
    first_x = float(points.split(",")[0])
    assert first_x == 30.0  # the 3% inset of the 1000-unit plot, so the end dots show whole
