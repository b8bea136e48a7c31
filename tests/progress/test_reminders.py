"""Reminders: the settings page, the calendar feed at its secret address, and the e-mails
`manage.py send_checkin_reminders` sends (apps/progress/reminders.py)."""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from apps.exercises.models import Exercise
from apps.progress import services
from apps.progress.ical import BYDAY
from apps.progress.models import Plan, PlanItem, Reminder
from apps.progress.reminders import calendar_link_make, in_force, reminders_send
from apps.screening.models import Screening
from apps.screening.triage import Urgency
from tests.factories import CheckInFactory, SessionFactory, UserFactory

SITE = "https://backpain.example.org"
LONDON = ZoneInfo("Europe/London")
# A Wednesday in winter (London is on UTC), ten past seven in the evening.
WEDNESDAY = dt.datetime(2026, 3, 4, 19, 10, tzinfo=LONDON)
PAGE = "/progress/reminder/"
MAKE = "/progress/reminder/feed/"
STOP = "/progress/reminder/feed/stop/"


@pytest.fixture(autouse=True)
def _site(settings) -> None:
    settings.SITE_URL = SITE
    settings.TIME_ZONE = "Europe/London"


def feed_path(reminder: Reminder) -> str:
    return f"/calendar/{reminder.calendar_token}.ics"


def strength_on(patient, weekdays: list[int]) -> Plan:
    """The patient's plan, built as usual, with its first item moved to `weekdays` only."""
    plan = services.plan_build(patient=patient)
    item = plan.items.first()
    item.weekdays = weekdays
    item.save()
    return plan


def open_emergency(patient) -> None:
    screening = Screening.objects.create(user=patient)
    screening.complete()
    Screening.objects.filter(pk=screening.pk).update(
        urgency=Urgency.EMERGENCY, acknowledged_at=None
    )


# ---- the page --------------------------------------------------------------------------


def test_the_page_offers_the_form_and_a_calendar_address(patient_client, content):
    body = patient_client.get(PAGE).content.decode()

    assert 'name="hour"' in body and 'name="exercise_days"' in body
    assert "Make my calendar address" in body
    assert "not your name, your answers" in body


def test_the_progress_page_links_to_the_reminders(patient_client, content):
    assert 'href="/progress/reminder/"' in patient_client.get("/progress/").content.decode()


def test_a_patient_saves_reminders(patient_client, patient, content):
    data = {"exercise_days": "on", "enabled": "on", "weekday": "4", "hour": "7"}
    response = patient_client.post(PAGE, data, follow=True)

    reminder = Reminder.objects.get(patient=patient)
    assert (reminder.exercise_days, reminder.enabled, reminder.weekday, reminder.hour) == (
        True, True, 4, 7,
    )  # fmt: skip
    assert "exercise days and check-in (check-in on Friday), from 07:00" in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("field", "value"), [("hour", "24"), ("hour", "-1"), ("hour", "7pm"), ("weekday", "7")]
)
def test_bad_input_rerenders_with_a_message_and_keeps_the_rest(
    patient_client, patient, content, field, value
):
    data = {"exercise_days": "on", "weekday": "2", "hour": "8"} | {field: value}
    response = patient_client.post(PAGE, data)

    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in body
    assert re.search(r'name="exercise_days"[^>]*checked', body)
    assert not Reminder.objects.filter(patient=patient).exists()


def test_the_database_refuses_an_hour_out_of_range(patient):
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(patient=patient, hour=24)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(patient=patient, weekday=7)


# ---- who may do what ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"), [("get", PAGE), ("post", PAGE), ("post", MAKE), ("post", STOP)]
)
def test_anonymous_people_are_sent_to_log_in(anon_client, content, method, url):
    response = getattr(anon_client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("method", "url"), [("get", PAGE), ("post", PAGE), ("post", MAKE), ("post", STOP)]
)
@pytest.mark.parametrize(
    "who", ["clinician_client", "revoked_clinician_client", "stranger_clinician_client"]
)
def test_clinicians_get_404_linked_or_not(request, content, method, url, who):
    assert getattr(request.getfixturevalue(who), method)(url).status_code == 404


