from __future__ import annotations

import datetime as dt

from apps.progress.rules import WeekScore, progress_advice

TODAY = dt.date(2026, 11, 18)
MONDAY = dt.date(2026, 9, 7)


def weeks(averages: list[int], worst: int | None = None) -> list[WeekScore]:
    return [
        WeekScore(
            MONDAY + dt.timedelta(weeks=i), avg, worst if worst is not None else min(10, avg + 1)
        )
        for i, avg in enumerate(averages)
    ]


def keys(advice) -> list[str]:
    return [item.key for item in advice]


def test_improving_pain_gives_no_warning():
    assert (
        keys(progress_advice(weeks=weeks([7, 6, 5, 4, 3]), last_session_on=TODAY, today=TODAY))
        == []
    )


def test_flat_for_five_weeks_says_see_a_physiotherapist():
    advice = progress_advice(weeks=weeks([6, 6, 5, 6, 5, 5]), last_session_on=TODAY, today=TODAY)

    assert keys(advice) == ["see_physio"]
    assert "physiotherapist" in advice[0].text


def test_it_waits_four_weeks_before_judging():
    assert (
        keys(progress_advice(weeks=weeks([6, 6, 6, 6]), last_session_on=TODAY, today=TODAY)) == []
    )


def test_a_drop_of_exactly_two_counts_as_improvement():
    assert (
        keys(progress_advice(weeks=weeks([6, 6, 6, 5, 4]), last_session_on=TODAY, today=TODAY))
        == []
    )


def test_worst_pain_of_nine_says_ease_off_and_rescreen():
    advice = progress_advice(weeks=weeks([5], worst=9), last_session_on=TODAY, today=TODAY)

    assert keys(advice) == ["ease_off"]
    assert "warning-signs check" in advice[0].text


def test_seven_days_without_a_session_gets_a_gentle_nudge():
    advice = progress_advice(weeks=[], last_session_on=TODAY - dt.timedelta(days=7), today=TODAY)

    assert keys(advice) == ["nudge"] and advice[0].level == "info"
    assert (
        keys(progress_advice(weeks=[], last_session_on=TODAY - dt.timedelta(days=6), today=TODAY))
        == []
    )
    assert keys(progress_advice(weeks=[], last_session_on=None, today=TODAY)) == []


def test_several_rules_can_apply_at_once_most_important_first():
    advice = progress_advice(
        weeks=weeks([6, 6, 6, 6, 6], worst=8),
        last_session_on=TODAY - dt.timedelta(days=10),
        today=TODAY,
    )

    assert keys(advice) == ["ease_off", "see_physio", "nudge"]
