from __future__ import annotations

import datetime as dt
import re
import uuid
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import CareLink
from apps.clinic import alerts
from apps.clinic.models import Alert, AlertKind, ClinicianPreference
from apps.clinic.signals import screening_saved
from apps.progress import services
from apps.progress.models import CheckIn
from apps.progress.rules import WeekScore
from apps.screening.models import Screening
from tests.factories import CheckInFactory, ClinicianFactory, SessionFactory, monday
from tests.screening.factories import ScreeningFactory, answered_screening

TODAY = dt.date(2026, 3, 16)  # a Monday


def week(weeks_ago: int, average: int, worst: int | None = None) -> WeekScore:
    return WeekScore(TODAY - dt.timedelta(weeks=weeks_ago), average, worst or average + 1)


def kinds(candidates) -> list[str]:
    return [candidate.kind for candidate in candidates]


# ---- the rules, pure -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "kind"),
    [("emergency", AlertKind.EMERGENCY), ("urgent", AlertKind.URGENT)],
)
def test_emergency_and_urgent_screenings_raise_an_alert_named_by_the_screening(urgency, kind):
    screening = uuid.uuid4()

    candidate = alerts.screening_candidate(
        uuid=screening, urgency=urgency, recheck=True, completed_on=TODAY
    )

    assert (candidate.kind, candidate.source) == (kind, str(screening))
    assert candidate.detail.endswith("result in the weekly re-check on 16 Mar 2026.")


@pytest.mark.parametrize("urgency", ["soon", "physio", "none", None])
def test_other_screening_results_raise_nothing(urgency):
    assert (
        alerts.screening_candidate(
            uuid=uuid.uuid4(), urgency=urgency, recheck=False, completed_on=TODAY
        )
        is None
    )


def test_worst_pain_of_8_raises_a_severe_pain_alert_for_that_week():
    candidates = alerts.progress_candidates([week(1, 4, 5), week(0, 5, 8)], today=TODAY)

    assert kinds(candidates) == [AlertKind.SEVERE_PAIN]
    assert candidates[0].source == f"week:{TODAY}"
    assert candidates[0].detail == "Worst pain 8 out of 10 in the week of 16 Mar 2026."


def test_worst_pain_of_7_raises_nothing():
    assert alerts.progress_candidates([week(1, 5, 6), week(0, 5, 7)], today=TODAY) == []


def test_rising_pain_raises_an_alert_for_the_latest_week():
    candidates = alerts.progress_candidates([week(2, 3), week(1, 3), week(0, 5)], today=TODAY)

    assert kinds(candidates) == [AlertKind.RISING]
    assert candidates[0].source == f"week:{TODAY}"


def test_no_improvement_after_4_weeks_is_one_alert_for_the_whole_run_of_check_ins():
    flat = [week(n, 5) for n in range(4, -1, -1)]

    candidates = alerts.progress_candidates(flat, today=TODAY)
    a_week_later = alerts.progress_candidates(
        [*flat, WeekScore(TODAY + dt.timedelta(weeks=1), 5, 6)], today=TODAY
    )

    assert kinds(candidates) == [AlertKind.NOT_IMPROVING]
    first_week = TODAY - dt.timedelta(weeks=4)
    assert candidates[0].source == a_week_later[0].source == f"since:{first_week}"
    assert (
        candidates[0].detail
        == "Average pain 5 out of 10 in the week of 16 Feb 2026, 5 after 4 weeks."
    )


def test_three_weeks_without_improvement_and_improving_pain_raise_nothing():
    assert alerts.progress_candidates([week(n, 5) for n in range(3, -1, -1)], today=TODAY) == []
    improving = [week(4, 7), week(3, 6), week(2, 5), week(1, 4), week(0, 3)]
    assert alerts.progress_candidates(improving, today=TODAY) == []
    assert alerts.progress_candidates([], today=TODAY) == []


def test_several_rules_at_once_raise_one_alert_each():
    candidates = alerts.progress_candidates(
        [week(5, 5), week(4, 5), week(3, 5), week(2, 5), week(1, 5), week(0, 7, 9)], today=TODAY
    )

    assert sorted(kinds(candidates)) == sorted(
        [AlertKind.RISING, AlertKind.SEVERE_PAIN, AlertKind.NOT_IMPROVING]
    )


def test_14_quiet_days_raise_an_alert_named_by_the_last_active_day():
    last = TODAY - dt.timedelta(days=14)

    assert (
        alerts.inactivity_candidate(TODAY - dt.timedelta(days=13), joined_on=last, today=TODAY)
        is None
    )
    candidate = alerts.inactivity_candidate(last, joined_on=last, today=TODAY)
    assert (candidate.kind, candidate.source) == (AlertKind.INACTIVE, f"quiet:{last}")
    assert candidate.detail == "No session or check-in since 2 Mar 2026."