def test_another_patient_sees_and_stops_only_their_own(
    patient, patient_client, other_patient_client, content
):
    patient_client.post(MAKE)
    mine = Reminder.objects.get(patient=patient)

    page = other_patient_client.get(PAGE).content.decode()
    other_patient_client.post(STOP)

    assert mine.calendar_token not in page
    assert "Make my calendar address" in page
    assert patient_client.get(feed_path(mine)).status_code == 200


def test_the_page_is_never_cached(patient_client, content):
    assert "no-store" in patient_client.get(PAGE)["Cache-Control"]


# ---- the calendar feed ------------------------------------------------------------------


def test_the_address_is_on_the_configured_site_and_shown_on_the_page(
    patient, patient_client, content
):
    response = patient_client.post(MAKE, follow=True)

    reminder = Reminder.objects.get(patient=patient)
    assert len(reminder.calendar_token) >= 43  # secrets.token_urlsafe(32)
    body = response.content.decode()
    assert f'value="{SITE}/calendar/{reminder.calendar_token}.ics"' in body
    assert 'href="webcal://backpain.example.org/calendar/' in body


def test_the_feed_is_the_plans_schedule_and_the_check_in(
    patient, patient_client, anon_client, content
):
    plan = strength_on(patient, [1, 3])
    services.reminder_save(patient=patient, enabled=False, weekday=5, exercise_days=False, hour=7)
    patient_client.post(MAKE)
    reminder = Reminder.objects.get(patient=patient)

    response = anon_client.get(feed_path(reminder))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    exercise_events = [e for e in events if str(e["uid"]).startswith("exercises-")]
    # Each day of the week is in the event that lists exactly that day's part of the plan.
    week = {weekday: [i.exercise.name for i in items] for weekday, items in plan.week()}
    covered = []
    for event in exercise_events:
        days = [BYDAY.index(code) for code in event["rrule"]["BYDAY"]]
        assert event["rrule"]["FREQ"] == ["WEEKLY"]
        for day in days:
            names = week[day]
            assert event["summary"].startswith(f"Back exercises: {len(names)} moves, about ")
            assert all(f"- {name}: " in event["description"] for name in names)
            covered.append(day)
        assert event["url"].startswith(f"{SITE}/exercises/routine/?items=")
    assert sorted(covered) == [day for day, items in week.items() if items]
    [check_in] = [e for e in events if str(e["uid"]).startswith("check-in-")]
    assert check_in["rrule"]["BYDAY"] == ["SA"]
    assert check_in.decoded("dtstart").hour == 7
    assert check_in["dtstart"].params["TZID"] == "Europe/London"
    for event in events:
        [alarm] = event.walk("VALARM")
        assert alarm.decoded("trigger") == dt.timedelta(0)


def test_the_feed_shows_no_personal_data(patient, anon_client, content):
    services.plan_build(patient=patient)
    CheckInFactory(patient=patient, pain_average=7, pain_worst=9, note="Sciatica flared")
    reminder = calendar_link_make(patient=patient)

    text = anon_client.get(feed_path(reminder)).content.decode()

    for secret in (patient.email, patient.display_name, str(patient.uuid), "Sciatica"):
        assert secret not in text
    assert reminder.calendar_token not in text
    assert "pain_average" not in text and "worst" not in text.lower()


def test_a_stopped_address_is_404_at_once(patient, patient_client, anon_client, content):
    patient_client.post(MAKE)
    old = feed_path(Reminder.objects.get(patient=patient))

    response = patient_client.post(STOP, follow=True)

    assert anon_client.get(old).status_code == 404
    assert "Make my calendar address" in response.content.decode()
    assert Reminder.objects.get(patient=patient).calendar_token is None


def test_an_unknown_address_is_404(anon_client, patient, content):
    calendar_link_make(patient=patient)

    assert anon_client.get("/calendar/not-a-real-secret.ics").status_code == 404
    assert anon_client.get("/calendar/.ics").status_code == 404


