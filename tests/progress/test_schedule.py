"""The weekly schedule: which days each part of a plan is for."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from apps.exercises.models import Exercise
from apps.progress import services
from apps.progress.models import CheckIn, Frequency, Plan, PlanItem, PlanKind, spread_days
from tests.screening.factories import answered_screening

MONDAY = dt.date(2026, 11, 16)


@pytest.mark.parametrize(
    ("count", "days"),
    [(1, [0]), (2, [0, 3]), (3, [0, 2, 4]), (4, [0, 1, 3, 5]), (7, [0, 1, 2, 3, 4, 5, 6])],
)
def test_days_are_spread_with_rest_between(count, days):
    assert spread_days(count) == days


def test_out_of_range_counts_stay_within_a_week():
    assert spread_days(0) == [0]
    assert spread_days(12) == list(range(7))


@pytest.mark.django_db
def test_daily_work_is_every_day_strength_three_days_and_a_prescription_its_count(patient, content):
    plan = Plan.objects.create(patient=patient)
    first, second, third = Exercise.objects.all()[:3]
    daily = PlanItem.objects.create(plan=plan, exercise=first, frequency=Frequency.DAILY)
    strength = PlanItem.objects.create(plan=plan, exercise=second, frequency=Frequency.TWO_THREE)
    twice = PlanItem.objects.create(plan=plan, exercise=third, days_per_week=2)

    assert daily.weekdays == list(range(7))
    assert strength.weekdays == [0, 2, 4]
    assert twice.weekdays == [0, 3]
    wednesday, tuesday = MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=1)
    assert plan.items_on(wednesday) == [daily, strength]
    assert plan.items_on(tuesday) == [daily]
    assert [len(items) for _, items in plan.week()] == [3, 1, 2, 2, 2, 1, 1]
    assert plan.strength_days() == [0, 2, 4]
    assert (daily.days_label, strength.days_label, twice.days_label) == (
        "Every day",
        "Mon, Wed, Fri",
        "Mon, Thu",
    )


@pytest.mark.django_db
def test_a_rebuilt_plan_keeps_the_strength_days_the_patient_chose(patient, content):
    answered_screening(patient, {})
    # A known, low pain level: the builder adds core strength for 2-3 days a week.
    CheckIn.objects.create(
        patient=patient,
        week_start=CheckIn.current_week(),
        pain_average=2,
        pain_worst=3,
        sleep_nights=0,
        days_active=3,
    )
    plan = services.plan_build(patient=patient)
    strength = [item for item in plan.items.all() if item.frequency != Frequency.DAILY]
    assert strength, "the built plan has strength work"
    PlanItem.objects.filter(id__in=[item.id for item in strength]).update(weekdays=[1, 5])

    rebuilt = services.plan_build(patient=patient)

    assert rebuilt.strength_days() == [1, 5]
    assert all(
        item.weekdays == list(range(7))
        for item in rebuilt.items.all()
        if item.frequency == Frequency.DAILY
    )


@pytest.mark.django_db
@pytest.mark.parametrize("days", [[], [7], [0, -1]])
def test_the_database_refuses_an_impossible_schedule(patient, content, days):
    plan = Plan.objects.create(patient=patient, kind=PlanKind.SELF)
    item = PlanItem.objects.create(plan=plan, exercise=Exercise.objects.first())

    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.filter(id=item.id).update(weekdays=days)
