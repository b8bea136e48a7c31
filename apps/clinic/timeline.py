"""Everything the patient review shows, gathered in a fixed number of queries however long
the patient's history is: a timeline of what they did, the charts they see, the progress
rules as they stand, alerts, the clinician's own notes and the programmes prescribed."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from apps.accounts.models import User
from apps.checklist.models import Answer as ChecklistAnswer
from apps.checklist.models import Run
from apps.checklist.priorities import Change, compare
from apps.checklist.results import score_trends
from apps.progress.models import Plan, PlanItem, PlanKind, Session, SessionEntry
from apps.progress.progress import progress_summary
from apps.progress.rules import LOW_PAIN, MEANINGFUL_DROP, WEEKS_BEFORE_JUDGING, Advice
from apps.screening.models import Question, Screening
from backpain.wizard import YesNoUnsure

from .models import Alert, AlertKind, Note

PHYSIO_RULE = "see_physio"

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

    @property
    def month(self) -> dt.date:
        """The first of the event's month: the review folds the timeline by month."""
        return self.day.replace(day=1)


@dataclass(frozen=True)
class ExplainedAlert:
    alert: Alert
    why: str


@dataclass(frozen=True)
class RuleState:
    """Whether the "see a physiotherapist" rule fires for this patient now, and why."""

    firing: bool
    why: str


def _screening_events(patient: User) -> list[Event]:
    screenings = list(Screening.objects.filter(user=patient).latest_completed_first())
    keys = {key for screening in screenings for key in screening.trigger_keys}
    questions = {q.key: q for q in Question.objects.filter(key__in=keys)}
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


def _checklist_events(patient: User) -> list[Event]:
    runs = list(Run.objects.filter(user=patient).latest_completed_first())
    answers: dict[int, dict[str, tuple[str, str]]] = defaultdict(dict)
    rows = ChecklistAnswer.objects.filter(run__in=[run.pk for run in runs]).values_list(
        "run_id", "item__key", "item__title", "value"
    )
    for run_id, key, title, value in rows:
        answers[run_id][key] = (title, value)
    events = []
    older = [*runs[1:], None]
    # Not strict: with no runs, `older` still holds its closing None.
    for (run, trend), before in zip(score_trends(runs), older, strict=False):
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
                trend,
            )
        )
    return events


def _check_in_events(summary: dict[str, Any]) -> list[Event]:
    names = {activity.id: activity.name for activity in summary["activities"]}
    # A check-in belongs to its week: placed on the day it was made, or at the latest on
    # the week's Sunday (rows loaded later, like the demo's, carry a later created_at).
    return [
        Event(
            "check_in",
            min(
                timezone.localdate(check_in.created_at),
                check_in.week_start + dt.timedelta(days=6),
            ),
            check_in.created_at,
            check_in,
            sorted(
                (names.get(activity_id, ""), score)
                for activity_id, score in summary["function_scores"][check_in.id].items()
            ),
        )
        for check_in in summary["check_ins"]
    ]


def _session_events(patient: User) -> list[Event]:
    sessions = Session.objects.for_patient(patient).prefetch_related(
        Prefetch("entries", queryset=SessionEntry.objects.select_related("exercise"))
    )
    return [
        Event(
            "session",
            session.performed_on,
            session.created_at,
            session,
            list(session.entries.all()),
        )
        for session in sessions
    ]


def timeline(patient: User, summary: dict[str, Any]) -> list[Event]:
    """Return the patient's screenings, checklists, check-ins and sessions, newest first."""
    events = [
        *_screening_events(patient),
        *_checklist_events(patient),
        *_check_in_events(summary),
        *_session_events(patient),
    ]
    events.sort(key=lambda event: (event.day, event.at), reverse=True)
    return events


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


def review(patient: User, *, clinician: User, today: dt.date) -> dict[str, Any]:
    """Return the context of the patient review page."""
    summary = progress_summary(patient, today)
    open_alerts, seen_alerts = alerts(patient)
    events = timeline(patient, summary)
    latest_screening = next((e.obj for e in events if e.kind == "screening"), None)
    return {
        **summary,
        "patient": patient,
        "timeline": events,
        "latest_screening": latest_screening,
        "physio_rule": physio_rule(summary, summary["advice"]),
        "open_alerts": open_alerts,
        "seen_alerts": seen_alerts,
        "notes": notes(patient, clinician),
        "programmes": programmes(patient),
    }
