from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.models import User
from apps.clinic.csv_export import COLUMNS
from apps.clinic.models import AuditAction, AuditEvent
from apps.exercises.models import Exercise
from apps.progress.models import Plan, PlanItem, PlanKind, SessionEntry
from tests.factories import (
    CheckInFactory,
    ClinicianFactory,
    ExerciseFactory,
    SessionFactory,
    monday,
)
from tests.screening.factories import answered_screening

pytestmark = pytest.mark.django_db

VIEWS = ["report", "csv", "fhir"]
# The session (its user and their MFA flag read with it), the patient with the audit row
# (one statement), then the view's own: screening and its answers, check-ins, session
# totals and weeks, plan and its items; check-ins and sessions; check-ins.
BUDGET = {
    "report": 10,  # 10: the checklist scores
    "csv": 4,
    "fhir": 3,
}
# What each view records as the exported object.
OBJECT_REF = {"report": "report", "csv": "csv", "fhir": "fhir"}


def url(name: str, patient: User) -> str:
    return reverse(f"clinic:{name}", args=[patient.uuid])


def history(patient: User, weeks: int) -> list[Exercise]:
    """Give the patient `weeks` check-ins and two sessions a week with two exercises each."""
    exercises = [ExerciseFactory(name="Cat-cow, gently"), ExerciseFactory(name="Bridge")]
    for week in range(weeks):
        CheckInFactory(
            patient=patient,
            week_start=monday(week),
            pain_average=week % 8,
            pain_worst=week % 8 + 2,
            note=f"Week {week}",
        )
        # The Monday and the Saturday before it: never a day in the future.
        for day in (0, -2):
            session = SessionFactory(
                patient=patient, performed_on=monday(week) + dt.timedelta(days=day), pain_during=3
            )
            for exercise in exercises:
                SessionEntry.objects.create(session=session, exercise=exercise, sets=2, reps=8)
    return exercises


def test_the_urls_have_stable_names(patient):
    assert url("report", patient) == f"/clinic/patients/{patient.uuid}/report/"
    assert url("csv", patient) == f"/clinic/patients/{patient.uuid}/export.csv"
    assert url("fhir", patient) == f"/clinic/patients/{patient.uuid}/fhir.json"


# ---- access -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", VIEWS)
def test_anonymous_people_are_sent_to_log_in(anon_client, patient, name):
    response = anon_client.get(url(name, patient))

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("who", ["patient_client", "other_patient_client"])
def test_patients_get_a_404(request, patient, name, who):
    response = request.getfixturevalue(who).get(url(name, patient))

    assert response.status_code == 404
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("name", VIEWS)
@pytest.mark.parametrize("who", ["stranger_clinician", "revoked_clinician"])
def test_unlinked_and_revoked_clinicians_get_a_404_and_a_denied_event(
    request, client, patient, name, who
):
    doctor = request.getfixturevalue(who)
    CheckInFactory(patient=patient, note="Only for my clinician")
    client.force_login(doctor)

    response = client.get(url(name, patient))

    assert response.status_code == 404
    assert "Only for my clinician" not in response.content.decode()
    event = AuditEvent.objects.get()
    # Recorded against the patient, who sees the refused attempt too.
    assert (event.actor, event.action, event.patient, event.patient_uuid) == (
        doctor,
        AuditAction.DENIED,
        patient,
        patient.uuid,
    )


@pytest.mark.parametrize("name", VIEWS)
def test_a_clinician_without_mfa_is_sent_to_set_it_up(client, patient, name):
    doctor = ClinicianFactory(mfa=False)
    patient.care_links.create(clinician=doctor)
    client.force_login(doctor)

    response = client.get(url(name, patient))

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("name", VIEWS)
def test_the_linked_clinician_gets_it_and_exactly_one_export_event(
    clinician, clinician_client, patient, name
):
    before = AuditEvent.objects.count()

    response = clinician_client.get(url(name, patient))

    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get()
    assert (event.actor, event.patient, event.action, event.object_ref) == (
        clinician,
        patient,
        AuditAction.EXPORT,
        OBJECT_REF[name],
    )


@pytest.mark.parametrize("name", VIEWS)
def test_only_get_is_allowed(clinician_client, patient, name):
    assert clinician_client.post(url(name, patient)).status_code == 405
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("name", VIEWS)
def test_a_revoked_share_ends_access_on_the_next_request(clinician_client, patient, name):
    assert clinician_client.get(url(name, patient)).status_code == 200

    patient.care_links.get().revoke()

    assert clinician_client.get(url(name, patient)).status_code == 404


# ---- query budgets ----------------------------------------------------------------------


@pytest.mark.parametrize("name", VIEWS)
def test_queries_do_not_grow_with_the_history(
    content, clinician, patient, other_patient, name, django_assert_max_num_queries
):
    other_patient.care_links.create(clinician=clinician)
    history(patient, weeks=1)
    history(other_patient, weeks=52)
    answered_screening(patient, {"radiating": "yes"})
    answered_screening(other_patient, {"possible_fracture": "yes", "weight_loss": "unsure"})
    for person in (patient, other_patient):
        plan = Plan.objects.create(patient=person)
        for order, exercise in enumerate(Exercise.objects.all()[: 3 if person == patient else 20]):
            PlanItem.objects.create(plan=plan, exercise=exercise, order=order)
    client = Client()
    client.force_login(clinician)

    with CaptureQueriesContext(connection) as few:
        assert client.get(url(name, patient)).status_code == 200
    with django_assert_max_num_queries(BUDGET[name]):
        with CaptureQueriesContext(connection) as many:
            assert client.get(url(name, other_patient)).status_code == 200

    assert len(few) == len(many)


