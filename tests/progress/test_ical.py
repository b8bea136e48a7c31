"""The calendar feed's pure builder (apps/progress/ical.py), read back by icalendar."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar

from apps.progress.ical import (
    Move,
    about_minutes,
    build_feed,
    first_on_or_after,
    routine_url,
    schedule_groups,
)

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC)  # a Wednesday
CAT = Move("Cat-cow", "cat-cow", "Flow slowly for 60 seconds.", 2.0, (0, 1, 2, 3, 4, 5, 6))
BREATH = Move("Breathing", "breathing", "2 minutes", 2.5, (0, 1, 2, 3, 4, 5, 6))
BRIDGE = Move("Bridge", "bridge", "2 sets of 10 reps", 4.0, (0, 2, 4))
PLANK = Move("Side plank", "side-plank", "3 holds of 10 seconds", 3.2, (0, 2, 4))


def feed(moves=(CAT, BREATH, BRIDGE, PLANK), **overrides) -> Calendar:
    arguments = {
        "moves": list(moves),
        "check_in_weekday": 6,
        "hour": 7,
        "start": dt.date(2026, 3, 4),
        "uid_seed": "seed123",
        "site_url": "https://backpain.example.org/",
        "time_zone": "Europe/London",
        "now": NOW,
    } | overrides
    return Calendar.from_ical(build_feed(**arguments))


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_has_the_calendar_properties():
    calendar = feed()

    assert calendar["version"] == "2.0"
    assert calendar["prodid"].startswith("-//backpain//")
    assert calendar["method"] == "PUBLISH"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_one_weekly_event_per_group_of_days_with_the_same_moves():
    found = events(feed())
    strength = found["exercises-mo-we-fr-seed123@backpain.example.org"]
    rest = found["exercises-tu-th-sa-su-seed123@backpain.example.org"]

    assert strength["rrule"]["FREQ"] == ["WEEKLY"]
    assert strength["rrule"]["BYDAY"] == ["MO", "WE", "FR"]
    assert rest["rrule"]["BYDAY"] == ["TU", "TH", "SA", "SU"]
    assert strength["summary"] == "Back exercises: 4 moves, about 15 minutes"
    assert rest["summary"] == "Back exercises: 2 moves, about 5 minutes"
    assert "- Bridge: 2 sets of 10 reps" in strength["description"]
    assert "Bridge" not in rest["description"]
    assert strength["url"] == (
        "https://backpain.example.org/exercises/routine/?items=cat-cow,breathing,bridge,side-plank"
    )


def test_events_start_at_the_chosen_hour_local_time_from_the_start_day():
    found = events(feed())
    strength = found["exercises-mo-we-fr-seed123@backpain.example.org"]
    rest = found["exercises-tu-th-sa-su-seed123@backpain.example.org"]

    assert strength.decoded("dtstart") == dt.datetime(2026, 3, 4, 7, tzinfo=LONDON)
    assert rest.decoded("dtstart") == dt.datetime(2026, 3, 5, 7, tzinfo=LONDON)
    assert strength["dtstart"].params["TZID"] == "Europe/London"
    assert strength.decoded("duration") == dt.timedelta(minutes=15)
    assert strength.decoded("dtstamp") == NOW


def test_the_check_in_is_weekly_on_its_day_with_a_link():
    check_in = events(feed())["check-in-seed123@backpain.example.org"]

    assert check_in["rrule"]["BYDAY"] == ["SU"]
    assert check_in.decoded("dtstart") == dt.datetime(2026, 3, 8, 7, tzinfo=LONDON)
    assert check_in["url"] == "https://backpain.example.org/progress/check-in/"
    assert "999" in check_in["description"]


def test_every_event_has_an_alarm_at_its_start():
    for event in feed().walk("VEVENT"):
        [alarm] = event.walk("VALARM")
        assert alarm["action"] == "DISPLAY"
        assert alarm.decoded("trigger") == dt.timedelta(0)
        assert alarm["description"] == event["summary"]


def test_without_a_plan_the_feed_has_only_the_check_in():
    assert list(events(feed(moves=[]))) == ["check-in-seed123@backpain.example.org"]


def test_the_feed_is_the_same_on_every_fetch_but_the_stamp():
    """Calendar apps fetch it again and again: the events and their UIDs stay put."""
    arguments = {
        "moves": [CAT, BRIDGE],
        "check_in_weekday": 0,
        "hour": 7,
        "start": dt.date(2026, 3, 4),
        "uid_seed": "s",
        "site_url": "https://x.example",
        "time_zone": "Europe/London",
    }
    first = build_feed(**arguments, now=NOW)
    second = build_feed(**arguments, now=NOW + dt.timedelta(hours=6))

    def without_stamps(feed: bytes) -> list[bytes]:
        return [line for line in feed.splitlines() if not line.startswith(b"DTSTAMP")]

    assert first != second
    assert without_stamps(first) == without_stamps(second)


def test_schedule_groups_skip_rest_days():
    assert schedule_groups([BRIDGE]) == [((0, 2, 4), (BRIDGE,))]


def test_helpers():
    assert first_on_or_after(dt.date(2026, 3, 4), [0]) == dt.date(2026, 3, 9)
    assert first_on_or_after(dt.date(2026, 3, 4), [2, 0]) == dt.date(2026, 3, 4)
    assert about_minutes([CAT]) == 5
    assert about_minutes([CAT, BRIDGE, PLANK]) == 10
    assert (
        routine_url("https://a.example", [CAT])
        == "https://a.example/exercises/routine/?items=cat-cow"
    )
