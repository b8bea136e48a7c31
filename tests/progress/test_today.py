"""Today (`/` for a signed-in patient): the next step, the day's routine, the week, the pain."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.exercises.models import Exercise
from apps.progress import services
from apps.progress.models import CheckIn, Frequency, Plan, PlanItem, PlanKind, Session
from apps.progress.progress import planned_sessions_per_week
from apps.progress.today import DayFacts, StepKey, WeekDay, next_step, pain_trend
from apps.screening.models import Screening
from apps.screening.triage import Urgency
from tests.checklist.factories import completed_run
from tests.conftest import fresh_page
from tests.factories import PASSWORD, CheckInFactory, SessionFactory, monday
from tests.screening.factories import ScreeningFactory, answered_screening

ROUTINE = "/exercises/routine/?items=a,b"


def facts(**changes: object) -> DayFacts:
    """A patient with everything done today; `changes` undo parts of it."""
    values = {
        "emergency": None,
        "urgent": False,
        "screened": True,
        "checklist_done": True,
        "has_plan": True,
        "items_today": 4,
        "done_today": True,
        "checked_in": True,
        **changes,
    }
    return DayFacts(**values)


# ---- the order of next steps (no database) --------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # Nothing done at all: the warning-signs check comes first.
        (
            {
                "screened": False,
                "checklist_done": False,
                "has_plan": False,
                "items_today": 0,
                "done_today": False,
                "checked_in": False,
            },
            StepKey.SCREENING,
        ),
        # A prescription does not skip the check either.
        ({"screened": False, "done_today": False}, StepKey.SCREENING),
        ({"checklist_done": False, "has_plan": False, "done_today": False}, StepKey.CHECKLIST),
        # A plan built without the checklist means the checklist was skipped.
        ({"checklist_done": False, "done_today": False}, StepKey.ROUTINE),
        ({"has_plan": False, "done_today": False, "checked_in": False}, StepKey.PLAN),
        ({"done_today": False, "checked_in": False}, StepKey.ROUTINE),
        ({"checked_in": False}, StepKey.CHECK_IN),
        ({"items_today": 0, "done_today": False, "checked_in": False}, StepKey.CHECK_IN),
        ({"items_today": 0, "done_today": False}, StepKey.REST),
        ({}, StepKey.DONE),
    ],
)
def test_the_next_step_follows_the_first_steps_then_the_day(changes, expected):
    assert next_step(facts(**changes), routine=ROUTINE).key == expected


def test_an_unconfirmed_emergency_comes_before_everything():
    emergency = Screening(uuid=uuid.uuid4(), urgency=Urgency.EMERGENCY)

    step = next_step(facts(emergency=emergency, done_today=False), routine=ROUTINE)

    assert step.key == StepKey.CARE
    assert step.url == emergency.get_absolute_url() + "#next-steps"
    assert not step.skip_url


def test_an_urgent_result_asks_for_a_gp_before_the_checklist_or_routine():
    step = next_step(facts(urgent=True, checklist_done=False, has_plan=False), routine=ROUTINE)

    assert step.key == StepKey.SEE_DOCTOR
    assert step.url == reverse("screening:start")


def test_only_the_checklist_can_be_skipped():
    checklist = next_step(facts(checklist_done=False, has_plan=False), routine=ROUTINE)
    screening = next_step(facts(screened=False), routine=ROUTINE)

    assert checklist.skip_url == reverse("progress:plan")
    assert not screening.skip_url


def test_the_routine_step_starts_the_days_routine():
    step = next_step(facts(done_today=False, items_today=1), routine=ROUTINE)

    assert step.url == ROUTINE
    assert "1 exercise from" in step.text


@pytest.mark.parametrize(
    ("averages", "trend"),
    [([5], ""), ([6, 4], "down from 6"), ([3, 5], "up from 3"), ([4, 4], "the same")],
)
def test_the_pain_trend_compares_with_the_week_before(averages, trend):
    check_ins = [CheckIn(pain_average=value, pain_worst=value) for value in averages]

    assert pain_trend(check_ins).startswith(trend)


# ---- who gets what at / ---------------------------------------------------------------


def next_key(response) -> str:
    return re.search(r'data-next-step="([a-z_]+)"', response.content.decode())[1]


def strength_plan(patient) -> Plan:
    """A self-built plan with core strength on Monday, Wednesday and Friday (low pain)."""
    answered_screening(patient, {})
    CheckInFactory(patient=patient, week_start=monday(1), pain_average=2, pain_worst=3)
    plan = services.plan_build(patient=patient)
    assert plan.items.exclude(frequency=Frequency.DAILY).exists()
    return plan


def test_a_guest_gets_the_page_about_the_app(anon_client, content):
    response = anon_client.get("/")

    assert response.status_code == 200
    assert "Look after your back, one step at a time" in response.content.decode()
    assert "data-next-step" not in response.content.decode()


def test_a_clinician_lands_on_the_clinic_dashboard(clinician_client, stranger_clinician_client):
    for client in (clinician_client, stranger_clinician_client):
        response = client.get("/")

        assert response.status_code == 302
        assert response["Location"] == reverse("clinic:dashboard")


def test_a_new_patient_is_asked_for_the_warning_signs_check_first(patient_client, content):
    response = patient_client.get("/")

    assert response.status_code == 200
    assert next_key(response) == "screening"
    body = response.content.decode()
    assert f'href="{reverse("screening:start")}"' in body
    assert "Skip it" not in body
    assert not Plan.objects.exists(), "Today builds no plan"


def test_after_the_check_comes_the_checklist_which_can_be_skipped(patient_client, patient, content):
    answered_screening(patient, {})

    response = patient_client.get("/")

    assert next_key(response) == "checklist"
    body = response.content.decode()
    assert f'href="{reverse("checklist:start")}"' in body
    assert f'href="{reverse("progress:plan")}">Skip it' in body


def test_after_the_checklist_comes_the_plan(patient_client, patient, content):
    answered_screening(patient, {})
    completed_run(user=patient, default="no")

    assert next_key(patient_client.get("/")) == "plan"


def test_with_a_plan_today_offers_the_days_routine(patient_client, patient, content):
    answered_screening(patient, {})
    plan = services.plan_build(patient=patient)
    today = timezone.localdate()

    response = patient_client.get("/")

    assert next_key(response) == "routine"
    slugs = [item.exercise.slug for item in plan.items_on(today)]
    body = response.content.decode()
    assert body.count("data-start-routine") == 1, "one start button"
    assert f"/exercises/routine/?items={','.join(slugs)}" in body
    assert "0 of 7 planned days with a session" in body


def test_after_the_session_comes_the_weekly_check_in_then_done(patient_client, patient, content):
    answered_screening(patient, {})
    services.plan_build(patient=patient)
    SessionFactory(patient=patient)

    assert next_key(patient_client.get("/")) == "check_in"

    CheckInFactory(patient=patient)
    response = patient_client.get("/")

    assert next_key(response) == "done"
    assert "1 of 7 planned days with a session" in response.content.decode()
    assert "Streak: 1 day in a row" in response.content.decode()


def test_a_rest_day_has_no_start_button(patient_client, patient, content):
    plan = strength_plan(patient)
    CheckInFactory(patient=patient)
    tomorrow = (timezone.localdate().weekday() + 1) % 7
    plan.items.update(weekdays=[tomorrow])

    response = patient_client.get("/")

    assert next_key(response) == "rest"
    assert "data-start-routine" not in response.content.decode()


def test_on_a_strength_day_the_routine_has_the_strength_moves_and_not_on_a_rest_day(
    patient_client, patient, content
):
    plan = strength_plan(patient)
    today = timezone.localdate().weekday()
    strength = list(plan.items.exclude(frequency=Frequency.DAILY).select_related("exercise"))
    link = re.compile(r"/exercises/routine/\?items=([^\"]+)\"")

    plan.items.exclude(frequency=Frequency.DAILY).update(weekdays=[today])
    on = link.search(patient_client.get("/").content.decode())[1].split(",")
    plan.items.exclude(frequency=Frequency.DAILY).update(weekdays=[(today + 1) % 7])
    off = link.search(patient_client.get("/").content.decode())[1].split(",")

    assert {item.exercise.slug for item in strength} <= set(on)
    assert not {item.exercise.slug for item in strength} & set(off)
    assert off, "the every-day moves are still there"


def test_the_latest_pain_and_its_trend_are_shown_with_a_chart(patient_client, patient, content):
    answered_screening(patient, {})
    services.plan_build(patient=patient)
    CheckInFactory(patient=patient, week_start=monday(1), pain_average=6, pain_worst=7)
    CheckInFactory(patient=patient, week_start=monday(0), pain_average=4, pain_worst=6)

    body = patient_client.get("/").content.decode()

    assert "Average pain 4 out of 10" in body
    assert "down from 6 the week before" in body
    assert 'class="chart"' in body and "<polyline" in body


def test_an_unconfirmed_emergency_shows_the_banner_and_no_exercises(
    patient_client, patient, content
):
    answered_screening(patient, {})
    services.plan_build(patient=patient)
    ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)

    response = patient_client.get("/")

    assert next_key(response) == "care"
    body = response.content.decode()
    assert 'role="alert"' in body and 'href="tel:999"' in body
    assert "/exercises/routine/" not in body


def test_an_urgent_result_shows_a_banner_and_asks_for_a_gp(patient_client, patient, content):
    answered_screening(patient, {})
    ScreeningFactory(user=patient, urgency=Urgency.URGENT)

    response = patient_client.get("/")

    assert next_key(response) == "see_doctor"
    assert "data-safety-banner" in response.content.decode()


def test_logging_in_without_a_check_lands_on_today_asking_for_it(client, patient, content):
    response = client.post(
        reverse("account_login"), {"login": patient.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("home")
    assert next_key(response) == "screening"


def test_today_is_never_stored_by_a_browser(patient_client, content):
    assert "no-store" in patient_client.get("/")["Cache-Control"]


# ---- planned days and queries ---------------------------------------------------------


def test_planned_sessions_count_the_days_with_something_scheduled(patient, content):
    plan = Plan.objects.create(patient=patient, kind=PlanKind.PRESCRIBED)
    first, second = Exercise.objects.all()[:2]
    PlanItem.objects.create(plan=plan, exercise=first, weekdays=[0, 2])
    PlanItem.objects.create(plan=plan, exercise=second, weekdays=[2, 4])

    assert planned_sessions_per_week(plan) == 3
    assert planned_sessions_per_week(None) == 0


def test_the_progress_page_counts_sessions_against_the_schedule(patient_client, patient, content):
    plan = Plan.objects.create(patient=patient)
    PlanItem.objects.create(plan=plan, exercise=Exercise.objects.first(), weekdays=[1, 3])

    body = patient_client.get("/progress/").content.decode()

    assert re.search(r"data-sessions-this-week>0 of 2 planned", body)


def _history(patient, weeks: int) -> None:
    today = timezone.localdate()
    Session.objects.bulk_create(
        Session(
            patient=patient,
            performed_on=today - dt.timedelta(days=days),
            client_token=uuid.uuid4(),
            pain_during=3,
        )
        for days in range(weeks * 7)
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            patient=patient,
            week_start=monday(week),
            pain_average=4,
            pain_worst=5,
            sleep_nights=1,
            days_active=3,
        )
        for week in range(weeks)
        if week != 1  # strength_plan's check-in
    )


def test_today_takes_the_same_queries_with_one_or_52_weeks_of_history(
    patient_client, other_patient_client, patient, other_patient, content
):
    counts = {}
    cases = ((patient, patient_client, 1), (other_patient, other_patient_client, 52))
    for person, client, weeks in cases:
        strength_plan(person)
        _history(person, weeks)
        fresh_page()
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/")
        assert response.status_code == 200
        counts[weeks] = len(queries)

    assert counts[1] == counts[52]
    assert counts[1] <= 10


# ---- the first steps lead on ----------------------------------------------------------


def test_each_first_step_leads_a_patient_to_the_next(patient_client, patient, content):
    screening = answered_screening(patient, {})
    body = patient_client.get(screening.get_absolute_url()).content.decode()
    assert f'href="{reverse("checklist:start")}" data-next>Next: the movement checklist' in body
    assert f'href="{reverse("progress:plan")}">Skip it' in body

    run = completed_run(user=patient, default="no")
    body = patient_client.get(run.get_absolute_url()).content.decode()
    assert f'href="{reverse("progress:plan")}" data-next>Next: your plan' in body

    body = patient_client.get(reverse("progress:plan")).content.decode()
    assert f'href="{reverse("home")}">Next: Today' in body


def test_an_emergency_result_leads_nowhere_past_it(patient_client, patient, content):
    screening = answered_screening(patient, {"leg_weakness": "yes"})

    body = patient_client.get(screening.get_absolute_url()).content.decode()
    response = patient_client.get(reverse("progress:plan"))

    assert "data-next" not in body
    assert f'href="{reverse("progress:plan")}"' not in body.split("<main")[1]
    assert "/exercises/routine/" not in response.content.decode()
    assert not Plan.objects.filter(patient=patient).exists()


# The week strip's markup as the template wrote it before WeekDay.html() took over.
WEEK_STRIP_TEMPLATE = (
    '<li class="week-strip__day{% if day.logged %} week-strip__day--done{% elif not day.planned %}'
    ' week-strip__day--rest{% endif %}{% if day.is_today %} week-strip__day--today{% endif %}"'
    '{% if day.is_today %} aria-current="date"{% endif %}>'
    '<span class="week-strip__name" aria-hidden="true">{{ day.name|slice:":3" }}</span>'
    '<span class="week-strip__state" aria-hidden="true">'
    "{% if day.logged %}Done{% elif day.planned %}{% if day.future or day.is_today %}Plan"
    "{% else %}–{% endif %}{% else %}Rest{% endif %}</span>"
    '<span class="visually-hidden">{{ day.name }}{% if day.is_today %} (today){% endif %}: '
    "{% if day.logged %}session logged{% elif day.planned %}{% if day.future or day.is_today %}"
    "planned{% else %}planned, no session logged{% endif %}{% else %}rest day{% endif %}</span>"
    "</li>"
)


@pytest.mark.parametrize("planned", [True, False])
@pytest.mark.parametrize("logged", [True, False])
@pytest.mark.parametrize("when", ["past", "today", "future"])
def test_week_strip_day_markup_matches_the_template_it_replaced(planned, logged, when):
    day = WeekDay(
        day=dt.date(2026, 11, 18),
        name="Wednesday",
        planned=planned,
        logged=logged,
        is_today=when == "today",
        future=when == "future",
    )
    assert day.html() == Template(WEEK_STRIP_TEMPLATE).render(Context({"day": day}))