# ---- the printable report ---------------------------------------------------------------


def test_the_report_shows_screening_check_ins_sessions_and_plan(
    content, clinician, clinician_client, patient
):
    exercises = history(patient, weeks=3)
    answered_screening(patient, {"possible_fracture": "yes", "weight_loss": "unsure"})
    plan = Plan.objects.create(
        patient=patient, author=clinician, kind=PlanKind.PRESCRIBED, note="Little and often."
    )
    PlanItem.objects.create(plan=plan, exercise=exercises[1], sets=3, reps=10, days_per_week=5)

    response = clinician_client.get(url("report", patient))

    body = response.content.decode()
    assert 'data-urgency="urgent"' in body
    assert "A fall, knock or strain that might have hurt a bone" in body
    assert "(answered yes)" in body
    # A serious sign answered "not sure" counts, and is listed once.
    assert body.count("Weight loss you cannot explain") == 1
    assert "(answered not sure)" in body
    assert body.count('<td class="report-table__note">Week ') == 3
    assert "<dt>Sessions logged</dt><dd>6</dd>" in body
    assert "Prescribed by Dr Link, since" in body
    assert "Little and often." in body
    assert "3 sets of 10 reps, 5 days a week" in body
    assert 'id="report-pain-chart-title"' in body


def test_the_report_says_it_is_a_summary_not_a_diagnosis(clinician_client, patient):
    body = clinician_client.get(url("report", patient)).content.decode()

    assert "It is not a diagnosis" in body
    assert "for education and review" in body


def test_an_empty_history_reads_plainly(clinician_client, patient):
    body = clinician_client.get(url("report", patient)).content.decode()

    assert "The patient has not completed a warning-signs check." in body
    assert "No weekly check-ins yet." in body
    assert "The patient has no plan yet." in body
    assert "<dt>Sessions logged</dt><dd>0</dd>" in body


def test_the_report_prints_with_its_own_stylesheet_and_links_the_downloads(
    clinician_client, patient
):
    body = clinician_client.get(url("report", patient)).content.decode()

    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in body
    assert f'href="{url("csv", patient)}"' in body
    assert f'href="{url("fhir", patient)}"' in body
    assert f'href="{reverse("clinic:review", args=[patient.uuid])}"' in body


def test_the_print_stylesheet_hides_the_site_chrome_and_keeps_tables_inside_a4():
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/print.css")).read()

    assert "@page { size: A4" in css
    assert ".site-header, .site-footer" in css
    assert "break-inside: avoid" in css
    assert "overflow-wrap: anywhere" in css


# ---- CSV ----------------------------------------------------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csv_is_an_attachment_with_the_documented_columns(clinician_client, patient):
    response = clinician_client.get(url("csv", patient))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="backpain-{patient.uuid}-check-ins-sessions-'
    )
    header = response.content.decode("utf-8").removeprefix("\ufeff").splitlines()[0]
    assert header.split(",") == COLUMNS
    assert COLUMNS == [
        "record",
        "date",
        "pain_average",
        "pain_worst",
        "nights_woken",
        "days_active",
        "exercises",
        "pain_during",
        "note",
    ]


def test_the_csv_has_iso_dates_exercise_names_and_pain_scores(clinician_client, patient):
    week = monday(1)
    CheckInFactory(
        patient=patient, week_start=week, pain_average=4, pain_worst=7, sleep_nights=2, note="ok"
    )
    session = SessionFactory(patient=patient, performed_on=week, pain_during=5, note="Easy")
    cat, bridge = ExerciseFactory(name="Cat-cow"), ExerciseFactory(name="Bridge")
    SessionEntry.objects.create(session=session, exercise=cat)
    SessionEntry.objects.create(session=session, exercise=bridge)
    SessionFactory(patient=patient, performed_on=monday(0), pain_during=2)

    rows = read_csv(clinician_client.get(url("csv", patient)))

    assert rows == [
        {
            "record": "check-in",
            "date": week.isoformat(),
            "pain_average": "4",
            "pain_worst": "7",
            "nights_woken": "2",
            "days_active": "4",
            "exercises": "",
            "pain_during": "",
            "note": "ok",
        },
        {
            "record": "session",
            "date": week.isoformat(),
            "pain_average": "",
            "pain_worst": "",
            "nights_woken": "",
            "days_active": "",
            "exercises": "Cat-cow; Bridge",
            "pain_during": "5",
            "note": "Easy",
        },
        {
            "record": "session",
            "date": monday(0).isoformat(),
            "pain_average": "",
            "pain_worst": "",
            "nights_woken": "",
            "days_active": "",
            "exercises": "",
            "pain_during": "2",
            "note": "",
        },
    ]


def test_the_csv_keeps_a_formula_as_text(clinician_client, patient):
    CheckInFactory(patient=patient, note='=HYPERLINK("http://x")')

    [row] = read_csv(clinician_client.get(url("csv", patient)))

    assert row["note"] == '\'=HYPERLINK("http://x")'


def test_the_csv_holds_only_this_patient(clinician, clinician_client, patient, other_patient):
    other_patient.care_links.create(clinician=clinician)
    CheckInFactory(patient=patient, note="mine")
    CheckInFactory(patient=other_patient, note="theirs")

    rows = read_csv(clinician_client.get(url("csv", patient)))

    assert [row["note"] for row in rows] == ["mine"]