def test_someone_who_never_logged_anything_is_quiet_from_the_day_they_joined():
    joined = TODAY - dt.timedelta(days=20)

    candidate = alerts.inactivity_candidate(None, joined_on=joined, today=TODAY)

    assert candidate.source == f"quiet:{joined}"
    assert alerts.inactivity_candidate(None, joined_on=TODAY, today=TODAY) is None


# ---- raised from the data ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_emergency_screening_of_a_linked_patient_raises_one_alert(clinician, patient, content):
    screening = answered_screening(patient, {"saddle_numbness": "yes"})
    screening.save()  # saved again: still one

    alert = Alert.objects.get()
    assert (alert.patient, alert.kind, alert.source) == (
        patient,
        AlertKind.EMERGENCY,
        str(screening.uuid),
    )
    assert alert.is_open


@pytest.mark.django_db
def test_the_weekly_re_check_raises_an_urgent_alert(clinician, patient, content):
    screening = Screening.objects.record_recheck(user=patient, answers={"fever_unwell": "yes"})

    assert screening.urgency == "urgent"
    assert list(Alert.objects.values_list("kind", "source")) == [
        (AlertKind.URGENT, str(screening.uuid))
    ]


@pytest.mark.django_db
def test_nothing_is_raised_for_patients_who_share_with_nobody_or_for_guests(
    patient, revoked_clinician, content
):
    answered_screening(patient, {"saddle_numbness": "yes"})
    ScreeningFactory(urgency="emergency")  # a guest's
    CheckInFactory(patient=patient, pain_average=7, pain_worst=9)
    SessionFactory(patient=patient, performed_on=timezone.localdate() - dt.timedelta(days=30))

    assert alerts.refresh_for(patient) == []
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_saving_a_check_in_with_worst_pain_8_raises_one_alert(clinician, patient):
    check_in = CheckInFactory(patient=patient, pain_average=5, pain_worst=8)
    check_in.note = "changed my mind"
    check_in.save()

    alert = Alert.objects.get()
    assert (alert.kind, alert.source) == (AlertKind.SEVERE_PAIN, f"week:{check_in.week_start}")


@pytest.mark.django_db
def test_the_check_in_view_raises_the_alerts(clinician, patient_client, patient, content):
    CheckInFactory(patient=patient, week_start=monday(1), pain_average=3, pain_worst=4)
    data = {"pain_average": 6, "pain_worst": 9, "sleep_nights": 1, "days_active": 2}
    data |= {f"recheck_{q.key}": "no" for q in services.recheck_questions()}

    response = patient_client.post("/progress/check-in/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Alert.objects.values_list("kind", flat=True)) == {
        AlertKind.SEVERE_PAIN,
        AlertKind.RISING,
    }


@pytest.mark.django_db
def test_refresh_is_idempotent(clinician, patient):
    today = timezone.localdate()
    for weeks_ago, average in [(6, 6), (5, 6), (4, 6), (3, 6), (2, 6)]:
        CheckInFactory(patient=patient, week_start=monday(weeks_ago), pain_average=average)
    CheckIn.objects.update(created_at=timezone.now() - dt.timedelta(days=15))
    ScreeningFactory(user=patient, urgency="urgent")
    Alert.objects.all().delete()  # what the signals raised on the way

    first = alerts.refresh_for(patient, today)
    again = alerts.refresh_for(patient, today)

    assert sorted(a.kind for a in first) == sorted(
        [AlertKind.URGENT, AlertKind.NOT_IMPROVING, AlertKind.INACTIVE]
    )
    assert again == []
    assert Alert.objects.count() == 3


@pytest.mark.django_db
def test_an_old_emergency_is_not_raised_by_the_daily_refresh(clinician, patient):
    ScreeningFactory(
        user=patient, urgency="emergency", completed_at=timezone.now() - dt.timedelta(days=40)
    )

    assert alerts.refresh_for(patient) == []


@pytest.mark.django_db
def test_a_seen_quiet_alert_is_not_raised_again_until_a_new_quiet_spell(clinician, patient):
    today = timezone.localdate()
    SessionFactory(patient=patient, performed_on=today - dt.timedelta(days=20))
    [quiet] = alerts.refresh_for(patient, today)
    quiet.mark_seen(clinician)

    assert alerts.refresh_for(patient, today + dt.timedelta(days=3)) == []

    SessionFactory(patient=patient, performed_on=today)
    assert alerts.refresh_for(patient, today + dt.timedelta(days=13)) == []
    [again] = alerts.refresh_for(patient, today + dt.timedelta(days=14))
    assert again.source == f"quiet:{today}"
    assert Alert.objects.count() == 2


@pytest.mark.django_db
def test_a_new_share_raises_what_already_needs_a_look(patient, stranger_clinician):
    SessionFactory(patient=patient, performed_on=timezone.localdate() - dt.timedelta(days=30))
    assert not Alert.objects.exists()

    CareLink.objects.create(patient=patient, clinician=stranger_clinician)

    assert list(Alert.objects.values_list("kind", flat=True)) == [AlertKind.INACTIVE]