def test_a_new_address_replaces_the_old(patient, patient_client, anon_client, content):
    patient_client.post(MAKE)
    old = feed_path(Reminder.objects.get(patient=patient))
    patient_client.post(MAKE)
    new = feed_path(Reminder.objects.get(patient=patient))

    assert new != old
    assert anon_client.get(old).status_code == 404
    assert anon_client.get(new).status_code == 200


def test_an_inactive_account_has_no_feed(patient, anon_client, content):
    reminder = calendar_link_make(patient=patient)
    patient.is_active = False
    patient.save()

    assert anon_client.get(feed_path(reminder)).status_code == 404


def test_an_open_emergency_leaves_only_the_check_in(patient, anon_client, content):
    services.plan_build(patient=patient)
    reminder = calendar_link_make(patient=patient)
    open_emergency(patient)

    calendar = Calendar.from_ical(anon_client.get(feed_path(reminder)).content)

    assert [str(e["uid"]).split("-")[0] for e in calendar.walk("VEVENT")] == ["check"]


def test_the_feed_costs_the_same_queries_for_a_short_or_long_plan(
    patient, other_patient, anon_client, content
):
    services.plan_build(patient=patient)
    short = calendar_link_make(patient=patient)
    long_plan = services.plan_build(patient=other_patient)
    in_plan = set(long_plan.items.values_list("exercise_id", flat=True))
    PlanItem.objects.bulk_create(
        PlanItem(plan=long_plan, exercise=e, order=50 + n).scheduled()
        for n, e in enumerate(Exercise.objects.exclude(id__in=in_plan)[:20])
    )
    long = calendar_link_make(patient=other_patient)

    counts = []
    for reminder in (short, long):
        with CaptureQueriesContext(connection) as queries:
            assert anon_client.get(feed_path(reminder)).status_code == 200
        counts.append(len(queries))

    assert long_plan.items.count() >= 20
    assert counts[0] == counts[1] <= 4


# ---- the e-mails ------------------------------------------------------------------------


def reminder_for(patient, **values) -> Reminder:
    defaults = {"enabled": False, "weekday": 2, "exercise_days": False, "hour": 19}
    return Reminder.objects.create(patient=patient, **(defaults | values))


def test_the_check_in_e_mail_waits_for_its_day_and_hour(patient, content):
    reminder_for(patient, enabled=True, weekday=2, hour=19)

    assert reminders_send(now=WEDNESDAY.replace(hour=18, minute=59)) == 0
    assert reminders_send(now=WEDNESDAY - dt.timedelta(days=1)) == 0
    assert reminders_send(now=WEDNESDAY) == 1

    [message] = mail.outbox
    assert message.to == [patient.email]
    assert message.subject == "Your weekly backpain check-in"
    assert f"{SITE}/progress/check-in/" in message.body
    assert "999" in message.body


def test_the_exercise_e_mail_goes_on_exercise_days_only(patient, content):
    strength_on(patient, [2])
    # Only the moved item: every other item off Wednesday, so Tuesday has nothing.
    PlanItem.objects.filter(plan__patient=patient).exclude(weekdays=[2]).update(weekdays=[0])
    reminder_for(patient, exercise_days=True)

    assert reminders_send(now=WEDNESDAY - dt.timedelta(days=1)) == 0
    assert reminders_send(now=WEDNESDAY) == 1

    [message] = mail.outbox
    item = PlanItem.objects.get(plan__patient=patient, weekdays=[2])
    assert message.subject == "Your back exercises today"
    assert f"- {item.exercise.name}: " in message.body
    assert f"{SITE}/exercises/routine/?items={item.exercise.slug}" in message.body
    assert "check-in" not in message.body.split("999")[0].lower()


