"""The weekly schedule on the plan page, and moving strength days (POST /plan/days/)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.exercises.models import Exercise
from apps.progress import services
from apps.progress.models import EVERY_DAY, Frequency, Plan, PlanItem, PlanKind
from tests.factories import CheckInFactory, monday
from tests.screening.factories import answered_screening

URL = "/plan/days/"


@pytest.fixture
def plan(patient, content) -> Plan:
    """A self-built plan with core strength on Monday, Wednesday and Friday (low pain)."""
    answered_screening(patient, {})
    CheckInFactory(patient=patient, week_start=monday(1), pain_average=2, pain_worst=3)
    plan = services.plan_build(patient=patient)
    assert plan.strength_days() == [0, 2, 4]
    return plan


def weekdays(plan: Plan) -> dict[str, list[int]]:
    return {
        item.exercise.slug: item.weekdays
        for item in plan.items.select_related("exercise").exclude(frequency=Frequency.DAILY)
    }


def daily(plan: Plan) -> list[list[int]]:
    return [item.weekdays for item in plan.items.filter(frequency=Frequency.DAILY)]


# ---- access ---------------------------------------------------------------------------


def test_the_patient_moves_their_strength_days(patient_client, plan):
    response = patient_client.post(URL, {"days": ["1", "3"]})

    assert response.status_code == 302
    assert response["Location"] == reverse("progress:plan")
    assert set(map(tuple, weekdays(plan).values())) == {(1, 3)}
    assert all(days == EVERY_DAY for days in daily(plan)), "daily work stays every day"
    page = patient_client.get(response["Location"]).content.decode()
    assert "Your strength days are now Tuesday and Thursday." in page


def test_another_patient_cannot_change_this_patients_days(other_patient_client, plan):
    response = other_patient_client.post(URL, {"days": ["1"]})

    assert response.status_code == 404
    assert plan.strength_days() == [0, 2, 4]


def test_another_patient_changes_only_their_own_plan(other_patient, other_patient_client, plan):
    answered_screening(other_patient, {})
    CheckInFactory(patient=other_patient, week_start=monday(1), pain_average=2, pain_worst=3)
    theirs = services.plan_build(patient=other_patient)

    assert other_patient_client.post(URL, {"days": ["6"]}).status_code == 302

    assert theirs.strength_days() == [6]
    assert plan.strength_days() == [0, 2, 4]


@pytest.mark.parametrize("who", ["clinician_client", "stranger_clinician_client"])
def test_clinicians_get_404_and_change_nothing(request, who, plan):
    response = request.getfixturevalue(who).post(URL, {"days": ["1"]})

    assert response.status_code == 404
    assert plan.strength_days() == [0, 2, 4]


def test_anonymous_people_are_sent_to_log_in(anon_client, plan):
    response = anon_client.post(URL, {"days": ["1"]})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert plan.strength_days() == [0, 2, 4]


def test_it_rejects_get(patient_client, plan):
    assert patient_client.get(URL).status_code == 405


def test_a_prescription_keeps_its_days_and_shows_them_read_only(
    patient_client, patient, clinician, plan
):
    prescribed = Plan.objects.create(patient=patient, author=clinician, kind=PlanKind.PRESCRIBED)
    PlanItem.objects.create(
        plan=prescribed, exercise=Exercise.objects.get(slug="plank"), days_per_week=2
    )

    response = patient_client.post(URL, {"days": ["1"]})
    page = patient_client.get("/plan/").content.decode()

    assert response.status_code == 404
    assert prescribed.items.get().weekdays == [0, 3]
    assert "data-days-read-only" in page
    assert URL not in page


# ---- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Pick at least one day for your strength work."),
        ({"days": [str(day) for day in range(7)]}, "pick 6 days or fewer"),
        ({"days": ["7"]}, "Pick days from the list."),
        ({"days": ["Monday"]}, "Pick days from the list."),
        ({"days": ["-1", "2"]}, "Pick days from the list."),
    ],
)
def test_bad_days_rerender_with_a_message_beside_the_field(patient_client, plan, data, message):
    response = patient_client.post(URL, data)

    assert response.status_code == 200
    body = response.content.decode()
    field = body[body.index('id="strength-days"') :]
    assert message in field[: field.index("</form>")]
    assert plan.strength_days() == [0, 2, 4]


def test_a_rejected_choice_keeps_the_ticked_days(patient_client, plan):
    body = patient_client.post(URL, {"days": [str(day) for day in range(7)]}).content.decode()

    ticked = re.findall(r'<input type="checkbox" name="days" value="(\d)"[^>]*checked', body)
    assert ticked == [str(day) for day in range(7)]


# ---- the plan page --------------------------------------------------------------------


def test_the_plan_page_shows_the_week_and_todays_part(patient_client, plan):
    today = timezone.localdate().weekday()
    plan.items.exclude(frequency=Frequency.DAILY).update(weekdays=[(today + 1) % 7])

    body = patient_client.get("/plan/").content.decode()

    assert body.count("<tr data-day=") == 7
    assert 'aria-current="date"' in body
    assert "Rest" not in body, "the every-day moves make every day a day with something on"
    today_slugs = [item.exercise.slug for item in plan.items_on(timezone.localdate())]
    assert f'/exercises/routine/?items={",".join(today_slugs)}"' in body
    for slug in weekdays(plan):
        assert slug not in today_slugs
    # The form shows the current strength day ticked.
    assert re.search(rf'value="{(today + 1) % 7}"[^>]*checked', body)


def test_a_day_with_nothing_scheduled_says_so(patient_client, plan):
    today = timezone.localdate().weekday()
    plan.items.update(weekdays=[(today + 1) % 7])

    body = patient_client.get("/plan/").content.decode()

    assert "Nothing is scheduled for today" in body
    assert "Start today&#x27;s routine" not in body and "Start today's routine" not in body
    assert body.count("Rest: nothing scheduled") == 6
