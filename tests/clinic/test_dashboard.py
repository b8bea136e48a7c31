from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import CareLink, User
from apps.clinic.models import Alert, AlertKind, AuditAction, AuditEvent, ClinicianPreference
from apps.clinic.views.dashboard import describe, patient_overview
from apps.progress.models import CheckIn, Plan, PlanItem, PlanKind, Session
from tests.conftest import fresh_page
from tests.factories import (
    CheckInFactory,
    ClinicianFactory,
    ExerciseFactory,
    SessionFactory,
    UserFactory,
    monday,
)
from tests.screening.factories import ScreeningFactory

DASHBOARD = "/clinic/"
PREFERENCES = "/clinic/preferences/"
HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


def linked(clinician: User, **fields) -> User:
    patient = UserFactory(**fields)
    CareLink.objects.create(patient=patient, clinician=clinician)
    return patient


def rows(response) -> list[str]:
    """The patients' e-mail addresses in the order the table lists them."""
    return re.findall(r'class="small patients__email">([^<]+)<', response.content.decode())


def overview(clinician: User) -> dict[str, User]:
    return {p.email: describe(p) for p in patient_overview(clinician, today=timezone.localdate())}


def test_the_url_has_a_stable_name():
    assert reverse("clinic:dashboard") == DASHBOARD
    assert reverse("clinic:preferences") == PREFERENCES


# ---- access ---------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(anon_client):
    for response in (anon_client.get(DASHBOARD), anon_client.post(PREFERENCES)):
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["patient_client", "other_patient_client"])
def test_patients_get_a_404(request, who):
    client = request.getfixturevalue(who)

    assert client.get(DASHBOARD).status_code == 404
    assert client.post(PREFERENCES, {"email_alerts": "on"}).status_code == 404
    assert not AuditEvent.objects.exists()
    assert not ClinicianPreference.objects.exists()


def test_a_clinician_without_mfa_is_sent_to_set_it_up(client, patient):
    doctor = ClinicianFactory(mfa=False)
    CareLink.objects.create(patient=patient, clinician=doctor)
    client.force_login(doctor)

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert "Pat" not in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_the_linked_clinician_sees_the_patient_and_one_view_is_audited(
    clinician, clinician_client, patient
):
    response = clinician_client.get(DASHBOARD)

    assert response.status_code == 200
    assert rows(response) == [patient.email]
    assert "1 patient shares with you" in response.content.decode()
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.object_ref, event.patient) == (
        clinician,
        AuditAction.VIEW,
        "dashboard",
        None,
    )


def test_each_patient_links_to_their_review(clinician_client, patient):
    response = clinician_client.get(DASHBOARD)

    assert f'href="{reverse("clinic:review", args=[patient.uuid])}"' in response.content.decode()


@pytest.mark.parametrize("who", ["stranger_clinician", "revoked_clinician"])
def test_unlinked_and_revoked_clinicians_do_not_see_the_patient(request, client, patient, who):
    doctor = request.getfixturevalue(who)
    client.force_login(doctor)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert patient.email not in response.content.decode()
    assert "No patients share with you yet" in response.content.decode()
    assert AuditEvent.objects.filter(actor=doctor, action=AuditAction.VIEW).count() == 1


def test_other_clinicians_patients_and_inactive_patients_are_not_listed(
    clinician, clinician_client, patient, other_patient, stranger_clinician
):
    CareLink.objects.create(patient=other_patient, clinician=stranger_clinician)
    gone = linked(clinician, email="gone@example.org")
    gone.is_active = False
    gone.save()

    assert rows(clinician_client.get(DASHBOARD)) == [patient.email]


def test_it_rejects_other_methods(clinician_client):
    assert clinician_client.post(DASHBOARD).status_code == 405
    assert clinician_client.get(PREFERENCES).status_code == 405


# ---- the figures ----------------------------------------------------------------------


