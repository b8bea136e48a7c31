from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import CareLink, User
from apps.checklist.models import Item
from apps.clinic.models import Alert, AlertKind, AuditAction, AuditEvent, Note
from apps.clinic.timeline import parse_month, physio_rule, timeline
from apps.progress.models import (
    CheckIn,
    FunctionActivity,
    FunctionScore,
    Plan,
    PlanItem,
    PlanKind,
    SessionEntry,
)
from apps.progress.progress import progress_summary
from apps.screening.triage import Urgency
from tests.checklist.factories import completed_run
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

HTMX = {"HTTP_HX_REQUEST": "true"}
# Paging the timeline: htmx swaps the section with the id "timeline".
TIMELINE = {**HTMX, "HTTP_HX_TARGET": "timeline"}

pytestmark = pytest.mark.django_db


def review_url(patient: User) -> str:
    return reverse("clinic:review", args=[patient.uuid])


def note_url(patient: User) -> str:
    return reverse("clinic:note", args=[patient.uuid])


def seen_url(patient: User, alert: Alert) -> str:
    return reverse("clinic:alert_seen", args=[patient.uuid, alert.uuid])


def last_month() -> dt.date:
    """The first of last month: test histories placed there fill one page of the timeline
    whatever today's date is."""
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def its_monday(first: dt.date) -> dt.date:
    """The month's first Monday: its week ends in the same month."""
    return first + dt.timedelta(days=-first.weekday() % 7)


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_alert(patient: User, kind: str = AlertKind.SEVERE_PAIN, source: str = "week:x") -> Alert:
    return Alert.objects.create(
        patient=patient, kind=kind, source=source, detail="Worst pain 9 out of 10."
    )


@pytest.fixture
def alert(patient) -> Alert:
    return make_alert(patient)


def test_the_urls_have_stable_names(patient, alert):
    assert review_url(patient) == f"/clinic/patients/{patient.uuid}/"
    assert note_url(patient) == f"/clinic/patients/{patient.uuid}/notes/"
    assert seen_url(patient, alert) == (
        f"/clinic/patients/{patient.uuid}/alerts/{alert.uuid}/seen/"
    )


# ---- access: every URL, everybody -----------------------------------------------------

ACTIONS = {
    "review": lambda client, patient, alert: client.get(review_url(patient)),
    "note": lambda client, patient, alert: client.post(note_url(patient), {"text": "Seen today."}),
    "alert_seen": lambda client, patient, alert: client.post(seen_url(patient, alert)),
}
LINKED_STATUS = {"review": 200, "note": 302, "alert_seen": 302}


@pytest.mark.parametrize("action", ACTIONS)
def test_a_linked_clinician_gets_through(clinician_client, patient, alert, action):
    response = ACTIONS[action](clinician_client, patient, alert)

    assert response.status_code == LINKED_STATUS[action]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ["patient_client", "other_patient_client"])
def test_patients_get_a_404_and_change_nothing(request, patient, alert, action, who):
    response = ACTIONS[action](request.getfixturevalue(who), patient, alert)

    assert response.status_code == 404
    assert not Note.objects.exists()
    alert.refresh_from_db()
    assert alert.seen_at is None


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ["stranger_clinician", "revoked_clinician"])
def test_unlinked_and_revoked_clinicians_get_a_404_recorded_as_denied(
    request, patient, alert, action, who
):
    doctor = request.getfixturevalue(who)

    response = ACTIONS[action](client_for(doctor), patient, alert)

    assert response.status_code == 404
    events = list(AuditEvent.objects.all())
    assert [(e.action, e.actor, e.patient_uuid) for e in events] == [
        (AuditAction.DENIED, doctor, patient.uuid)
    ]
    assert not Note.objects.exists()
    alert.refresh_from_db()
    assert alert.seen_at is None


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_people_are_sent_to_log_in(anon_client, patient, alert, action):
    response = ACTIONS[action](anon_client, patient, alert)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_a_linked_clinician_without_mfa_is_sent_to_set_it_up(patient, alert, action):
    doctor = ClinicianFactory(mfa=False)
    CareLink.objects.create(patient=patient, clinician=doctor)

    response = ACTIONS[action](client_for(doctor), patient, alert)

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert not AuditEvent.objects.exists()
    assert not Note.objects.exists()


