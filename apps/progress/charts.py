"""Server-rendered SVG charts: coordinates computed here, drawn by progress/_line_chart.html.

No chart library: a few lines of arithmetic give polylines, and every chart is paired with a
data table or a sentence in the template.

The charts are drawn at their real size in CSS pixels rather than scaled from a viewBox:
text in a scaled SVG shrinks with the screen (12px in a 600-wide viewBox is 7px on a phone).
So the chart has a fixed height in pixels; across, positions are percentages of the plot's
width, the y-axis labels sit in a narrow SVG of their own beside it, and the lines are drawn in
a nested SVG stretched to the plot (`preserveAspectRatio="none"`) with non-scaling strokes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal

from django.utils.safestring import SafeString

HEIGHT = 220
TOP, BOTTOM = 12, 30  # room for the top y label, and for the x labels under the plot
INSET = 3.0  # percent of the plot's width kept clear at each end, so the end dots show whole
LINES_WIDTH = 1000  # across-units of the nested SVG the lines are drawn in
X_LABELS = 4  # date labels under the plot: four fit a 320px phone at 13px
PAIN_SCALE = "Pain, 0 to 10"
BETTER = {"lower": "Lower is better", "higher": "Higher is better"}


@dataclass
class Series:
    name: str
    css: str  # class suffix that sets the colour and the line style
    values: list[float | None]
    # Both drawn in the nested SVG's units (LINES_WIDTH across, pixels down): the line, and
    # its dots as one path of zero-length strokes with round caps, so a year of weeks is
    # two elements rather than one per value (the non-scaling stroke keeps the dots round).
    points: str = ""
    dots: str = ""
    # (x, y) of each value, in those units
    coords: list[tuple[float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class XTick:
    x: float  # percent of the plot's width
    label: str
    anchor: Literal["start", "middle", "end"]


@dataclass
class LineChart:
    labels: list[str]
    series: list[Series]
    y_max: int
    better: Literal["lower", "higher"]
    y_label: str
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_ticks: list[XTick] = field(default_factory=list)
    height: int = HEIGHT
    lines_width: int = LINES_WIDTH

    @property
    def empty(self) -> bool:
        return not self.labels

    @property
    def better_text(self) -> str:
        return BETTER[self.better]

    @property
    def x_label_y(self) -> int:
        return self.height - 8

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM


def y_tick_values(y_max: int) -> list[int]:
    """Round steps up the axis, and the top of the scale always labelled (13, not 12 or 15)."""
    step = 2 if y_max <= 10 else 5
    values = list(range(0, y_max + 1, step))
    if values[-1] != y_max:
        if y_max - values[-1] < step / 2:
            values.pop()  # 10 and 13 are far enough apart; 12 and 13 would not be
        values.append(y_max)
    return values


def x_tick_indices(count: int, most: int = X_LABELS) -> list[int]:
    if count <= most:
        return list(range(count))
    return sorted({round(k * (count - 1) / (most - 1)) for k in range(most)})


def line_chart(
    labels: list[str],
    series: list[Series],
    *,
    y_max: int = 10,
    better: Literal["lower", "higher"],
    y_label: str,
    height: int = HEIGHT,
) -> LineChart:
    chart = LineChart(
        labels=labels, series=series, y_max=y_max, better=better, y_label=y_label, height=height
    )
    count = len(labels)
    plot_h = height - TOP - BOTTOM

    def x(i: int) -> float:
        return INSET + ((100 - 2 * INSET) * i / (count - 1) if count > 1 else 50 - INSET)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / y_max)

    chart.y_ticks = [(round(y(v), 1), v) for v in y_tick_values(y_max)]
    indices = x_tick_indices(count)
    for i in indices:
        anchor: Literal["start", "middle", "end"] = "middle"
        if count > 1 and i == 0:
            anchor = "start"
        elif count > 1 and i == count - 1:
            anchor = "end"
        chart.x_ticks.append(XTick(round(x(i), 2), labels[i], anchor))
    for line in series:
        line.coords = [
            (round(x(i) * LINES_WIDTH / 100, 1), round(y(v), 1))
            for i, v in enumerate(line.values)
            if v is not None
        ]
        line.points = " ".join(f"{cx},{cy}" for cx, cy in line.coords)
        line.dots = "".join(f"M{cx},{cy}h0" for cx, cy in line.coords)
    return chart


# The session grid: one column a week, Monday at the top, drawn at its natural size in CSS
# pixels (it fits a 320px phone), so its labels are never scaled below their font size.
CELL, PITCH = 18, 21
GRID_LEFT = 36  # room for "Mon" and "Sun"
GRID_ROWS_HEIGHT = 7 * PITCH
WEEK_LABEL_EVERY = 4


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    active: bool
    x: int
    y: int
    future: bool

    # Words and classes made here rather than by template filters: 84 cells a page.
    @property
    def title(self) -> str:
        return f"{self.day:%a} {self.day.day} {self.day:%b}" + (": session" if self.active else "")

    @property
    def css(self) -> str:
        if self.active:
            return "calendar__day calendar__day--active"
        return "calendar__day calendar__day--future" if self.future else "calendar__day"


@dataclass(frozen=True)
class CalendarWeek:
    x: int
    monday: dt.date

    @property
    def label(self) -> str:
        return f"{self.monday.day} {self.monday:%b}"


def calendar_size(weeks: int) -> tuple[int, int]:
    """Width and height of the grid: the columns, and a row of week labels under them."""
    return GRID_LEFT + weeks * PITCH, GRID_ROWS_HEIGHT + 22


def adherence_calendar(
    days_with_session: set[dt.date], today: dt.date, weeks: int = 12
) -> list[CalendarDay]:
    """Return the last `weeks` ISO weeks as cells: one column a week, Monday at the top."""
    first_monday = today - dt.timedelta(days=today.weekday(), weeks=weeks - 1)
    cells = []
    for index in range(weeks * 7):
        day = first_monday + dt.timedelta(days=index)
        cells.append(
            CalendarDay(
                day,
                day in days_with_session,
                GRID_LEFT + (index // 7) * PITCH,
                1 + (index % 7) * PITCH,  # 1: the top row's border shows whole
                day > today,
            )
        )
    return cells


def calendar_cells_html(cells: Iterable[CalendarDay]) -> SafeString:
    """The grid's cells as SVG, one string: through the template each of the 84 cells was
    five variables, most of what drawing the progress page cost. Numbers and fixed classes,
    and a title escaped as autoescaping would."""
    return SafeString(
        "".join(
            f'<rect x="{cell.x}" y="{cell.y}" width="18" height="18" rx="3" class="{cell.css}">'
            f"<title>{escape(cell.title)}</title></rect>"
            for cell in cells
        )
    )


def calendar_weeks(today: dt.date, weeks: int = 12) -> list[CalendarWeek]:
    """The weeks labelled under the grid (every fourth, from the oldest): "1 Sep" fits four
    columns, so the labels never run into each other."""
    first_monday = today - dt.timedelta(days=today.weekday(), weeks=weeks - 1)
    return [
        CalendarWeek(GRID_LEFT + index * PITCH, first_monday + dt.timedelta(weeks=index))
        for index in range(0, weeks, WEEK_LABEL_EVERY)
    ]


def day_label(day: dt.date) -> str:
    """ "21 Nov 2026", as the tables beside the charts name their rows: formatted once here,
    not by a template filter in each of a year's rows."""
    return f"{day.day} {day:%b %Y}"


def table_rows_html(rows: Iterable[tuple[str, Sequence[str]]]) -> SafeString:
    """A data table's body rows, each a row header and its cells, every value escaped (what
    autoescaping does): a year of weekly rows is one string, not a few hundred nodes."""
    return SafeString(
        "".join(
            f'<tr><th scope="row">{escape(head)}</th>'
            + "".join(f"<td>{escape(cell)}</td>" for cell in cells)
            + "</tr>"
            for head, cells in rows
        )
    )


def streak(days_with_session: set[dt.date], today: dt.date) -> int:
    """Count consecutive days with a session, ending today (or yesterday, if today is open)."""
    day = today if today in days_with_session else today - dt.timedelta(days=1)
    count = 0
    while day in days_with_session:
        count += 1
        day -= dt.timedelta(days=1)
    return count