def test_latest_pain_and_its_4_week_trend(clinician):
    up, down, same, short, gap = (linked(clinician, email=f"{n}@example.org") for n in "abcde")
    for patient, before, now in [(up, 3, 6), (down, 7, 4), (same, 5, 5)]:
        CheckInFactory(patient=patient, week_start=monday(4), pain_average=before, pain_worst=9)
        CheckInFactory(patient=patient, week_start=monday(2), pain_average=1, pain_worst=9)
        CheckInFactory(patient=patient, week_start=monday(0), pain_average=now, pain_worst=9)
    CheckInFactory(patient=short, week_start=monday(1), pain_average=6)
    CheckInFactory(patient=short, week_start=monday(0), pain_average=2)
    # Nothing 4 weeks before, but one 5 weeks before: a missed week does not hide the trend.
    CheckInFactory(patient=gap, week_start=monday(5), pain_average=8, pain_worst=9)
    CheckInFactory(patient=gap, week_start=monday(0), pain_average=5, pain_worst=9)

    found = {
        email: (p.latest_pain, p.earlier_pain, p.trend) for email, p in overview(clinician).items()
    }

    assert found["a@example.org"] == (6, 3, "up")
    assert found["b@example.org"] == (4, 7, "down")
    assert found["c@example.org"] == (5, 5, "same")
    assert found["d@example.org"] == (2, None, None)
    assert found["e@example.org"] == (5, 8, "down")
    assert found["pat@example.org"] == (None, None, None)


def plan_with(patient: User, *frequencies, kind=PlanKind.SELF, days=None, author=None) -> Plan:
    plan = Plan.objects.create(patient=patient, kind=kind, author=author)
    for frequency in frequencies:
        PlanItem.objects.create(
            plan=plan, exercise=ExerciseFactory(), frequency=frequency, days_per_week=days
        )
    return plan


def test_adherence_counts_days_with_a_session_against_the_current_plan(clinician, patient):
    today = timezone.localdate()
    for days_ago in (0, 0, 1, 5, 13, 14, 30):  # two on one day; 14 and 30 days ago are out
        SessionFactory(patient=patient, performed_on=today - dt.timedelta(days=days_ago))
    plan_with(patient, "daily", "2-3/week")
    daily = overview(clinician)[patient.email]
    assert (daily.sessions_done, daily.sessions_planned, daily.adherence) == (4, 14, 28)

    # A prescription wins over the self-built plan; its days per week count.
    plan_with(patient, "daily", kind=PlanKind.PRESCRIBED, days=2, author=clinician)
    prescribed = overview(clinician)[patient.email]
    assert (prescribed.sessions_planned, prescribed.adherence) == (4, 100)


def test_a_two_or_three_days_plan_plans_three_days_a_week(clinician, patient):
    plan_with(patient, "2-3/week", "2-3/week")
    SessionFactory(patient=patient, performed_on=timezone.localdate())

    row = overview(clinician)[patient.email]

    assert (row.sessions_done, row.sessions_planned, row.adherence) == (1, 6, 16)


def test_no_plan_means_no_adherence_figure(clinician, clinician_client, patient):
    SessionFactory(patient=patient, performed_on=timezone.localdate())

    row = overview(clinician)[patient.email]

    assert (row.sessions_done, row.sessions_planned, row.adherence) == (1, 0, None)
    assert "1 day, no plan" in clinician_client.get(DASHBOARD).content.decode()


def test_last_activity_is_the_later_of_session_and_check_in(clinician, patient):
    today = timezone.localdate()
    assert overview(clinician)[patient.email].last_active is None

    SessionFactory(patient=patient, performed_on=today - dt.timedelta(days=9))
    assert overview(clinician)[patient.email].last_active == today - dt.timedelta(days=9)

    CheckInFactory(patient=patient, week_start=monday(3))  # made today, for an old week
    assert overview(clinician)[patient.email].last_active == today


def test_latest_screening_level_is_the_latest_finished(clinician, clinician_client, patient):
    now = timezone.now()
    ScreeningFactory(user=patient, urgency="urgent", completed_at=now - dt.timedelta(days=3))
    ScreeningFactory(user=patient, urgency="soon", completed_at=now - dt.timedelta(days=1))
    ScreeningFactory(user=patient, urgency=None, completed_at=None)  # unfinished, newer start

    assert overview(clinician)[patient.email].screening_level == "soon"
    assert "Soon" in clinician_client.get(DASHBOARD).content.decode()


