from __future__ import annotations

import datetime as dt

import pytest

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


def scores(*pairs: tuple[int, int], nights: int = 0) -> list[WeekScore]:
    """Weekly (average, worst) pairs, oldest first; `nights` woken in the latest week."""
    latest = len(pairs) - 1
    return [
        WeekScore(MONDAY + dt.timedelta(weeks=i), average, worst, nights if i == latest else 0)
        for i, (average, worst) in enumerate(pairs)
    ]


def advice_keys(weeks_: list[WeekScore]) -> list[str]:
    return keys(progress_advice(weeks=weeks_, last_session_on=TODAY, today=TODAY))


# Rising pain: get it checked soon, whatever week it is.


@pytest.mark.parametrize(
    "pairs",
    [
        [(3, 4), (5, 6)],  # up 2 on the check-in before
        [(3, 4), (4, 4), (5, 4)],  # up 2 on the one before that, 1 at a time
        [(2, 4), (6, 7), (4, 5)],  # down on last week, still up 2 on two weeks ago
    ],
    ids=["on last week", "on two weeks ago", "dipped since"],
)
def test_an_average_up_two_on_either_of_the_two_check_ins_before_is_rising(pairs):
    advice = progress_advice(weeks=scores(*pairs), last_session_on=TODAY, today=TODAY)

    assert keys(advice) == ["rising"]
    assert advice[0].level == "warning"
    assert "warning-signs check" in advice[0].text


def test_a_rise_of_two_against_three_check_ins_ago_is_not_counted():
    assert advice_keys(scores((3, 4), (5, 5), (5, 5), (5, 5))) == []


def test_worst_pain_higher_at_each_of_the_last_three_check_ins_is_rising():
    assert advice_keys(scores((4, 5), (4, 6), (4, 7))) == ["rising"]


@pytest.mark.parametrize(
    "pairs",
    [
        [(4, 5), (4, 6)],  # only two check-ins
        [(4, 5), (4, 6), (4, 6)],  # flat at the end
        [(4, 6), (4, 5), (4, 7)],  # not at each check-in
        [(4, 5), (4, 5), (4, 5), (4, 5)],  # flat
        [(5, 7), (4, 6), (3, 5)],  # falling
        [(3, 4), (4, 5)],  # average up by 1 only
    ],
    ids=["two check-ins", "flat at the end", "not each time", "flat", "falling", "up one"],
)
def test_flat_falling_or_small_changes_are_not_rising(pairs):
    assert "rising" not in advice_keys(scores(*pairs))


def test_a_single_check_in_is_not_rising():
    assert advice_keys(scores((9, 9))) == ["ease_off"]


# Pain waking the person at night.


@pytest.mark.parametrize(("nights", "warned"), [(0, False), (2, False), (3, True), (7, True)])
def test_pain_waking_three_nights_in_the_latest_week_says_get_it_checked(nights, warned):
    advice = progress_advice(
        weeks=scores((4, 5), nights=nights), last_session_on=TODAY, today=TODAY
    )

    assert ("night_pain" in keys(advice)) is warned
    if warned:
        assert advice[0].level == "urgent"
        assert f"on {nights} nights this week" in advice[0].text
        assert "NHS 111" in advice[0].text


def test_only_the_latest_week_counts_for_night_pain():
    weeks_ = [WeekScore(MONDAY, 4, 5, 5), WeekScore(MONDAY + dt.timedelta(weeks=1), 4, 5, 1)]

    assert advice_keys(weeks_) == []


# Slow progress at low pain is not a reason to see a physiotherapist.


def test_low_pain_that_barely_changes_over_five_weeks_is_not_sent_to_a_physiotherapist():
    assert advice_keys(scores((2, 3), (2, 3), (2, 3), (1, 2), (1, 2), (1, 2))) == []


def test_pain_of_four_that_barely_changes_over_five_weeks_is_sent_to_a_physiotherapist():
    assert advice_keys(scores((5, 6), (5, 6), (5, 6), (4, 5), (4, 5), (4, 5))) == ["see_physio"]


def test_every_rule_at_once_comes_most_important_first():
    advice = progress_advice(
        weeks=scores((6, 6), (6, 6), (6, 6), (6, 7), (6, 8), nights=4),
        last_session_on=TODAY - dt.timedelta(days=8),
        today=TODAY,
    )

    assert keys(advice) == ["night_pain", "rising", "ease_off", "see_physio", "nudge"]
