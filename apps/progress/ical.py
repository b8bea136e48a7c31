"""The patient's calendar feed: the weekly exercise schedule and the weekly check-in.

`build_feed` is pure: it takes the plan as plain `Move`s and returns the iCalendar bytes.
Anyone holding the feed's address can read it (calendar apps cannot log in), so it names
exercises, doses and times and nothing else: no name, no diagnosis, no scores, no ids.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vDuration

PRODID = "-//backpain//Exercise schedule and check-in//EN"
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# How often calendar apps that honour these are asked to fetch the feed again.
REFRESH = dt.timedelta(hours=6)
CHECK_IN_MINUTES = 5
ZONE_YEARS = 5
SAFETY = (
    "If you notice new problems controlling your bladder or bowel, numbness between your "
    "legs, or new weakness in both legs, stop and call 999 or go to A&E now."
)


@dataclass(frozen=True)
class Move:
    """One exercise of the plan as the feed shows it."""

    name: str
    slug: str
    dose: str
    minutes: float
    weekdays: tuple[int, ...]


def about_minutes(moves: Sequence[Move]) -> int:
    """The day's time rounded up to 5 minutes, at least 5."""
    return max(5, math.ceil(sum(move.minutes for move in moves) / 5) * 5)


def exercise_summary(moves: Sequence[Move]) -> str:
    count, minutes = len(moves), about_minutes(moves)
    return f"Back exercises: {count} move{'s' if count != 1 else ''}, about {minutes} minutes"


def routine_url(site_url: str, moves: Sequence[Move]) -> str:
    query = urlencode({"items": ",".join(move.slug for move in moves)}, safe=",")
    return f"{site_url.rstrip('/')}/exercises/routine/?{query}"


def schedule_groups(moves: Sequence[Move]) -> list[tuple[tuple[int, ...], tuple[Move, ...]]]:
    """Weekdays that share the same moves, grouped: [((0, 2, 4), moves), ((1, 3, 5, 6), ...)].

    One recurring event per group keeps the feed short and each event's days in one RRULE.
    Days without exercise are in no group.
    """
    by_moves: dict[tuple[Move, ...], list[int]] = {}
    for weekday in range(7):
        today = tuple(move for move in moves if weekday in move.weekdays)
        if today:
            by_moves.setdefault(today, []).append(weekday)
    return [(tuple(days), day_moves) for day_moves, days in by_moves.items()]


def first_on_or_after(start: dt.date, weekdays: Sequence[int]) -> dt.date:
    return min(start + dt.timedelta(days=(day - start.weekday()) % 7) for day in weekdays)


def _alarm(text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", dt.timedelta(0))
    return alarm


def _event(
    *,
    uid: str,
    summary: str,
    description: str,
    url: str,
    start: dt.datetime,
    minutes: int,
    weekdays: Sequence[int],
    stamp: dt.datetime,
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("duration", dt.timedelta(minutes=minutes))
    event.add("rrule", {"FREQ": "WEEKLY", "BYDAY": [BYDAY[day] for day in weekdays]})
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    # A reminder, not a meeting: the time stays free in the person's calendar.
    event.add("transp", "TRANSPARENT")
    event.add_component(_alarm(summary))
    return event


def build_feed(
    *,
    moves: Sequence[Move],
    check_in_weekday: int,
    hour: int,
    start: dt.date,
    uid_seed: str,
    site_url: str,
    time_zone: str,
    now: dt.datetime,
) -> bytes:
    """Return the iCalendar feed: one weekly event per group of exercise days, one for the
    check-in, each starting at `hour` local time with an alarm then.

    Events recur from `start` (the day the feed was made), so they stay put however often a
    calendar fetches the feed. `uid_seed` makes the UIDs unique to this feed without naming
    anyone; `site_url` is the configured address, never a request's Host.
    """
    zone = ZoneInfo(time_zone)
    host = urlsplit(site_url).hostname or "backpain"
    stamp = now.astimezone(dt.UTC)
    base = site_url.rstrip("/")

    def at_hour(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=zone)

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Back exercises and check-in")
    calendar.add("x-wr-timezone", time_zone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH).to_ical().decode())

    for weekdays, day_moves in schedule_groups(moves):
        summary = exercise_summary(day_moves)
        url = routine_url(site_url, day_moves)
        lines = [f"- {move.name}: {move.dose}" for move in day_moves]
        description = "\n".join(
            ["Today's exercises:", *lines, "", f"Start the routine: {url}", "", SAFETY]
        )
        calendar.add_component(
            _event(
                uid=f"exercises-{'-'.join(BYDAY[d] for d in weekdays).lower()}-{uid_seed}@{host}",
                summary=summary,
                description=description,
                url=url,
                start=at_hour(first_on_or_after(start, weekdays)),
                minutes=about_minutes(day_moves),
                weekdays=weekdays,
                stamp=stamp,
            )
        )

    check_in_url = f"{base}/progress/check-in/"
    calendar.add_component(
        _event(
            uid=f"check-in-{uid_seed}@{host}",
            summary="Weekly back pain check-in",
            description=(
                "Two minutes to note your pain, your everyday activities and how active you "
                f"were this week.\n\nCheck in: {check_in_url}\n\n{SAFETY}"
            ),
            url=check_in_url,
            start=at_hour(first_on_or_after(start, [check_in_weekday])),
            minutes=CHECK_IN_MINUTES,
            weekdays=[check_in_weekday],
            stamp=stamp,
        )
    )
    # The zone's rules from the first event to some years ahead; the feed is fetched again
    # long before they run out, and most apps read the TZID's name anyway.
    calendar.add_missing_timezones(
        first_date=start - dt.timedelta(days=7),
        last_date=now.date() + dt.timedelta(days=365 * ZONE_YEARS),
    )
    return calendar.to_ical()