@pytest.mark.django_db
def test_the_daily_command_raises_quiet_spells_once(clinician, patient, other_patient):
    long_ago = timezone.localdate() - dt.timedelta(days=21)
    for person in (patient, other_patient):
        SessionFactory(patient=person, performed_on=long_ago)

    out, again = StringIO(), StringIO()
    call_command("refresh_alerts", stdout=out)
    call_command("refresh_alerts", stdout=again)

    assert out.getvalue().strip() == "Raised 1 new alert."
    assert again.getvalue().strip() == "Raised 0 new alerts."
    assert list(Alert.objects.values_list("patient", flat=True)) == [patient.pk]


# ---- seen -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_marking_seen_keeps_the_alert_and_the_first_clinician(clinician, patient):
    other = ClinicianFactory()
    alert = Alert.objects.create(patient=patient, kind=AlertKind.RISING, source="week:x")

    assert alert.mark_seen(clinician) is True
    stale = Alert.objects.get(pk=alert.pk)
    assert alert.mark_seen(other) is False
    stale.seen_at = None  # another request's copy, loaded before the first mark
    assert stale.mark_seen(other) is False

    alert.refresh_from_db()
    assert (alert.seen_by, alert.is_open) == (clinician, False)
    assert stale.seen_by == clinician
    assert Alert.objects.open().count() == 0
    assert Alert.objects.count() == 1


@pytest.mark.django_db
def test_a_clinician_reaches_only_the_alerts_of_patients_sharing_with_them(
    clinician, revoked_clinician, stranger_clinician, patient, other_patient
):
    mine = Alert.objects.create(patient=patient, kind=AlertKind.RISING, source="week:a")
    Alert.objects.create(patient=other_patient, kind=AlertKind.RISING, source="week:b")

    assert list(Alert.objects.for_clinician(clinician)) == [mine]
    assert not Alert.objects.for_clinician(revoked_clinician).exists()
    assert not Alert.objects.for_clinician(stranger_clinician).exists()
    assert not Alert.objects.for_clinician(patient).exists()


# ---- e-mail ---------------------------------------------------------------------------


def opted_in(doctor, on: bool = True):
    ClinicianPreference.objects.create(clinician=doctor, email_alerts=on)
    return doctor


@pytest.mark.django_db
def test_an_emergency_e_mails_only_the_linked_clinicians_who_asked(
    settings,
    clinician,
    revoked_clinician,
    stranger_clinician,
    patient,
    content,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://clinic.example.org/"
    opted_in(clinician)
    opted_in(revoked_clinician)
    opted_in(stranger_clinician)
    quiet = opted_in(ClinicianFactory(email="quiet@example.org"), on=False)
    CareLink.objects.create(patient=patient, clinician=quiet)
    second = opted_in(ClinicianFactory(email="second@example.org"))
    CareLink.objects.create(patient=patient, clinician=second)

    with django_capture_on_commit_callbacks(execute=True):
        screening = answered_screening(patient, {"saddle_numbness": "yes"})

    assert screening.urgency == "emergency"
    assert sorted(message.to for message in mail.outbox) == [[clinician.email], [second.email]]


@pytest.mark.django_db
def test_the_e_mail_has_a_link_and_no_health_details(
    settings, clinician, patient, content, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://clinic.example.org/"
    opted_in(clinician)

    with django_capture_on_commit_callbacks(execute=True):
        Screening.objects.record_recheck(user=patient, answers={"fever_unwell": "yes"})

    [message] = mail.outbox
    text = f"{message.subject}\n{message.body}".lower()
    assert message.subject == "backpain: a new alert"
    assert "A patient you look after has a new alert." in message.body
    assert "https://clinic.example.org/clinic/" in message.body
    for private in (patient.email, "pat", "urgent", "emergency", "fever", "pain", "screening"):
        assert not re.search(rf"\b{re.escape(private.lower())}\b", text), private
    assert str(patient.uuid) not in message.body


@pytest.mark.django_db
def test_other_alerts_and_alerts_raised_before_send_no_e_mail(
    settings, clinician, patient, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    opted_in(clinician)
    screening = ScreeningFactory(user=patient, urgency="urgent")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        CheckInFactory(patient=patient, pain_average=5, pain_worst=9)
        alerts.refresh_for(patient)  # the urgent screening's alert exists already
        screening.save()

    assert Alert.objects.filter(kind=AlertKind.SEVERE_PAIN).exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_no_e_mail_when_the_transaction_rolls_back(
    settings, clinician, patient, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    opted_in(clinician)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            ScreeningFactory(user=patient, urgency="emergency")
            raise RuntimeError

    assert callbacks == []
    assert mail.outbox == []
    assert not Alert.objects.exists()


@pytest.mark.django_db
def test_a_screening_in_progress_costs_the_signal_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        screening_saved(Screening, Screening(user_id=1, completed_at=None))
        screening_saved(Screening, Screening(guest_id=uuid.uuid4(), completed_at=timezone.now()))
        screening_saved(
            Screening, Screening(user_id=1, completed_at=timezone.now(), urgency="soon")
        )