def test_revoking_the_share_closes_the_review_on_the_next_request(
    clinician, clinician_client, patient
):
    assert clinician_client.get(review_url(patient)).status_code == 200

    CareLink.objects.get(patient=patient, clinician=clinician).revoke()

    assert clinician_client.get(review_url(patient)).status_code == 404


def test_the_review_only_answers_get_and_head(clinician_client, patient):
    assert clinician_client.post(review_url(patient)).status_code == 405
    assert clinician_client.get(note_url(patient)).status_code == 405


# ---- audit: exactly one event per action ----------------------------------------------


def test_viewing_writes_exactly_one_view_event(clinician, clinician_client, patient):
    clinician_client.get(review_url(patient))

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.patient, event.object_ref) == (
        AuditAction.VIEW,
        clinician,
        patient,
        "review",
    )


def test_a_note_writes_exactly_one_note_event(clinician, clinician_client, patient):
    clinician_client.post(note_url(patient), {"text": "Talked about pacing."})

    note = Note.objects.get()
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.patient) == (AuditAction.NOTE, clinician, patient)
    assert event.object_ref == f"note:{note.uuid}"


def test_marking_an_alert_seen_writes_exactly_one_event(clinician, clinician_client, patient):
    alert = make_alert(patient)

    clinician_client.post(seen_url(patient, alert))

    event = AuditEvent.objects.get()
    assert (event.action, event.patient, event.object_ref) == (
        AuditAction.ALERT_SEEN,
        patient,
        f"alert:{alert.uuid}",
    )


# ---- the page -------------------------------------------------------------------------


def test_the_review_shows_the_timeline_newest_first(content, clinician_client, patient):
    start = its_monday(last_month())
    ScreeningFactory(
        user=patient,
        urgency=Urgency.URGENT,
        trigger_keys=["night_pain"],
        unsure_keys=["night_pain"],
        completed_at=noon(start + dt.timedelta(days=3)),
    )
    # A check-in made later than its week is placed on the week's Sunday.
    CheckInFactory(patient=patient, week_start=start, pain_average=4, pain_worst=7)
    exercise = ExerciseFactory(name="Cat and camel")
    session = SessionFactory(
        patient=patient, performed_on=start + dt.timedelta(days=8), pain_during=2
    )
    SessionEntry.objects.create(session=session, exercise=exercise, sets=2, reps=8)

    page = clinician_client.get(review_url(patient)).content.decode()

    kinds = re.findall(r'data-event="(\w+)"', page)
    assert kinds == ["session", "check_in", "screening"]
    assert "Weekly re-check" not in page
    assert "Warning-signs check" in page
    # The answer that set the level, in the question's own words, with how it was answered.
    assert "answered not sure" in page
    assert "Cat and camel: 2 sets of 8" in page
    assert "pain during 2 out of 10" in page
    assert "4 out of 10" in page and "7 out of 10" in page


def test_a_screening_shows_its_triggers_and_kind(content, clinician_client, patient):
    from apps.screening.models import Question

    ScreeningFactory(
        user=patient,
        kind="recheck",
        urgency=Urgency.EMERGENCY,
        trigger_keys=["bladder_bowel"],
        unsure_keys=[],
    )
    trigger = Question.objects.get(key="bladder_bowel").trigger

    page = clinician_client.get(review_url(patient)).content.decode()

    assert "Weekly re-check" in page
    assert f"{trigger} (emergency): answered yes" in page


