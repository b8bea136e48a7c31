"""Progress rules: what the weekly numbers say the person should do next. Pure and unit-tested.

Most important first (docs/clinical-safety.md has the same table for clinicians):

- Pain waking the person on 3 or more nights in the latest week -> night pain needs a GP
  today or tomorrow when rest does not ease it (the screening's night-pain sign is urgent).
- Rising pain -> see a GP or physiotherapist soon, whatever week it is: the average up by 2
  or more against either of the two check-ins before, or the worst pain higher at each of
  the last three check-ins.
- Worst pain 8 or more in the latest check-in -> ease off and check for warning signs again.
- No meaningful improvement over 4 or more weeks (average not down by 2 from the first
  check-in) while pain is still 3 or more -> see a physiotherapist. Low pain is not a
  failure to improve.
- No session for 7 days -> a gentle nudge.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MEANINGFUL_DROP = 2
WEEKS_BEFORE_JUDGING = 4
# Average pain at or below this is low: not worth a referral for slow progress.
LOW_PAIN = 2
SEVERE_WORST = 8
RISE = 2
RISING_WEEKS = 3
NIGHTS_WOKEN = 3
DAYS_WITHOUT_SESSION = 7


@dataclass(frozen=True)
class WeekScore:
    week_start: dt.date
    pain_average: int
    pain_worst: int
    nights_woken: int = 0


@dataclass(frozen=True)
class Advice:
    key: str
    level: str  # "urgent", "warning" or "info": how the page and the clinic show it
    title: str
    text: str


def is_rising(weeks: list[WeekScore]) -> bool:
    """Return True when the latest check-ins show pain going up (weeks oldest first)."""
    if len(weeks) < 2:
        return False
    latest = weeks[-1]
    if any(latest.pain_average - earlier.pain_average >= RISE for earlier in weeks[-3:-1]):
        return True
    worst = [week.pain_worst for week in weeks[-RISING_WEEKS:]]
    return len(worst) == RISING_WEEKS and all(a < b for a, b in zip(worst, worst[1:], strict=False))


def progress_advice(
    *, weeks: list[WeekScore], last_session_on: dt.date | None, today: dt.date
) -> list[Advice]:
    """Return the advice that applies, most important first."""
    advice = []
    weeks = sorted(weeks, key=lambda week: week.week_start)
    latest = weeks[-1] if weeks else None
    if latest and latest.nights_woken >= NIGHTS_WOKEN:
        advice.append(
            Advice(
                "night_pain",
                "urgent",
                "Pain is waking you at night",
                f"Pain woke you or kept you awake on {latest.nights_woken} nights this week. "
                "If it does not ease when you rest or change position, or it is worse at night, "
                "see a GP today or tomorrow or call NHS 111. If it eases, mention it at your "
                "next appointment.",
            )
        )
    if is_rising(weeks):
        advice.append(
            Advice(
                "rising",
                "warning",
                "Your pain is going up: get it checked soon",
                "Your pain has risen over your last check-ins. Book to see a GP or "
                "physiotherapist in the next few days rather than waiting for the usual 4 to "
                "6 weeks, and take the warning-signs check again now.",
            )
        )
    if latest and latest.pain_worst >= SEVERE_WORST:
        advice.append(
            Advice(
                "ease_off",
                "warning",
                "Ease off, and check for warning signs",
                f"Your worst pain this week reached {latest.pain_worst} out of 10. "
                "Do less for a few days, keep to the gentlest exercises, and take the "
                "warning-signs check again.",
            )
        )
    if latest and len(weeks) >= 2:
        first = weeks[0]
        span_weeks = (latest.week_start - first.week_start).days // 7
        if (
            span_weeks >= WEEKS_BEFORE_JUDGING
            and latest.pain_average > LOW_PAIN
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
