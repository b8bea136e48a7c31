from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from apps.accounts.models import CareLink, Role, User
from apps.clinic import alerts
from apps.clinic.management.commands.seed_scale import CLINICIANS, DOMAIN
from apps.clinic.models import Alert
from apps.progress.models import CheckIn, Plan, Session

pytestmark = pytest.mark.django_db
PATIENTS, WEEKS = 60, 6


@pytest.fixture
def seeded(content) -> None:
    call_command("seed_scale", patients=PATIENTS, weeks=WEEKS, force=True, verbosity=0)


def test_patients_are_spread_over_clinicians_who_see_them(seeded):
    clinicians = User.objects.filter(role=Role.CLINICIAN, email__endswith=DOMAIN)
    assert clinicians.count() == CLINICIANS
    assert User.objects.filter(role=Role.PATIENT, email__endswith=DOMAIN).count() == PATIENTS
    per_clinician = {c.pk: User.objects.visible_to(c).count() for c in clinicians}
    assert sum(per_clinician.values()) == PATIENTS
    assert max(per_clinician.values()) - min(per_clinician.values()) <= 1
    assert CareLink.objects.active().count() == PATIENTS


def test_each_patient_has_weeks_of_history_and_a_plan(seeded):
    patients = User.objects.filter(role=Role.PATIENT, email__endswith=DOMAIN)
    check_ins = patients.annotate(n=Count("check_ins")).values_list("n", flat=True)
    assert max(check_ins) <= WEEKS
    assert sum(check_ins) >= PATIENTS * WEEKS * 0.75
    sessions = Session.objects.filter(patient__in=patients).count()
    # About four a week, this week's included.
    assert PATIENTS * WEEKS * 3 <= sessions <= PATIENTS * (WEEKS + 1) * 5
    assert all(Plan.objects.for_patient(p).current() is not None for p in patients)
    assert CheckIn.objects.filter(patient__in=patients, pain_worst__lt=0).count() == 0


def test_its_alerts_are_the_ones_the_app_would_raise(seeded):
    assert Alert.objects.exists()
    patients = User.objects.filter(role=Role.PATIENT, email__endswith=DOMAIN)
    # refresh_for raises what the rules call for and is not there yet: nothing, if the
    # bulk alerts are the app's own.
    assert [a for p in patients for a in alerts.refresh_for(p)] == []


def test_it_refuses_to_run_twice(seeded):
    with pytest.raises(CommandError, match="already"):
        call_command("seed_scale", patients=2, weeks=1, force=True, verbosity=0)


def test_it_refuses_without_debug_unless_forced(content, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_scale", patients=2, weeks=1, verbosity=0)
    assert not User.objects.filter(email__endswith=DOMAIN).exists()
