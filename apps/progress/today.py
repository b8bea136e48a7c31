"""Today: a signed-in patient's next step, their day and their week, in a fixed number of queries.

`next_step` decides what comes first from plain facts, so its order can be tested without a
database: safety, then the first steps (warning signs, checklist, plan), then the day's
routine, then the weekly check-in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString

from apps.checklist.models import Run
from apps.checklist.priorities import TOTAL_POINTS
from apps.screening.gate import latest_and_gate
from apps.screening.models import Screening
from apps.screening.triage import Urgency
from backpain import prepared
from backpain.prepared import Prepared

from .charts import PAIN_SCALE, Series, line_chart, streak
from .models import CheckIn, Plan, PlanItem, Weekday, week_start
from .progress import history, planned_sessions_per_week

PAIN_WEEKS = 8


class StepKey(StrEnum):
    CARE = "care"
    SEE_DOCTOR = "see_doctor"
    SCREENING = "screening"
    CHECKLIST = "checklist"
    PLAN = "plan"
    ROUTINE = "routine"
    CHECK_IN = "check_in"
    DONE = "done"
    REST = "rest"


@dataclass(frozen=True)
class DayFacts:
    """What the next step depends on."""

    emergency: Screening | None  # an emergency result not yet confirmed (the care gate)
    urgent: bool  # the latest check advised a GP within a day or two
    screened: bool  # a completed warning-signs check
    checklist_done: bool
    has_plan: bool
    items_today: int
    done_today: bool  # a session logged today
    checked_in: bool  # this week's check-in is in


@dataclass(frozen=True)
class NextStep:
    key: StepKey
    title: str
    text: str
    url: str
    label: str
    skip_url: str = ""
    skip_label: str = ""


def routine_url(slugs: list[str]) -> str:
    return f"{reverse('exercises:routine')}?{urlencode({'items': ','.join(slugs)}, safe=',')}"


def next_step(facts: DayFacts, *, routine: str) -> NextStep:
    """Return the one thing to do next; nothing goes past an unconfirmed emergency."""
    if facts.emergency is not None:
        return NextStep(
            StepKey.CARE,
            "Get emergency care, then confirm it",
            "Your last check found a sign that needs emergency care. The exercises stay "
            "closed until you confirm you have sought care.",
            facts.emergency.get_absolute_url() + "#next-steps",
            "Confirm on your result",
        )
    if not facts.screened:
        return NextStep(
            StepKey.SCREENING,
            "Check for warning signs",
            "Start with the short warning-signs check. A few signs mean your back needs a "
            "doctor before exercise, and some answers change which exercises are safe for you.",
            reverse("screening:start"),
            "Check for warning signs",
        )
    if facts.urgent:
        return NextStep(
            StepKey.SEE_DOCTOR,
            "See a GP first",
            "Your last check advised seeing a GP today or tomorrow. Hold off on new exercises "
            "until you have been checked, then take the check again.",
            reverse("screening:start"),
            "Take the check again",
        )
    if not facts.checklist_done and not facts.has_plan:
        return NextStep(
            StepKey.CHECKLIST,
            "Do the movement checklist",
            "A few quick questions about how you move. Your plan starts with what they find.",
            reverse("checklist:start"),
            "Start the movement checklist",
            skip_url=reverse("progress:plan"),
            skip_label="Skip it: build a plan from the warning-signs check",
        )
    if not facts.has_plan:
        return NextStep(
            StepKey.PLAN,
            "See your plan",
            "Your plan is built from your warning-signs check and your checklist.",
            reverse("progress:plan"),
            "See your plan",
        )
    if facts.items_today and not facts.done_today:
        count = facts.items_today
        return NextStep(
            StepKey.ROUTINE,
            "Start today's routine",
            f"{count} exercise{'s' if count != 1 else ''} from your plan for today.",
            routine,
            "Start today's routine",
        )
    if not facts.checked_in:
        return NextStep(
            StepKey.CHECK_IN,
            "Weekly check-in due",
            "Two minutes on your pain, sleep and activity this week, so your plan can follow.",
            reverse("progress:check_in"),
            "Do this week's check-in",
        )
    if not facts.items_today:
        return NextStep(
            StepKey.REST,
            "A rest day",
            "Nothing is scheduled for today. Gentle walking still does your back good.",
            reverse("progress:plan"),
            "See your week",
        )
    return NextStep(
        StepKey.DONE,
        "Done for today",
        "You have logged a session today. Well done.",
        reverse("progress:home"),
        "See your progress",
    )


@dataclass(frozen=True)
class WeekDay:
    day: dt.date
    name: str
    planned: bool
    logged: bool
    is_today: bool
    future: bool

    def html(self) -> str:
        """The day's item of the week strip (fixed words and classes only, nothing to
        escape): through the template each day was some twenty nodes of conditions."""
        css = "week-strip__day"
        if self.logged:
            css += " week-strip__day--done"
        elif not self.planned:
            css += " week-strip__day--rest"
        if self.is_today:
            css += " week-strip__day--today"
        if self.logged:
            state, said = "Done", "session logged"
        elif self.planned and (self.future or self.is_today):
            state, said = "Plan", "planned"
        elif self.planned:
            state, said = "–", "planned, no session logged"
        else:
            state, said = "Rest", "rest day"
        current = ' aria-current="date"' if self.is_today else ""
        today = " (today)" if self.is_today else ""
        return (
            f'<li class="{css}"{current}>'
            f'<span class="week-strip__name" aria-hidden="true">{self.name[:3]}</span>'
            f'<span class="week-strip__state" aria-hidden="true">{state}</span>'
            f'<span class="visually-hidden">{self.name}{today}: {said}</span></li>'
        )


def week_strip_html(week: list[WeekDay]) -> SafeString:
    """The week strip's list items, one string for Today's template."""
    return SafeString("".join(day.html() for day in week))


def this_week(plan: Plan | None, session_days: set[dt.date], today: dt.date) -> list[WeekDay]:
    """Monday to Sunday of this week: what the plan schedules and what was logged."""
    monday = week_start(today)
    scheduled = {weekday for weekday, items in plan.week() if items} if plan else set()
    return [
        WeekDay(
            day=day,
            name=Weekday(day.weekday()).label,
            planned=day.weekday() in scheduled,
            logged=day in session_days,
            is_today=day == today,
            future=day > today,
        )
        for day in (monday + dt.timedelta(days=offset) for offset in range(7))
    ]


def pain_trend(check_ins: list[CheckIn]) -> str:
    """Say how the latest average pain compares with the check-in before it."""
    if len(check_ins) < 2:
        return ""
    before, latest = check_ins[-2].pain_average, check_ins[-1].pain_average
    if latest < before:
        return f"down from {before} the week before"
    if latest > before:
        return f"up from {before} the week before"
    return "the same as the week before"


# Compiled once per process (backpain/prepared.py): building and compiling them with the ORM
# on every visit cost more than running them.
_LATEST_RUN = Prepared(
    lambda pk: Run.objects.filter(user_id=pk).completed().newest_first()[:1], pk=prepared.ID
)
_LATEST_CHECK_INS = Prepared(
    lambda pk: CheckIn.objects.filter(patient_id=pk).order_by("-week_start")[:PAIN_WEEKS],
    pk=prepared.ID,
)


def today_context(request: HttpRequest, today: dt.date) -> dict[str, Any]:
    """Everything the Today page shows; the number of queries does not grow with history."""
    patient = request.user
    screening, gate = latest_and_gate(request)
    plan = (
        Plan.objects.for_patient(patient)
        .prefetch_related(Prefetch("items", queryset=PlanItem.objects.select_related("exercise")))
        .current()
    )
    # The latest score is shown on Today, so one query answers "done?" and "what score?".
    latest_run = next(iter(_LATEST_RUN(pk=patient.pk)), None)
    checklist_done = plan is not None or latest_run is not None
    session_days = set(history(patient, runs=False)[0])
    check_ins = _LATEST_CHECK_INS(pk=patient.pk)
    check_ins.reverse()

    items = plan.items_on(today) if plan else []
    slugs = [item.exercise.slug for item in items]
    routine = routine_url(slugs)
    week = this_week(plan, session_days, today)
    step = next_step(
        DayFacts(
            emergency=gate,
            urgent=screening is not None and screening.urgency == Urgency.URGENT,
            screened=screening is not None,
            checklist_done=checklist_done,
            has_plan=plan is not None,
            items_today=len(items),
            done_today=today in session_days,
            checked_in=bool(check_ins) and check_ins[-1].week_start == week_start(today),
        ),
        routine=routine,
    )
    latest = check_ins[-1] if check_ins else None
    pain_chart = line_chart(
        [check_in.week_start.strftime("%d %b") for check_in in check_ins],
        [
            Series("Average pain", "average", [c.pain_average for c in check_ins]),
            Series("Worst pain", "worst", [c.pain_worst for c in check_ins]),
        ],
        better="lower",
        y_label=PAIN_SCALE,
        height=180,
    )
    return {
        "next": step,
        "gate": gate,
        "urgent": step.key == StepKey.SEE_DOCTOR,
        "plan": plan,
        "items": items,
        "routine_url": routine,
        "item_slugs": " ".join(slugs),
        "week_strip": week_strip_html(week),
        "planned_per_week": planned_sessions_per_week(plan),
        "sessions_this_week": sum(1 for day in week if day.logged),
        "streak": streak(session_days, today),
        "latest": latest,
        "trend": pain_trend(check_ins),
        "pain_chart": pain_chart,
        "latest_run": latest_run,
        "total_points": TOTAL_POINTS,
        "today": today,
    }
