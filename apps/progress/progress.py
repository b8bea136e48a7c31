"""Everything the progress page shows, gathered in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from html import escape
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Func, IntegerField, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from apps.accounts.models import User
from apps.checklist.models import Run
from apps.checklist.priorities import TOTAL_POINTS
from backpain import prepared
from backpain.prepared import Prepared

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


def _history(*, pk: int, runs: bool) -> QuerySet[User]:
    """The patient (only the id) annotated with every session's day, the days the plan in
    force schedules anything on and, with `runs`, the completed checklist runs' times and
    scores oldest first: see `history`."""
    plan = Plan.objects.for_patient(OuterRef(OuterRef("pk"))).in_force_first().values("pk")[:1]
    figures = {
        "session_dates": ArraySubquery(
            Session.objects.filter(patient=OuterRef("pk")).order_by().values("performed_on")
        ),
        # The days any item of the plan in force falls on, each once.
        "planned_days": ArraySubquery(
            PlanItem.objects.filter(plan=Subquery(plan))
            .annotate(day=Func("weekdays", function="unnest", output_field=IntegerField()))
            .order_by()
            .values("day")
            .distinct()
        ),
    }
    if runs:
        completed = (
            Run.objects.filter(user=OuterRef("pk")).completed().order_by("completed_at", "id")
        )
        figures["run_times"] = ArraySubquery(completed.values("completed_at"))
        figures["run_scores"] = ArraySubquery(completed.values("score"))
    return User._default_manager.filter(pk=pk).only("pk").annotate(**figures)


# Compiled once per process (backpain/prepared.py): the subqueries cost more to build and
# compile than PostgreSQL takes to run them.
_HISTORY = {
    runs: Prepared(lambda pk, runs=runs: _history(pk=pk, runs=runs), pk=prepared.ID)
    for runs in (True, False)
}


def history(
    patient: User, *, runs: bool
) -> tuple[list[dt.date], list[tuple[dt.datetime, int]] | None, int]:
    """Every session's day, the completed checklist runs oldest first (None unless `runs`) as
    `checklist_scores` gives them, and how many days a week the plan in force schedules
    (`planned_sessions_per_week`), in one query of arrays: each was a round trip of its
    own, and on a busy server each round trip waits for a core."""
    (row,) = _HISTORY[runs](pk=patient.pk)
    scores = list(zip(row.run_times, row.run_scores, strict=True)) if runs else None
    planned = sum(1 for day in EVERY_DAY if day in row.planned_days)
    return row.session_dates, scores, planned


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
    session_dates, scores_of_runs, planned_per_week = history(patient, runs=runs is None)
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
    if scores_of_runs is not None:
        runs = scores_of_runs
    else:
        runs = [(run.completed_at, run.score) for run in reversed(runs or [])]
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
        "planned_per_week": planned_per_week,
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