def test_open_alerts_are_counted_and_the_most_pressing_named(clinician, clinician_client, patient):
    Alert.objects.create(patient=patient, kind=AlertKind.INACTIVE, source="quiet:x")
    Alert.objects.create(patient=patient, kind=AlertKind.URGENT, source="u1")
    seen = Alert.objects.create(patient=patient, kind=AlertKind.EMERGENCY, source="e1")
    seen.mark_seen(clinician)

    row = overview(clinician)[patient.email]
    assert (row.open_alerts, row.top_alert) == (2, AlertKind.URGENT)
    page = clinician_client.get(DASHBOARD).content.decode()
    assert 'data-open-alerts="2"' in page
    assert "Urgent warning sign, and 1 more" in page


# ---- order, search, filter, pages ------------------------------------------------------


def test_patients_with_open_alerts_come_first_then_the_most_recently_active(
    clinician, clinician_client, patient
):
    today = timezone.localdate()
    recent, old, alerting, never = (
        linked(clinician, email=f"{n}@example.org") for n in ("recent", "old", "alert", "never")
    )
    SessionFactory(patient=recent, performed_on=today)
    SessionFactory(patient=old, performed_on=today - dt.timedelta(days=20))
    SessionFactory(patient=alerting, performed_on=today - dt.timedelta(days=40))
    SessionFactory(patient=patient, performed_on=today - dt.timedelta(days=2))
    Alert.objects.create(patient=alerting, kind=AlertKind.SEVERE_PAIN, source="week:x")

    assert rows(clinician_client.get(DASHBOARD)) == [
        alerting.email,
        recent.email,
        patient.email,
        old.email,
        never.email,
    ]


def test_among_patients_with_alerts_the_most_pressing_come_first(clinician, clinician_client):
    today = timezone.localdate()
    quiet, severe, emergency = (
        linked(clinician, email=f"{n}@example.org") for n in ("quiet", "severe", "emergency")
    )
    SessionFactory(patient=quiet, performed_on=today)
    SessionFactory(patient=severe, performed_on=today - dt.timedelta(days=1))
    SessionFactory(patient=emergency, performed_on=today - dt.timedelta(days=5))
    Alert.objects.create(patient=quiet, kind=AlertKind.INACTIVE, source="quiet:x")
    Alert.objects.create(patient=severe, kind=AlertKind.SEVERE_PAIN, source="week:x")
    Alert.objects.create(patient=severe, kind=AlertKind.INACTIVE, source="quiet:y")
    Alert.objects.create(patient=emergency, kind=AlertKind.EMERGENCY, source="e")

    assert rows(clinician_client.get(DASHBOARD))[:3] == [
        emergency.email,
        severe.email,
        quiet.email,
    ]


def test_search_finds_patients_by_name_or_e_mail(clinician, clinician_client):
    linked(clinician, display_name="Robin Hart", email="rh@example.org")
    linked(clinician, display_name="Kim Lowe", email="kim.hartley@example.org")
    linked(clinician, display_name="Ann Other", email="ann@example.org")

    assert sorted(rows(clinician_client.get(DASHBOARD, {"q": "hart"}))) == [
        "kim.hartley@example.org",
        "rh@example.org",
    ]
    response = clinician_client.get(DASHBOARD, {"q": "robin"})
    assert rows(response) == ["rh@example.org"]
    assert "1 patient matches your search" in response.content.decode()
    assert rows(clinician_client.get(DASHBOARD, {"q": "nobody"})) == []


def test_a_search_too_long_is_explained_and_kept(clinician_client, patient):
    typed = "x" * 101

    response = clinician_client.get(DASHBOARD, {"q": typed})

    page = response.content.decode()
    assert response.status_code == 200
    assert "at most 100 characters" in page
    assert f'value="{typed}"' in page
    assert rows(response) == [patient.email]  # the rejected search filters nothing


def test_the_alert_filter_shows_only_patients_with_open_alerts(clinician, clinician_client):
    alerting = linked(clinician, email="alerting@example.org")
    seen_only = linked(clinician, email="seen@example.org")
    Alert.objects.create(patient=alerting, kind=AlertKind.RISING, source="week:a")
    Alert.objects.create(patient=seen_only, kind=AlertKind.RISING, source="week:b").mark_seen(
        clinician
    )

    response = clinician_client.get(DASHBOARD, {"alerts": "on"})

    assert rows(response) == [alerting.email]
    assert 'name="alerts" id="id_alerts" checked' in response.content.decode()


