"""Everything the progress page shows, gathered in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from django.db.models import Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from apps.accounts.models import User
from apps.checklist.models import Run
from apps.checklist.priorities import TOTAL_POINTS

from .charts import (
    PAIN_SCALE,
    Series,
    adherence_calendar,
    calendar_cells_html,
    calendar_size,
    calendar_weeks,
    day_label,
    line_chart,
    streak,
    table_rows_html,
)
from .models import (
    EVERY_DAY,
    CheckIn,
    FunctionActivity,
    FunctionScore,
    Plan,
    PlanItem,
    Session,
    week_start,
)
from .rules import WeekScore, progress_advice

CALENDAR_WEEKS = 12
# Any uuid, to reverse a session's links once a list and put each session's in them.
SOME_UUID = uuid.UUID(int=0)


def checklist_scores(patient: User) -> list[tuple[dt.datetime, int]]:
    """Completed checklist runs, oldest first: (completed at, points out of 13)."""
    return list(
        Run.objects.filter(user=patient)
        .completed()
        .order_by("completed_at")
        .values_list("completed_at", "score")
    )


def planned_sessions_per_week(plan: Plan | None) -> int:
    """Count the days of the week the plan schedules anything on (its items' weekdays)."""
    return sum(1 for _, items in plan.week() if items) if plan is not None else 0


def planned_days_per_week(patient: User) -> int:
    """`planned_sessions_per_week` of the patient's current plan, in one query: the items'
    weekdays, of the plan in force found in a subquery (not the plan, then its items)."""
    current = Plan.objects.for_patient(patient).in_force_first().values("pk")[:1]
    weekdays = list(
        PlanItem.objects.filter(plan=Subquery(current))
        .order_by()
        .values_list("weekdays", flat=True)
    )
    return sum(1 for day in EVERY_DAY if any(day in days for days in weekdays))


def function_scores(patient: User) -> dict[int, dict[int, int]]:
    """Each check-in's activity scores, {check_in id: {activity id: score}}.

    A year of weeks holds up to 156 of them: read as values, not model rows."""
    scores: dict[int, dict[int, int]] = defaultdict(dict)
    for check_in_id, activity_id, score in FunctionScore.objects.filter(
        check_in__patient=patient
    ).values_list("check_in_id", "activity_id", "score"):
        scores[check_in_id][activity_id] = score
    return scores


def recent_sessions_html(sessions: Iterable[Session], *, back: str = "") -> SafeString:
    """The recent sessions' list items (`Session.objects.recent()`), for
    progress/_recent_sessions.html: a dozen template nodes per session, three of them dates
    through `|date`, were a good part of drawing the log. Names are escaped as autoescaping
    would; `back="progress"` brings Delete back to the progress page."""
    edit_url = reverse("progress:log_edit", args=[SOME_UUID])
    delete_url = reverse("progress:log_delete", args=[SOME_UUID]) + (
        f"?back={escape(back)}" if back else ""
    )
    items = []
    for session in sessions:
        names = session.exercise_names
        day = f"{session.performed_on:%A} {session.performed_on.day} {session.performed_on:%B}"
        actions = ""
        if session.editable:
            edit, delete = (
                url.replace(str(SOME_UUID), str(session.uuid)) for url in (edit_url, delete_url)
            )
            actions = (
                '<div class="recent-session__actions">'
                f'<a class="button button--secondary button--small" href="{edit}">Edit'
                f'<span class="visually-hidden"> the session of {day}</span></a>'
                '<a class="button button--secondary button--danger button--small" '
                f'href="{delete}">Delete'
                f'<span class="visually-hidden"> the session of {day}</span></a>'
                "</div>"
            )
        items.append(
            f'<li data-session="{session.uuid}" class="recent-session">'
            '<div class="recent-session__main">'
            f'<p class="recent-session__head"><strong>{day}</strong> '
            f'<span class="tag tag--quiet">Pain {session.pain_during}/10</span></p>'
            f'<p class="recent-session__count">{len(names)} exercise'
            f"{'' if len(names) == 1 else 's'}</p>"
            f'<p class="recent-session__names small">{", ".join(escape(n) for n in names)}</p>'
            f"</div>{actions}</li>"
        )
    return SafeString("".join(items))


def progress_summary(
    patient: User, today: dt.date, runs: Sequence[Run] | None = None, *, tables: bool = True
) -> dict[str, Any]:
    """What the progress page shows. `runs`, the completed checklist runs newest first, when
    the caller has loaded them already (the clinic's review does, for its timeline).

    Without `tables` (the clinic's review, which shows the charts and the figures but not the
    patient's own tables, calendar and recent sessions) those are left out, not made."""
    check_ins = list(CheckIn.objects.for_patient(patient).with_scores())
    # {check-in id: {activity id: score}}, as function_scores() gives it.
    scores: dict[int, dict[int, int]] = defaultdict(dict)
    for check_in in check_ins:
        if check_in.score_activities:
            scores[check_in.id] = dict(
                zip(check_in.score_activities, check_in.score_values, strict=True)
            )
    activities = list(FunctionActivity.objects.filter(patient=patient))
    since = week_start(today) - dt.timedelta(weeks=CALENDAR_WEEKS - 1)
    # Every session's day, one per session (a year of them is a few hundred dates), in one
    # plain query: the calendar's days, the last session's and, for the clinic's timeline,
    # how many sessions each month had.
    session_dates = list(
        Session.objects.for_patient(patient).order_by().values_list("performed_on", flat=True)
    )
    session_days = {day for day in session_dates if day >= since}
    last_session_on = max(session_dates, default=None)

    labels = [check_in.week_start.strftime("%d %b") for check_in in check_ins]
    pain = line_chart(
        labels,
        [
            Series("Average pain", "average", [c.pain_average for c in check_ins]),
            Series("Worst pain", "worst", [c.pain_worst for c in check_ins]),
        ],
        better="lower",
        y_label=PAIN_SCALE,
    )
    scores_by_week = [scores[check_in.id] for check_in in check_ins]
    function = line_chart(
        labels,
        [
            Series(
                activity.name,
                f"activity{index}",
                [week.get(activity.id) for week in scores_by_week],
            )
            for index, activity in enumerate(activities)
        ],
        better="higher",
        y_label="How well you can do it, 0 to 10",
    )
    if runs is None:
        runs = checklist_scores(patient)
    else:
        runs = [(run.completed_at, run.score) for run in reversed(runs)]
    checklist = line_chart(
        [completed.strftime("%d %b") for completed, _ in runs],
        [Series("Checklist score", "checklist", [score for _, score in runs])],
        y_max=TOTAL_POINTS,
        better="higher",
        y_label=f"Points, out of {TOTAL_POINTS}",
    )
    this_week = sum(1 for day in session_days if day >= week_start(today))
    advice = progress_advice(
        weeks=[
            WeekScore(c.week_start, c.pain_average, c.pain_worst, c.sleep_nights) for c in check_ins
        ],
        last_session_on=last_session_on,
        today=today,
    )
    pain_summary = ""
    if check_ins:
        first, last = check_ins[0], check_ins[-1]
        pain_summary = (
            f"Average pain went from {first.pain_average} to {last.pain_average} out of 10 over "
            f"{len(check_ins)} check-in{'s' if len(check_ins) != 1 else ''}; "
            f"worst pain is now {last.pain_worst}."
        )
    summary = {
        "check_ins": check_ins,
        # {check-in id: {activity id: score}}
        "function_scores": scores,
        "pain_summary": pain_summary,
        "activities": activities,
        "pain_chart": pain,
        "function_chart": function,
        "checklist_chart": checklist,
        "checklist_runs": runs,
        "calendar_active_days": len(session_days),
        "streak": streak(session_days, today),
        "sessions_this_week": this_week,
        "planned_per_week": planned_days_per_week(patient),
        "advice": advice,
        "last_session_on": last_session_on,
        "session_dates": session_dates,
    }
    if not tables:
        return summary
    return {
        **summary,
        # The tables beside the charts and the session grid, as the HTML they show: a year
        # of rows and 84 cells cost little to write out this way, and much through template
        # nodes (charts.table_rows_html, charts.calendar_cells_html).
        "pain_rows": table_rows_html(
            (
                day_label(c.week_start),
                (str(c.pain_average), str(c.pain_worst), str(c.sleep_nights), str(c.days_active)),
            )
            for c in check_ins
        ),
        "function_rows": table_rows_html(
            (
                day_label(check_in.week_start),
                [
                    "not scored" if week.get(activity.id) is None else str(week[activity.id])
                    for activity in activities
                ],
            )
            for check_in, week in zip(check_ins, scores_by_week, strict=True)
        ),
        "checklist_rows": table_rows_html(
            (day_label(timezone.localdate(completed)), (str(score),)) for completed, score in runs
        ),
        "calendar_cells": calendar_cells_html(
            adherence_calendar(session_days, today, CALENDAR_WEEKS)
        ),
        "calendar_weeks": calendar_weeks(today, CALENDAR_WEEKS),
        "calendar_size": calendar_size(CALENDAR_WEEKS),
        "recent_sessions": recent_sessions_html(
            Session.objects.for_patient(patient).recent(5), back="progress"
        ),
        "check_in_done": bool(check_ins) and check_ins[-1].week_start == week_start(today),
    }