def test_a_checklist_run_shows_what_changed_since_the_one_before(
    content, clinician_client, patient
):
    first_key, second_key = list(Item.objects.active().values_list("key", flat=True))[:2]
    # Both in this month, so on the page the timeline opens on.
    completed_run(patient, {first_key: "no", second_key: "yes"})
    completed_run(patient, {first_key: "yes", second_key: "no"})
    titles = dict(Item.objects.values_list("key", "title"))

    page = clinician_client.get(review_url(patient)).content.decode()

    assert f"{titles[first_key]}: no to yes" in page
    assert f"{titles[second_key]}: yes to no" in page
    assert "The first checklist." in page
    assert "the same score since the one before" in page.lower()


def test_the_review_shows_the_patients_charts(clinician_client, patient):
    for weeks_ago in range(3):
        CheckInFactory(patient=patient, week_start=monday(weeks_ago))

    page = clinician_client.get(review_url(patient)).content.decode()

    assert 'id="pain-chart-title"' in page
    assert "Average pain went from 5 to 5 out of 10 over 3 check-ins" in page


def test_each_open_alert_is_explained_with_a_mark_seen_form(clinician_client, patient, alert):
    page = clinician_client.get(review_url(patient)).content.decode()

    assert f'data-alert="{alert.uuid}"' in page
    assert "Worst pain 8 or more" in page  # the kind
    assert "Worst pain 9 out of 10." in page  # the detail
    assert "reached 8 or more out of 10 in a weekly check-in" in page  # why it is raised
    assert f'action="{seen_url(patient, alert)}"' in page


def test_marking_seen_records_who_and_when_and_keeps_it_in_history(
    clinician, clinician_client, patient, alert
):
    response = clinician_client.post(seen_url(patient, alert))

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.seen_by == clinician
    assert alert.seen_at is not None
    page = clinician_client.get(review_url(patient)).content.decode()
    assert f'data-alert="{alert.uuid}"' not in page
    assert f'data-seen-alert="{alert.uuid}"' in page
    assert "by Dr Link" in page


def test_marking_seen_twice_keeps_the_first_clinician(clinician, patient, alert):
    second = ClinicianFactory(display_name="Dr Second")
    CareLink.objects.create(patient=patient, clinician=second)
    client_for(clinician).post(seen_url(patient, alert))
    alert.refresh_from_db()
    first_seen = alert.seen_at

    client_for(second).post(seen_url(patient, alert))

    alert.refresh_from_db()
    assert (alert.seen_by, alert.seen_at) == (clinician, first_seen)


def test_another_patients_alert_cannot_be_marked_seen(
    clinician, clinician_client, patient, other_patient
):
    # The clinician sees both patients: the alert is still not this patient's.
    CareLink.objects.create(patient=other_patient, clinician=clinician)
    foreign = make_alert(other_patient)

    response = clinician_client.post(seen_url(patient, foreign))

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.seen_at is None
    event = AuditEvent.objects.get()
    assert (event.action, event.object_ref) == (AuditAction.DENIED, f"alert:{foreign.uuid}")


def test_marking_seen_with_htmx_answers_with_the_alerts_section(clinician_client, patient, alert):
    response = clinician_client.post(seen_url(patient, alert), **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="alerts"')
    assert f'data-seen-alert="{alert.uuid}"' in page
    assert "HX-Request" in response["Vary"]


def test_the_physio_rule_says_when_it_fires_and_why(clinician_client, patient):
    CheckInFactory(patient=patient, week_start=monday(5), pain_average=6, pain_worst=7)
    CheckInFactory(patient=patient, week_start=monday(0), pain_average=5, pain_worst=6)

    page = clinician_client.get(review_url(patient)).content.decode()

    assert 'data-physio-rule="firing"' in page
    assert "Average pain went from 6 to 5 out of 10 over 5 weeks" in page


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        ([], "there are 0"),
        ([(0, 6)], "there is 1"),
        ([(2, 6), (0, 6)], "waits for 4 weeks"),
        ([(5, 6), (0, 2)], "low enough"),
        ([(5, 6), (0, 4)], "meaningful improvement"),
    ],
)
def test_the_physio_rule_says_why_it_is_quiet(patient, weeks, expected):
    for weeks_ago, average in weeks:
        CheckInFactory(
            patient=patient, week_start=monday(weeks_ago), pain_average=average, pain_worst=8
        )
    summary = progress_summary(patient, timezone.localdate())

    state = physio_rule(summary, summary["advice"])

    assert not state.firing
    assert expected in state.why


