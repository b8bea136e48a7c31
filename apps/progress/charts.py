"""Server-rendered SVG charts: coordinates computed here, drawn by templates/progress/home.html.

No chart library: a few lines of arithmetic give polylines in a fixed viewBox, and every
chart is paired with a data table in the template.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

WIDTH, HEIGHT = 600, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 32, 16, 36  # room for the last date label


@dataclass
class Series:
    name: str
    css: str  # class suffix that sets the colour and the line style
    values: list[float | None]
    points: str = ""
    dots: list[tuple[float, float, float]] = field(default_factory=list)


@dataclass
class LineChart:
    labels: list[str]
    series: list[Series]
    y_max: int
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def empty(self) -> bool:
        return not self.labels


def line_chart(labels: list[str], series: list[Series], *, y_max: int = 10) -> LineChart:
    chart = LineChart(labels=labels, series=series, y_max=y_max)
    count = len(labels)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / y_max)

    chart.y_ticks = [(round(y(v), 1), v) for v in range(0, y_max + 1, 2 if y_max <= 10 else 5)]
    step = max(1, count // 6)
    chart.x_ticks = [(round(x(i), 1), labels[i]) for i in range(0, count, step)]
    for line in series:
        coords = [
            (round(x(i), 1), round(y(v), 1), v) for i, v in enumerate(line.values) if v is not None
        ]
        line.points = " ".join(f"{cx},{cy}" for cx, cy, _ in coords)
        line.dots = coords
    return chart


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    active: bool
    x: int
    y: int
    future: bool


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
                34 + (index // 7) * 22,
                4 + (index % 7) * 22,
                day > today,
            )
        )
    return cells


def streak(days_with_session: set[dt.date], today: dt.date) -> int:
    """Count consecutive days with a session, ending today (or yesterday, if today is open)."""
    day = today if today in days_with_session else today - dt.timedelta(days=1)
    count = 0
    while day in days_with_session:
        count += 1
        day -= dt.timedelta(days=1)
    return count
