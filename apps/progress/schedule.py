"""The weekly schedule a patient sees and changes: which days are for what, and moving the
strength days of their own plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms

from .models import EVERY_DAY, Frequency, Plan, PlanItem, PlanKind, Weekday

MAX_STRENGTH_DAYS = 6


class StrengthDaysForm(forms.Form):
    days = forms.TypedMultipleChoiceField(
        label="Strength days",
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pick 1 to 6 days. A day off between strength days helps muscles recover.",
        error_messages={
            "required": "Pick at least one day for your strength work.",
            "invalid_choice": "Pick days from the list.",
        },
    )

    def clean_days(self) -> list[int]:
        days = sorted(set(self.cleaned_data["days"]))
        if len(days) > MAX_STRENGTH_DAYS:
            raise forms.ValidationError(
                "Keep at least one rest day from strength work: pick 6 days or fewer."
            )
        return days


def strength_days_set(*, plan: Plan, days: list[int]) -> int:
    """Move the non-daily work of a self-built plan to `days`; return how many items moved."""
    assert plan.kind == PlanKind.SELF, "a prescription's days are the clinician's"
    return (
        PlanItem.objects.filter(plan=plan).exclude(frequency=Frequency.DAILY).update(weekdays=days)
    )


def day_names(days: list[int]) -> str:
    names = [Weekday(day).label for day in days]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class DayRow:
    name: str
    is_today: bool
    daily: bool  # the every-day moves are on
    extra: list[PlanItem]  # what else is scheduled that day

    @property
    def rest(self) -> bool:
        return not self.daily and not self.extra


@dataclass(frozen=True)
class Week:
    every_day: list[PlanItem]
    days: list[DayRow]


def plan_week(plan: Plan, today: dt.date) -> Week:
    """The plan's week, Monday first: the every-day moves once, and each day's other work."""
    week = plan.week()
    every_day = [item for item in week[0][1] if sorted(item.weekdays) == EVERY_DAY]
    return Week(
        every_day=every_day,
        days=[
            DayRow(
                name=Weekday(weekday).label,
                is_today=weekday == today.weekday(),
                daily=bool(every_day),
                extra=[item for item in items if item not in every_day],
            )
            for weekday, items in week
        ],
    )
