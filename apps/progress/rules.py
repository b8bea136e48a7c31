"""Progress rules: what the numbers say the person should do next. Pure and unit-tested.

- No meaningful improvement after 4-6 weeks: average pain not down by at least 2 points
  from the first check-in, over at least 4 weeks -> see a physiotherapist (source 002).
- Worst pain 8 or more in the latest check-in -> ease off and check for warning signs again.
- No session for 7 days -> a gentle nudge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MEANINGFUL_DROP = 2
WEEKS_BEFORE_JUDGING = 4
SEVERE_WORST = 8
DAYS_WITHOUT_SESSION = 7


@dataclass(frozen=True)
class WeekScore:
    week_start: dt.date
    pain_average: int
    pain_worst: int


@dataclass(frozen=True)
class Advice:
    key: str
    level: str  # "warning" or "info": how the page and the clinic show it
    title: str
    text: str


def progress_advice(
    *, weeks: list[WeekScore], last_session_on: dt.date | None, today: dt.date
) -> list[Advice]:
    """Return the advice that applies, most important first."""
    advice = []
    weeks = sorted(weeks, key=lambda week: week.week_start)
    if weeks and weeks[-1].pain_worst >= SEVERE_WORST:
        advice.append(
            Advice(
                "ease_off",
                "warning",
                "Ease off, and check for warning signs",
                f"Your worst pain this week reached {weeks[-1].pain_worst} out of 10. "
                "Do less for a few days, keep to the gentlest exercises, and take the "
                "warning-signs check again.",
            )
        )
    if len(weeks) >= 2:
        first, latest = weeks[0], weeks[-1]
        span_weeks = (latest.week_start - first.week_start).days // 7
        if (
            span_weeks >= WEEKS_BEFORE_JUDGING
            and first.pain_average - latest.pain_average < MEANINGFUL_DROP
        ):
            advice.append(
                Advice(
                    "see_physio",
                    "warning",
                    "Time to see a physiotherapist",
                    f"After {span_weeks} weeks your average pain has gone from "
                    f"{first.pain_average} to {latest.pain_average} out of 10, which is less "
                    "change than we would hope for. A physiotherapist can examine your muscles, "
                    "joints and nerves and may use hands-on treatment such as soft-tissue or "
                    "joint mobilisation.",
                )
            )
    if last_session_on is not None and (today - last_session_on).days >= DAYS_WITHOUT_SESSION:
        advice.append(
            Advice(
                "nudge",
                "info",
                "A gentle nudge",
                f"Your last logged session was {(today - last_session_on).days} days ago. "
                "Even five minutes of gentle movement today counts.",
            )
        )
    return advice