def test_25_patients_a_page_with_links_that_keep_the_search(clinician, clinician_client):
    for n in range(30):
        linked(clinician, display_name=f"Match {n:02}", email=f"m{n:02}@example.org")

    first = clinician_client.get(DASHBOARD, {"q": "match"})
    second = clinician_client.get(DASHBOARD, {"q": "match", "page": 2})
    beyond = clinician_client.get(DASHBOARD, {"q": "match", "page": "99"})
    nonsense = clinician_client.get(DASHBOARD, {"q": "match", "page": "-x"})

    assert len(rows(first)) == 25
    assert len(rows(second)) == 5
    assert set(rows(first)).isdisjoint(rows(second))
    assert 'href="?q=match&amp;page=2"' in first.content.decode()
    assert "30 patients match your search; page 1 of 2" in first.content.decode()
    assert rows(beyond) == rows(second)
    assert rows(nonsense) == rows(first)


def test_a_page_number_beyond_any_caseload_shows_the_last_page(clinician, clinician_client):
    """The rows are asked for before they are counted, but never at an offset PostgreSQL
    cannot take."""
    for n in range(30):
        linked(clinician, display_name=f"Match {n:02}", email=f"m{n:02}@example.org")

    last = clinician_client.get(DASHBOARD, {"page": 2})
    for huge in ("99999999999999999999", "0", "-3"):
        response = clinician_client.get(DASHBOARD, {"page": huge})
        assert response.status_code == 200
        assert rows(response) == rows(last)


