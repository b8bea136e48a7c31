"""Everything the patient review shows, gathered in a fixed number of queries however long
the patient's history is: a timeline of what they did, the charts they see, the progress
rules as they stand, alerts, the clinician's own notes and the programmes prescribed."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import F, JSONField, Prefetch, Q, Value
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.safestring import SafeString

from apps.accounts.models import User
from apps.checklist.models import Answer as ChecklistAnswer
from apps.checklist.models import Run
from apps.checklist.priorities import Change, compare
from apps.checklist.results import score_trends
from apps.progress.charts import day_label
from apps.progress.models import (
    CheckIn,
    FunctionActivity,
    Plan,
    PlanItem,
    PlanKind,
    Session,
)
from apps.progress.progress import function_scores, progress_summary
from apps.progress.rules import LOW_PAIN, MEANINGFUL_DROP, WEEKS_BEFORE_JUDGING, Advice
from apps.screening.models import Question, Screening
from backpain.wizard import YesNoUnsure

from .models import Alert, AlertKind, Note

PHYSIO_RULE = "see_physio"
# What the review shows of a screening and of a checklist run: not their answers' JSON.
SCREENING_FIELDS = (
    "kind",
    "urgency",
    "trigger_keys",
    "unsure_keys",
    "bone_density_caution",
    "completed_at",
)
RUN_FIELDS = ("score", "completed_at")

# What raises each kind of alert, in a clinician's words (apps/clinic/alerts.py has the rules).
ALERT_REASONS = {
    AlertKind.EMERGENCY: "A warning-signs check or weekly re-check gave an emergency result: "
    "the patient was told to call 999 or go to A&E now.",
    AlertKind.URGENT: "A warning-signs check or weekly re-check gave an urgent result: the "
    "patient was told to see a GP today or tomorrow, or call NHS 111.",
    AlertKind.SEVERE_PAIN: "Worst pain reached 8 or more out of 10 in a weekly check-in.",
    AlertKind.RISING: "Average pain rose by 2 or more against one of the two check-ins "
    "before, or worst pain rose at each of the last three.",
    AlertKind.NOT_IMPROVING: "After 4 or more weeks of check-ins, average pain has not come "
    "down by 2 points and is still above 2.",
    AlertKind.INACTIVE: "No session and no check-in logged for 14 days.",
}


@dataclass(frozen=True)
class Trigger:
    """An answer that set a screening's level: the sign, its level and what was answered."""

    sign: str
    level: str
    answer: str


@dataclass(frozen=True)
class ItemChange:
    """One checklist item whose answer moved since the run before."""

    title: str
    before: str
    after: str
    change: Change


@dataclass(frozen=True)
class Event:
    """One thing in the timeline. `kind` picks how the template shows `obj` and `details`."""

    kind: str  # "screening", "checklist", "check_in" or "session"
    day: dt.date
    at: dt.datetime
    obj: Any
    details: list[Any] = field(default_factory=list)
    trend: str = ""
    # The details already written out as `<li>` items, when they are plain lines of text:
    # a session's exercises, up to a dozen a session and a few hundred a month, cost one
    # template variable rather than a loop of nodes each.
    items_html: str = ""

    # The day as the template shows it, made here rather than by |date filters: a month's
    # timeline has a hundred-odd entries, each with its day twice.
    @property
    def day_iso(self) -> str:
        return self.day.isoformat()

    @property
    def day_label(self) -> str:
        return day_label(self.day)


@dataclass(frozen=True)
class ExplainedAlert:
    alert: Alert
    why: str


@dataclass(frozen=True)
class RuleState:
    """Whether the "see a physiotherapist" rule fires for this patient now, and why."""

    firing: bool
    why: str


@dataclass(frozen=True)
class Month:
    """A month of the timeline that has something in it, and how many entries."""

    first: dt.date
    count: int

    @property
    def key(self) -> str:
        """The month as the page's `?month=` value, e.g. "2026-03"."""
        return self.first.strftime("%Y-%m")

    @property
    def label(self) -> str:
        """ "March 2026", as the jump list names it (not a |date filter in each item)."""
        return self.first.strftime("%B %Y")


@dataclass(frozen=True)
class Period:
    """The month of the timeline the page shows, with the months around it to link to."""

    first: dt.date
    events: list[Event]
    months: list[Month]  # Every month with entries, newest first: the jump list.
    newer: Month | None
    older: Month | None
    latest_screening: Screening | None  # The newest of all, not only this month's.

    @property
    def key(self) -> str:
        return self.first.strftime("%Y-%m")


