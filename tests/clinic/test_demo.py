from __future__ import annotations

import datetime as dt
import random
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core.management import call_command
from django.db.models import Max
from django.test import Client
from django.utils import timezone

from apps.accounts.management.commands.seed_demo import DEMO_TOTP_SECRET
from apps.accounts.models import CareLink, User
from apps.clinic import demo
from apps.clinic.models import Alert, AlertKind
from apps.clinic.views.dashboard import describe, patient_overview
from apps.progress.models import CheckIn, Plan, Session, week_start
from apps.screening.models import Screening

pytestmark = pytest.mark.django_db

CLINICIAN = "clinician@example.com"
PATIENT = "patient@example.com"


@pytest.fixture
def seeded(demo_data) -> User:
    return User.objects.get(email=CLINICIAN)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, CareLink, CheckIn, Session, Screening, Alert, Authenticator)
    }


def test_the_demo_clinician_looks_after_the_demo_patient_and_30_more(seeded):
    patients = User.objects.visible_to(seeded)

    assert patients.count() == 31
    assert patients.filter(email=PATIENT).exists()
    assert patients.filter(email__endswith=f"@{demo.DOMAIN}").count() == 30
    # Made-up patients cannot log in.
    assert not any(p.has_usable_password() for p in patients.exclude(email=PATIENT))


def test_seeding_again_changes_nothing_and_costs_a_few_queries(
    seeded, django_assert_max_num_queries
):
    before = counts()

    with django_assert_max_num_queries(20):
        call_command("seed_demo", verbosity=0)

    assert counts() == before


def test_the_demo_patient_who_stopped_sharing_stays_stopped(seeded):
    CareLink.objects.get(patient__email=PATIENT).revoke()

    call_command("seed_demo", verbosity=0)

    assert not User.objects.visible_to(seeded).filter(email=PATIENT).exists()


def test_the_demo_clinician_has_the_documented_authenticator_secret(seeded):
    authenticator = Authenticator.objects.get(user=seeded, type=Authenticator.Type.TOTP)
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, int(time.time()) // 30))

    assert TOTP(authenticator).validate_code(code)


def test_the_caseload_has_every_kind_of_alert_and_one_emergency(seeded):
    open_alerts = Alert.objects.for_clinician(seeded).open()

    assert set(open_alerts.values_list("kind", flat=True)) == set(AlertKind.values)
    assert open_alerts.filter(kind=AlertKind.EMERGENCY).count() == 1
    # Some early bad weeks were looked at already: history, not news.
    assert Alert.objects.filter(seen_by=seeded).exists()


def test_the_stories_vary_and_the_dashboard_shows_them(seeded):
    rows = [describe(p) for p in patient_overview(seeded, today=timezone.localdate())]
    trends = {row.trend for row in rows}

    assert {"up", "down"} <= trends
    assert rows[0].top_alert == AlertKind.EMERGENCY
    assert sum(1 for row in rows if row.open_alerts) >= 10
    assert sum(1 for row in rows if not row.open_alerts) >= 10
    assert any(row.adherence and row.adherence >= 70 for row in rows)


def test_the_dates_are_relative_to_today(seeded):
    today = timezone.localdate()
    synthetic = CheckIn.objects.filter(patient__email__endswith=f"@{demo.DOMAIN}")

    assert synthetic.aggregate(last=Max("week_start"))["last"] == week_start(today) - dt.timedelta(
        weeks=1
    )
    assert Session.objects.aggregate(last=Max("performed_on"))["last"] <= today
    assert not synthetic.filter(created_at__gt=timezone.now()).exists()
    quiet = [
        row
        for row in patient_overview(seeded, today=today)
        if row.last_active and (today - row.last_active).days >= 14
    ]
    assert len(quiet) == 5


def test_the_stories_come_from_a_fixed_seed():
    def stories() -> list[demo.Story]:
        rng = random.Random(demo.SEED)
        return [demo.story(kind, rng) for kind, n in demo.STORIES for _ in range(n)]

    assert stories() == stories()
    assert len(stories()) == len(demo.NAMES) == 30


def test_the_demo_clinician_can_open_the_dashboard(seeded):
    client = Client()
    client.force_login(seeded)

    response = client.get("/clinic/")

    assert response.status_code == 200
    assert "31 patients share with you; page 1 of 2" in response.content.decode()


def test_the_demo_patient_opens_today_on_todays_routine(seeded, client):
    patient = User.objects.get(email=PATIENT)
    client.force_login(patient)

    body = client.get("/").content.decode()

    assert Plan.objects.for_patient(patient).current() is not None
    assert "Start today&#x27;s routine" in body or "Start today's routine" in body


def test_a_demo_database_seeded_before_plans_gets_one(seeded):
    patient = User.objects.get(email=PATIENT)
    Plan.objects.filter(patient=patient).delete()

    call_command("seed_demo", verbosity=0)

    assert Plan.objects.for_patient(patient).current() is not None


def test_the_demo_patient_has_sessions_up_to_yesterday_and_a_streak(seeded):
    patient = User.objects.get(email=PATIENT)
    today = timezone.localdate()
    days = set(Session.objects.filter(patient=patient).values_list("performed_on", flat=True))

    assert max(days) == today - dt.timedelta(days=1)
    # Every day of the last two weeks (this week so far included): a real streak.
    assert all(today - dt.timedelta(days=n) in days for n in range(1, 15))
    assert today not in days  # today is left for the person


def test_a_later_run_tops_the_history_up_to_yesterday(seeded):
    from apps.progress import demo as progress_demo

    patient = User.objects.get(email=PATIENT)
    later = timezone.localdate() + dt.timedelta(days=17)
    before = set(Session.objects.filter(patient=patient).values_list("performed_on", flat=True))

    added = progress_demo.top_up(patient=patient, today=later)

    days = set(Session.objects.filter(patient=patient).values_list("performed_on", flat=True))
    # One session a day added, on some of the earlier days (a rest day now and then: how many
    # depends on the date the story is seeded from) and every day of the last week.
    assert added == len(days - before) >= 7
    assert max(days) == later - dt.timedelta(days=1)
    assert all(later - dt.timedelta(days=n) in days for n in range(1, 8))
    last_check_in = CheckIn.objects.filter(patient=patient).aggregate(last=Max("week_start"))
    assert last_check_in["last"] == week_start(later) - dt.timedelta(weeks=1)
    assert progress_demo.top_up(patient=patient, today=later) == 0