# ---- notes ----------------------------------------------------------------------------


def test_a_note_is_saved_dated_and_shown_to_its_author(clinician, clinician_client, patient):
    response = clinician_client.post(note_url(patient), {"text": "Sleeps badly; review pacing."})

    assert response.status_code == 302
    note = Note.objects.get()
    assert (note.clinician, note.patient, note.text) == (
        clinician,
        patient,
        "Sleeps badly; review pacing.",
    )
    page = clinician_client.get(review_url(patient)).content.decode()
    assert "Sleeps badly; review pacing." in page
    assert note.created_at.strftime("%Y-%m-%d") in page


def test_notes_are_invisible_to_another_linked_clinician(clinician_client, patient):
    clinician_client.post(note_url(patient), {"text": "Only mine to read."})
    colleague = ClinicianFactory(display_name="Dr Colleague")
    CareLink.objects.create(patient=patient, clinician=colleague)

    page = client_for(colleague).get(review_url(patient)).content.decode()

    assert "Only mine to read." not in page
    assert "No notes yet." in page


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write something before saving the note."),
        ("   ", "Write something before saving the note."),
        ("x" * 4001, "A note can be up to 4000 characters"),
    ],
)
def test_a_bad_note_comes_back_with_the_message_and_the_text(
    clinician_client, patient, text, message
):
    response = clinician_client.post(note_url(patient), {"text": text})

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    if text.strip():
        assert text in page
    assert not Note.objects.exists()
    # The page shows the patient's data again: recorded as one look, not as a note.
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [AuditAction.VIEW]


def test_a_note_of_4000_characters_is_accepted(clinician_client, patient):
    clinician_client.post(note_url(patient), {"text": "x" * 4000})

    assert Note.objects.get().text == "x" * 4000