def parse_month(value: str | None) -> dt.date | None:
    """The first of the month a `?month=YYYY-MM` value names, or None for anything else."""
    if not value or not re.fullmatch(r"[0-9]{4}-[0-9]{2}", value):
        return None
    year, month = int(value[:4]), int(value[5:])
    # Years near the calendar's ends would overflow the month's bounds in UTC.
    if not (1900 <= year <= 9000 and 1 <= month <= 12):
        return None
    return dt.date(year, month, 1)


def _next_month(first: dt.date) -> dt.date:
    return (first + dt.timedelta(days=32)).replace(day=1)


def _local_bounds(first: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month as aware datetimes in the site's time zone, for timestamp columns."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(_next_month(first), dt.time.min, tzinfo=zone)


def _check_in_day(check_in: CheckIn) -> dt.date:
    # A check-in belongs to its week: placed on the day it was made, or at the latest on
    # the week's Sunday (rows loaded later, like the demo's, carry a later created_at).
    return min(timezone.localdate(check_in.created_at), check_in.week_start + dt.timedelta(6))


def _month_counts(
    check_in_days: list[dt.date],
    runs: list[Run],
    session_dates: list[dt.date],
    screenings: list[Screening],
) -> list[Month]:
    """Count each month's entries, newest month first, from the lists already loaded."""
    counts: Counter[dt.date] = Counter(day.replace(day=1) for day in session_dates)
    counts.update(day.replace(day=1) for day in check_in_days)
    counts.update(timezone.localdate(run.completed_at).replace(day=1) for run in runs)
    counts.update(timezone.localdate(row.completed_at).replace(day=1) for row in screenings)
    return [Month(first, counts[first]) for first in sorted(counts, reverse=True)]


def completed_screenings(patient: User) -> list[Screening]:
    """Every completed screening, newest first, with the fields the review shows: the first
    is the page's header, and all of them count in the months they were made (a year of
    weekly re-checks is 52 small rows, one query rather than a count and the month's)."""
    return list(
        Screening.objects.filter(user=patient).latest_completed_first().only(*SCREENING_FIELDS)
    )


def _screening_events(rows: list[Screening], first: dt.date) -> list[Event]:
    """The month's screenings as events, each with the answers that set its level."""
    start, end = _local_bounds(first)
    screenings = [row for row in rows if start <= row.completed_at < end]
    keys = {key for screening in screenings for key in screening.trigger_keys}
    questions = (
        {q.key: q for q in Question.objects.filter(key__in=keys).only("key", "trigger", "level")}
        if keys
        else {}
    )
    events = []
    for screening in screenings:
        unsure = set(screening.unsure_keys)
        triggers = [
            Trigger(
                sign=questions[key].trigger if key in questions else key,
                level=questions[key].get_level_display() if key in questions else "",
                answer=YesNoUnsure.UNSURE.label if key in unsure else YesNoUnsure.YES.label,
            )
            for key in screening.trigger_keys
        ]
        events.append(
            Event(
                "screening",
                timezone.localdate(screening.completed_at),
                screening.completed_at,
                screening,
                triggers,
            )
        )
    return events


def _checklist_events(runs: list[Run], first: dt.date) -> list[Event]:
    """The month's checklist runs, each with the answers that moved since the run before
    (which may be in an earlier month). `runs` is every completed run, newest first."""
    shown = [
        (index, run)
        for index, run in enumerate(runs)
        if timezone.localdate(run.completed_at).replace(day=1) == first
    ]
    needed = {runs[i + j].pk for i, _ in shown for j in (0, 1) if i + j < len(runs)}
    answers: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    rows = ChecklistAnswer.objects.filter(run__in=needed).values_list(
        "run_id", "item__key", "item__title", "value"
    )
    for run_id, key, title, value in rows:
        answers[run_id][key] = (title, value)
    trends = score_trends(runs)
    events = []
    for index, run in shown:
        before = runs[index + 1] if index + 1 < len(runs) else None
        changes = []
        if before is not None:
            previous = answers[before.pk]
            for key, (title, value) in answers[run.pk].items():
                if key not in previous:
                    continue
                change = compare(previous[key][1], value)
                if change in (Change.IMPROVED, Change.WORSE):
                    changes.append(
                        ItemChange(
                            title,
                            YesNoUnsure(previous[key][1]).label,
                            YesNoUnsure(value).label,
                            change,
                        )
                    )
        changes.sort(key=lambda change: change.title)
        events.append(
            Event(
                "checklist",
                timezone.localdate(run.completed_at),
                run.completed_at,
                run,
                changes,
                trends[index][1],
            )
        )
    return events


def _check_in_events(
    check_ins: list[CheckIn],
    days: list[dt.date],
    scores: dict[int, dict[int, int]],
    activities: list[FunctionActivity],
    first: dt.date,
) -> list[Event]:
    names = {activity.id: activity.name for activity in activities}
    events = []
    for check_in, day in zip(check_ins, days, strict=True):
        if day.replace(day=1) != first:
            continue
        named = sorted(
            (names.get(activity_id, ""), score)
            for activity_id, score in scores.get(check_in.id, {}).items()
        )
        events.append(Event("check_in", day, check_in.created_at, check_in, named))
    return events


def exercise_line(entry: dict[str, Any]) -> str:
    """ "Cat and camel: 2 sets of 8, 30 seconds": one exercise of a session, as the timeline
    lists it."""
    sets = entry["sets"]
    line = f"{entry['name']}: {sets} set{'' if sets == 1 else 's'}"
    if entry["reps"]:
        line += f" of {entry['reps']}"
    if entry["hold_seconds"]:
        line += f", {entry['hold_seconds']} seconds"
    return line


def _session_events(patient: User, first: dt.date) -> list[Event]:
    # Plain rows with their exercises gathered in SQL, one query: the timeline shows a few
    # fields of each, and an exercise instance would decode its JSON (steps, figure, ...)
    # only to print its name.
    sessions = (
        Session.objects.for_patient(patient)
        .filter(performed_on__gte=first, performed_on__lt=_next_month(first))
        .values("performed_on", "created_at", "pain_during", "note")
        .annotate(
            exercises=JSONBAgg(
                JSONObject(
                    name=F("entries__exercise__name"),
                    sets=F("entries__sets"),
                    reps=F("entries__reps"),
                    hold_seconds=F("entries__hold_seconds"),
                ),
                filter=Q(entries__isnull=False),
                order_by="entries__id",
                default=Value([], JSONField()),
            )
        )
    )
    events = []
    for session in sessions:
        lines = [exercise_line(entry) for entry in session["exercises"]]
        # Each line escaped, as format_html_join would, at a fraction of its cost.
        items = SafeString("".join(f"<li>{escape(line)}</li>" for line in lines))
        day, at = session["performed_on"], session["created_at"]
        events.append(Event("session", day, at, session, lines, items_html=items))
    return events


def completed_runs(patient: User) -> list[Run]:
    """The patient's completed checklist runs, newest first: the timeline's, and the
    progress summary's scores."""
    return list(Run.objects.filter(user=patient).latest_completed_first().only(*RUN_FIELDS))


def timeline(
    patient: User,
    check_ins: list[CheckIn],
    scores: dict[int, dict[int, int]],
    activities: list[FunctionActivity],
    month: dt.date | None = None,
    runs: list[Run] | None = None,
    session_dates: list[dt.date] | None = None,
) -> Period:
    """Return one month of the patient's screenings, checklists, check-ins and sessions,
    newest first: `month` if given, else the latest month with anything in it.

    A year of history is ~4,000 rows; a clinician reads the recent weeks first and can page
    back a month at a time, so only the month shown is loaded and drawn. `check_ins` (all of
    them), their function `scores` and `activities` are the progress summary's, and so are
    the `runs` (`completed_runs`) and the `session_dates` (every session's day) when given."""
    if runs is None:
        runs = completed_runs(patient)
    if session_dates is None:
        session_dates = list(
            Session.objects.for_patient(patient).order_by().values_list("performed_on", flat=True)
        )
    screenings = completed_screenings(patient)
    # Each check-in's day, worked out once for the counts and the month's events.
    days = [_check_in_day(check_in) for check_in in check_ins]
    months = _month_counts(days, runs, session_dates, screenings)
    if month is None:
        month = months[0].first if months else timezone.localdate().replace(day=1)
    events = [
        *_screening_events(screenings, month),
        *_checklist_events(runs, month),
        *_check_in_events(check_ins, days, scores, activities, month),
        *_session_events(patient, month),
    ]
    events.sort(key=lambda event: (event.day, event.at), reverse=True)
    return Period(
        first=month,
        events=events,
        months=months,
        newer=next((m for m in reversed(months) if m.first > month), None),
        older=next((m for m in months if m.first < month), None),
        latest_screening=screenings[0] if screenings else None,
    )


def timeline_alone(patient: User, month: dt.date | None) -> Period:
    """The timeline without the rest of the review: for htmx paging between months."""
    check_ins = list(CheckIn.objects.for_patient(patient))
    activities = list(FunctionActivity.objects.filter(patient=patient))
    return timeline(patient, check_ins, function_scores(patient), activities, month)


def physio_rule(summary: dict[str, Any], advice: list[Advice]) -> RuleState:
    """Say whether the "see a physiotherapist" rule fires, in a clinician's words.

    `progress_advice` decides; this only explains its decision from the same numbers.
    """
    check_ins = summary["check_ins"]
    firing = any(item.key == PHYSIO_RULE for item in advice)
    if len(check_ins) < 2:
        count = len(check_ins)
        return RuleState(
            firing,
            f"Not judged yet: the rule needs check-ins at least {WEEKS_BEFORE_JUDGING} weeks "
            f"apart, and there {'is' if count == 1 else 'are'} {count}.",
        )
    first, latest = check_ins[0], check_ins[-1]
    span = (latest.week_start - first.week_start).days // 7
    drop = first.pain_average - latest.pain_average
    movement = (
        f"Average pain went from {first.pain_average} to {latest.pain_average} out of 10 "
        f"over {span} week{'s' if span != 1 else ''}"
    )
    if firing:
        return RuleState(
            True,
            f"{movement}: less than the {MEANINGFUL_DROP}-point drop hoped for after "
            f"{WEEKS_BEFORE_JUDGING} weeks, and pain is still above {LOW_PAIN}.",
        )
    if span < WEEKS_BEFORE_JUDGING:
        reason = f"the rule waits for {WEEKS_BEFORE_JUDGING} weeks of check-ins"
    elif latest.pain_average <= LOW_PAIN:
        reason = f"pain at {LOW_PAIN} or below is low enough not to refer for slow progress"
    elif drop >= MEANINGFUL_DROP:
        reason = f"a drop of {MEANINGFUL_DROP} or more is a meaningful improvement"
    else:
        reason = "the rule's conditions are not met"
    return RuleState(False, f"Not firing. {movement}; {reason}.")


def alerts(patient: User) -> tuple[list[ExplainedAlert], list[ExplainedAlert]]:
    """Return the patient's open alerts (newest first) and those already seen (most
    recently seen first), each with what raises an alert of its kind."""
    everything = [
        ExplainedAlert(alert, ALERT_REASONS.get(alert.kind, ""))
        for alert in Alert.objects.filter(patient=patient).select_related("seen_by")
    ]
    return (
        [item for item in everything if item.alert.seen_at is None],
        sorted(
            (item for item in everything if item.alert.seen_at is not None),
            key=lambda item: item.alert.seen_at,
            reverse=True,
        ),
    )


def notes(patient: User, clinician: User) -> list[Note]:
    """Return this clinician's own notes about the patient: nobody else's, ever."""
    return list(Note.objects.filter(patient=patient, clinician=clinician))


def programmes(patient: User) -> list[Plan]:
    """Return every programme prescribed to the patient, the newest (the one in force) first."""
    return list(
        Plan.objects.for_patient(patient)
        .filter(kind=PlanKind.PRESCRIBED)
        .select_related("author")
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.select_related("exercise")))
        .order_by("-created_at")
    )


def review(
    patient: User, *, clinician: User, today: dt.date, month: dt.date | None = None
) -> dict[str, Any]:
    """Return the context of the patient review page, its timeline showing `month` (the
    latest month with entries when None)."""
    runs = completed_runs(patient)
    summary = progress_summary(patient, today, runs, tables=False)
    open_alerts, seen_alerts = alerts(patient)
    period = timeline(
        patient,
        summary["check_ins"],
        summary["function_scores"],
        summary["activities"],
        month,
        runs,
        summary["session_dates"],
    )
    return {
        **summary,
        "patient": patient,
        "period": period,
        "latest_screening": period.latest_screening,
        "physio_rule": physio_rule(summary, summary["advice"]),
        "open_alerts": open_alerts,
        "seen_alerts": seen_alerts,
        "notes": notes(patient, clinician),
        "programmes": programmes(patient),
    }