def test_htmx_gets_only_the_list_with_the_count_out_of_band(clinician, clinician_client):
    for n in range(26):
        linked(clinician, email=f"h{n:02}@example.org")

    response = clinician_client.get(DASHBOARD, {"page": 2}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert page.lstrip().startswith('<div id="patients"')
    assert "<h1>" not in page
    assert 'hx-swap-oob="innerHTML:#patient-count"' in page
    assert "27 patients share with you; page 2 of 2" in page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == 1


def test_the_full_page_has_a_working_form_and_a_live_count(clinician_client):
    page = clinician_client.get(DASHBOARD).content.decode()

    assert 'method="get" action="/clinic/"' in page
    assert 'hx-get="/clinic/"' in page
    assert 'id="patient-count" class="result-count" role="status" aria-live="polite"' in page
    assert "hx-swap-oob" not in page


# ---- queries --------------------------------------------------------------------------


def add_history(patients: list[User], weeks: int) -> None:
    """`weeks` check-ins and three sessions a week for each patient, in bulk."""
    today = timezone.localdate()
    CheckIn.objects.bulk_create(
        CheckIn(
            patient=p,
            week_start=monday(w),
            pain_average=w % 8,
            pain_worst=w % 8 + 2,
            sleep_nights=1,
            days_active=3,
        )
        for p in patients
        for w in range(weeks)
    )
    Session.objects.bulk_create(
        Session(
            patient=p,
            performed_on=today - dt.timedelta(days=d),
            client_token=uuid.uuid4(),
            pain_during=2,
        )
        for p in patients
        for d in range(0, weeks * 7, 2)
    )
    exercise = ExerciseFactory()
    for p in patients:
        PlanItem.objects.create(plan=Plan.objects.create(patient=p), exercise=exercise)
        ScreeningFactory.create_batch(2, user=p, urgency="soon")
    Alert.objects.bulk_create(
        Alert(patient=p, kind=AlertKind.RISING, source=f"week:{w}")
        for p in patients
        for w in range(min(weeks, 5))
    )


def many_patients(clinician: User, count: int, start: int = 0) -> list[User]:
    patients = User.objects.bulk_create(
        User(email=f"bulk{n}@example.org", display_name=f"Bulk {n}")
        for n in range(start, start + count)
    )
    CareLink.objects.bulk_create(CareLink(patient=p, clinician=clinician) for p in patients)
    return patients


def queries_for(client: Client, **params) -> int:
    fresh_page()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(DASHBOARD, params).status_code == 200
    return len(captured.captured_queries)


def test_the_same_number_of_queries_for_3_and_60_patients(
    clinician, clinician_client, django_assert_max_num_queries
):
    add_history(many_patients(clinician, 2), weeks=4)  # with the fixture's patient: 3
    with django_assert_max_num_queries(5):
        few = queries_for(clinician_client)
    few_filtered = queries_for(clinician_client, alerts="on", q="bulk")

    add_history(many_patients(clinician, 60 - 3, start=100), weeks=4)
    assert User.objects.visible_to(clinician).count() == 60

    assert queries_for(clinician_client) == few
    assert queries_for(clinician_client, alerts="on", q="bulk") == few_filtered
    assert queries_for(clinician_client, page=3) == few


def test_the_same_number_of_queries_for_1_and_52_weeks_of_history(client):
    short, long = ClinicianFactory(), ClinicianFactory()
    add_history(many_patients(short, 3), weeks=1)
    add_history(many_patients(long, 3, start=10), weeks=52)
    client.force_login(short)
    one_week = queries_for(client)

    client.force_login(long)
    assert queries_for(client) == one_week
    row = overview(long)["bulk10@example.org"]
    assert (row.latest_pain, row.earlier_pain) == (0, 4)  # weeks 0 and 4 of the history


# ---- alert e-mail preferences -----------------------------------------------------------


def test_a_clinician_turns_alert_e_mails_on_and_off(clinician, clinician_client):
    page = clinician_client.get(DASHBOARD).content.decode()
    assert 'action="/clinic/preferences/"' in page
    assert "E-mail me when a patient has an emergency or urgent alert" in page

    response = clinician_client.post(PREFERENCES, {"email_alerts": "on"}, follow=True)
    assert ClinicianPreference.objects.get(clinician=clinician).email_alerts is True
    assert "Alert e-mails are on" in response.content.decode()
    assert re.search(
        r'<input type="checkbox" name="email_alerts"[^>]* checked>', response.content.decode()
    )

    clinician_client.post(PREFERENCES, {})
    assert ClinicianPreference.objects.get(clinician=clinician).email_alerts is False
    assert ClinicianPreference.objects.count() == 1


def test_preferences_need_mfa(client):
    doctor = ClinicianFactory(mfa=False)
    client.force_login(doctor)

    response = client.post(PREFERENCES, {"email_alerts": "on"})

    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert not ClinicianPreference.objects.exists()


# ---- the figures' queryset, built once a day per process ---------------------------------


def test_the_shared_overview_is_narrowed_to_each_clinician_in_turn(clinician):
    """Both clinicians' requests start from the same queryset of the day: each still sees
    only their own patients, and the shared one is never narrowed in place."""
    other = ClinicianFactory()
    already = set(overview(clinician))  # the fixtures' patient
    mine, theirs = linked(clinician), linked(other)
    ours = linked(clinician)
    CareLink.objects.create(patient=ours, clinician=other)

    assert set(overview(clinician)) == already | {mine.email, ours.email}
    assert set(overview(other)) == {theirs.email, ours.email}
    assert set(overview(clinician)) == already | {mine.email, ours.email}
    assert patient_overview(UserFactory(), today=timezone.localdate()).count() == 0


def test_the_overview_takes_its_figures_as_of_the_day_asked(clinician, patient):
    """The queryset is kept per day: a later day's figures are that day's, not the first's."""
    today = timezone.localdate()
    SessionFactory(patient=patient, performed_on=today)

    def sessions_done(day: dt.date) -> int:
        return patient_overview(clinician, today=day).get(pk=patient.pk).sessions_done

    assert sessions_done(today) == 1
    assert sessions_done(today + dt.timedelta(days=20)) == 0
    assert sessions_done(today) == 1


def test_the_top_alert_is_named_from_its_rank(clinician, patient):
    """The kind shown is the most pressing open alert's, worked out from its rank alone."""
    row = overview(clinician)[patient.email]
    assert (row.open_alerts, row.top_alert, row.top_alert_label) == (0, "", "")
    Alert.objects.create(patient=patient, kind=AlertKind.RISING, source="r1")
    Alert.objects.create(patient=patient, kind=AlertKind.SEVERE_PAIN, source="s1")

    row = overview(clinician)[patient.email]

    assert (row.top_alert, row.top_alert_label) == (AlertKind.SEVERE_PAIN, "Worst pain 8 or more")