def test_a_note_with_htmx_answers_with_the_notes_section(clinician_client, patient):
    response = clinician_client.post(note_url(patient), {"text": "Quick one."}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="notes"')
    assert "Quick one." in page
    assert "HX-Request" in response["Vary"]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [AuditAction.NOTE]


# ---- programmes -----------------------------------------------------------------------


def test_earlier_programmes_are_listed(clinician, clinician_client, patient):
    exercise = ExerciseFactory(name="Bird dog")
    old = Plan.objects.create(
        patient=patient, author=clinician, kind=PlanKind.PRESCRIBED, active=False, note="First"
    )
    PlanItem.objects.create(plan=old, exercise=exercise, sets=2, reps=5, days_per_week=3)
    Plan.objects.create(patient=patient, author=clinician, kind=PlanKind.PRESCRIBED, note="Now")

    page = clinician_client.get(review_url(patient)).content.decode()

    assert page.count("data-programme=") == 2
    assert "(in force)" in page and "(replaced)" in page
    assert "Bird dog: 2 sets of 5 reps, 3 days a week" in page


# ---- query budgets --------------------------------------------------------------------


def history(patient: User, clinician: User, weeks: int) -> None:
    """`weeks` weeks of everything the review shows."""
    exercise = ExerciseFactory()
    activity = FunctionActivity.objects.create(patient=patient, name="Walking", order=0)
    for week in range(weeks):
        check_in = CheckInFactory(patient=patient, week_start=monday(week))
        FunctionScore.objects.create(check_in=check_in, activity=activity, score=5)
        session = SessionFactory(patient=patient, performed_on=monday(week))
        SessionEntry.objects.create(session=session, exercise=exercise)
        ScreeningFactory(
            user=patient,
            kind="recheck",
            trigger_keys=["night_pain"],
            completed_at=timezone.now() - dt.timedelta(weeks=week),
        )
        completed_run(patient, days_ago=7 * week)
        make_alert(patient, source=f"week:{week}")
        Note.objects.create(patient=patient, clinician=clinician, text=f"Week {week}")
        plan = Plan.objects.create(
            patient=patient,
            author=clinician,
            kind=PlanKind.PRESCRIBED,
            active=week == weeks - 1,
        )
        PlanItem.objects.create(plan=plan, exercise=exercise, sets=1, days_per_week=3)
    Alert.objects.filter(patient=patient, source="week:0").update(
        seen_at=timezone.now(), seen_by=clinician
    )


def review_queries(client: Client, patient: User) -> int:
    fresh_page()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(review_url(patient))
    assert response.status_code == 200
    return len(queries)


def test_the_review_runs_the_same_queries_for_1_and_52_weeks(
    content, clinician, django_assert_max_num_queries
):
    short = UserFactory()
    long = UserFactory()
    for patient in (short, long):
        CareLink.objects.create(patient=patient, clinician=clinician)
    history(short, clinician, 1)
    history(long, clinician, 52)
    client = client_for(clinician)
    client.get(review_url(short))  # warm the session and the content caches

    small, large = review_queries(client, short), review_queries(client, long)

    assert small == large, (small, large)
    fresh_page()
    with django_assert_max_num_queries(15):
        client.get(review_url(long))
    # Only the latest month is drawn; every month is a link away.
    page = client.get(review_url(long)).content.decode()
    months = re.findall(r'href="\?month=(\d{4}-\d{2})#timeline"', page)
    assert len(set(months)) >= 12
    assert page.count('data-event="check_in"') <= 6
    assert page.count('data-event="session"') <= 6


def test_the_timeline_fragment_runs_the_same_queries_for_1_and_52_weeks(content, clinician):
    short, long = UserFactory(), UserFactory()
    for patient in (short, long):
        CareLink.objects.create(patient=patient, clinician=clinician)
    history(short, clinician, 1)
    history(long, clinician, 52)
    client = client_for(clinician)
    client.get(review_url(short), **TIMELINE)

    def fragment_queries(patient: User, month: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{review_url(patient)}?month={month}", **TIMELINE)
        assert response.status_code == 200
        return len(queries)

    this_month = timezone.localdate().strftime("%Y-%m")
    assert fragment_queries(short, this_month) == fragment_queries(long, this_month)


def test_the_timeline_is_sorted_newest_first_across_kinds(content, patient):
    start = its_monday(last_month())
    CheckInFactory(patient=patient, week_start=start)  # on its Sunday, start + 6
    SessionFactory(patient=patient, performed_on=start + dt.timedelta(days=13))
    ScreeningFactory(user=patient, completed_at=noon(start + dt.timedelta(days=9)))

    check_ins = list(CheckIn.objects.for_patient(patient))
    events = timeline(patient, check_ins, {}, [], last_month()).events

    assert [event.kind for event in events] == ["session", "screening", "check_in"]
    assert [event.day for event in events] == sorted((e.day for e in events), reverse=True)


# ---- the timeline, a month at a time -------------------------------------------------


@pytest.fixture
def two_months(patient) -> tuple[dt.date, dt.date]:
    """A session in last month (pain 3) and one today (pain 6)."""
    earlier, latest = last_month(), timezone.localdate()
    SessionFactory(patient=patient, performed_on=earlier + dt.timedelta(days=4), pain_during=3)
    SessionFactory(patient=patient, performed_on=latest, pain_during=6)
    return earlier, latest.replace(day=1)


def test_the_timeline_opens_on_the_latest_month_with_a_link_to_the_one_before(
    clinician_client, patient, two_months
):
    earlier, latest = two_months

    page = clinician_client.get(review_url(patient)).content.decode()

    assert f'data-month="{latest:%Y-%m}"' in page
    assert "pain during 6 out of 10" in page
    assert "pain during 3 out of 10" not in page
    assert f'<a href="?month={earlier:%Y-%m}#timeline"' in page  # works without JavaScript
    assert f"Older: {earlier:%B %Y}" in page
    assert "data-newer" not in page


def test_an_older_month_shows_its_entries_and_links_back(clinician_client, patient, two_months):
    earlier, latest = two_months

    page = clinician_client.get(f"{review_url(patient)}?month={earlier:%Y-%m}").content.decode()

    assert f'data-month="{earlier:%Y-%m}"' in page
    assert "pain during 3 out of 10" in page
    assert "pain during 6 out of 10" not in page
    assert f"Newer: {latest:%B %Y}" in page
    assert "data-older" not in page
    # The rest of the review still covers the whole history.
    assert 'id="charts-heading"' in page and 'id="notes"' in page


def test_the_timeline_latest_month_skips_a_quiet_one(clinician_client, patient):
    """A patient quiet for months still opens on what they did last, not on an empty month."""
    long_ago = (last_month() - dt.timedelta(days=70)).replace(day=1)
    SessionFactory(patient=patient, performed_on=long_ago, pain_during=4)

    page = clinician_client.get(review_url(patient)).content.decode()

    assert f'data-month="{long_ago:%Y-%m}"' in page
    assert "pain during 4 out of 10" in page


@pytest.mark.parametrize(
    "month",
    ["", "2026-13", "2026-00", "0000-01", "0001-01", "9999-12", "2026-1", "abcd-ef", "9" * 40],
)
def test_a_bad_month_shows_the_latest_month(clinician_client, patient, two_months, month):
    _, latest = two_months

    response = clinician_client.get(review_url(patient), {"month": month})

    assert response.status_code == 200
    assert f'data-month="{latest:%Y-%m}"' in response.content.decode()


def test_a_month_with_nothing_in_it_says_so(clinician_client, patient, two_months):
    earlier, _ = two_months
    empty = (earlier - dt.timedelta(days=1)).replace(day=1)

    page = clinician_client.get(f"{review_url(patient)}?month={empty:%Y-%m}").content.decode()

    assert f"Nothing recorded in {empty:%B %Y}." in page
    assert f"Newer: {earlier:%B %Y}" in page


def test_parse_month_takes_only_a_real_year_and_month():
    assert parse_month("2026-03") == dt.date(2026, 3, 1)
    for bad in (None, "", "2026-3", "2026-13", "0000-01", "2026-03-01", " 2026-03", "２０２６-03"):
        assert parse_month(bad) is None, bad


def test_htmx_paging_answers_with_the_timeline_section_alone(
    clinician, clinician_client, patient, two_months
):
    earlier, _ = two_months

    response = clinician_client.get(f"{review_url(patient)}?month={earlier:%Y-%m}", **TIMELINE)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section id="timeline"')
    assert "<html" not in page and 'id="alerts"' not in page and 'id="notes"' not in page
    assert "pain during 3 out of 10" in page
    assert "HX-Request" in response["Vary"]
    # Reading another month of the record is still a view of it.
    assert AuditEvent.objects.filter(
        actor=clinician, patient=patient, action=AuditAction.VIEW
    ).exists()


def test_htmx_requests_for_other_targets_get_the_whole_page(clinician_client, patient):
    page = clinician_client.get(review_url(patient), **HTMX).content.decode()
    assert 'id="alerts"' in page and 'id="timeline"' in page


def test_paging_the_timeline_is_refused_to_an_unlinked_clinician(
    stranger_clinician_client, patient_client, patient, two_months
):
    earlier, _ = two_months
    url = f"{review_url(patient)}?month={earlier:%Y-%m}"

    for outsider in (stranger_clinician_client, patient_client):
        assert outsider.get(url).status_code == 404
        assert outsider.get(url, **TIMELINE).status_code == 404