def test_both_due_make_one_e_mail_however_often_it_runs(patient, content):
    services.plan_build(patient=patient)
    reminder_for(patient, enabled=True, exercise_days=True)

    sent = [reminders_send(now=WEDNESDAY + dt.timedelta(minutes=15 * n)) for n in range(8)]

    assert sent == [1, 0, 0, 0, 0, 0, 0, 0]
    [message] = mail.outbox
    assert message.subject == "Your back exercises and weekly check-in"
    assert "/exercises/routine/?items=" in message.body
    assert "/progress/check-in/" in message.body
    assert Reminder.objects.get(patient=patient).last_sent_on == WEDNESDAY.date()
    # The next exercise day sends again.
    assert reminders_send(now=WEDNESDAY + dt.timedelta(days=1)) == 1


def test_nobody_with_reminders_off_or_an_inactive_account(patient, other_patient, content):
    for person in (patient, other_patient):
        services.plan_build(patient=person)
    reminder_for(patient)  # both off
    reminder_for(other_patient, enabled=True, exercise_days=True)
    other_patient.is_active = False
    other_patient.save()

    assert reminders_send(now=WEDNESDAY) == 0
    assert mail.outbox == []


def test_what_is_done_is_not_reminded(patient, content):
    services.plan_build(patient=patient)
    reminder_for(patient, enabled=True, exercise_days=True)
    SessionFactory(patient=patient, performed_on=WEDNESDAY.date())
    CheckInFactory(patient=patient, week_start=dt.date(2026, 3, 2))

    assert reminders_send(now=WEDNESDAY) == 0


def test_an_open_emergency_stops_the_exercise_e_mail_not_the_check_in(patient, content):
    services.plan_build(patient=patient)
    reminder_for(patient, enabled=True, exercise_days=True)
    open_emergency(patient)

    reminders_send(now=WEDNESDAY)

    [message] = mail.outbox
    assert message.subject == "Your weekly backpain check-in"
    assert "/exercises/routine/" not in message.body


def test_the_plan_in_force_is_the_one_current_picks(patient, clinician, content):
    services.plan_build(patient=patient)
    prescribed = Plan.objects.create(patient=patient, author=clinician, kind="prescribed")

    plans = Plan.objects.filter(patient=patient, active=True)
    assert in_force(plans) == Plan.objects.for_patient(patient).current() == prescribed


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message, as smtplib reports it."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"no")})


def test_a_refused_e_mail_is_tried_again_next_run(patient, settings, caplog, content):
    reminder_for(patient, enabled=True)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"

    assert reminders_send(now=WEDNESDAY) == 0
    assert Reminder.objects.get(patient=patient).last_sent_on is None
    assert "SMTPRecipientsRefused" in caplog.text
    assert patient.email not in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders_send(now=WEDNESDAY + dt.timedelta(minutes=15)) == 1


def test_the_command_sends_once_the_hour_has_come(patient, content):
    today = timezone.localdate()
    reminder_for(patient, enabled=True, weekday=today.weekday(), hour=0)

    call_command("send_checkin_reminders", verbosity=0)
    call_command("send_checkin_reminders", verbosity=0)

    assert [message.to for message in mail.outbox] == [[patient.email]]


def test_the_command_reads_the_same_queries_for_1_or_20_patients(content):
    def run(count: int) -> int:
        Reminder.objects.all().delete()
        for _ in range(count):
            person = UserFactory()
            services.plan_build(patient=person)
            reminder_for(person, enabled=True, exercise_days=True)
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as queries:
            sent = reminders_send(now=WEDNESDAY)
        assert sent == count
        return len(queries)

    assert run(1) == run(20)


def test_a_new_reminder_starts_at_six_in_the_evening_and_a_saved_one_keeps_its_hour(patient):
    from apps.progress.forms import ReminderForm

    assert ReminderForm()["hour"].value() == 18
    assert 'value="18" selected' in str(ReminderForm()["hour"])

    saved = Reminder.objects.create(patient=patient, hour=7, weekday=3)

    form = ReminderForm(instance=saved)
    assert (form["hour"].value(), form["weekday"].value()) == (7, 3)
