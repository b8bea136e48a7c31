from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from apps.screening.gate import care_gate, latest_and_gate, latest_screening, screening_is_stale
from apps.screening.models import Screening
from apps.screening.triage import Urgency
from backpain.guest import guest_id
from tests.screening.factories import ScreeningFactory


def days_ago(days: int):
    return timezone.now() - timedelta(days=days)


def request_for(user) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    return request


def test_a_guests_unacknowledged_emergency_closes_their_gate_only(db):
    guest, other_guest = request_for(AnonymousUser()), request_for(AnonymousUser())
    emergency = ScreeningFactory(guest_id=guest_id(guest, create=True), user=None,
                                 urgency=Urgency.EMERGENCY)  # fmt: skip

    assert care_gate(guest) == emergency
    assert care_gate(other_guest) is None
    emergency.acknowledge()
    assert care_gate(guest) is None


def test_the_gate_is_open_without_any_screening(patient):
    assert care_gate(request_for(patient)) is None


def test_the_gate_is_open_for_someone_not_logged_in(db):
    assert care_gate(request_for(AnonymousUser())) is None
    assert latest_screening(AnonymousUser()) is None


def test_an_unacknowledged_emergency_closes_the_gate(patient):
    emergency = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)

    assert care_gate(request_for(patient)) == emergency


def test_acknowledging_the_emergency_opens_the_gate(patient):
    emergency = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)
    emergency.acknowledge()

    assert care_gate(request_for(patient)) is None


def test_a_newer_full_check_without_an_emergency_opens_the_gate(patient):
    ScreeningFactory(
        user=patient, urgency=Urgency.EMERGENCY, started_at=days_ago(2), completed_at=days_ago(2)
    )
    ScreeningFactory(
        user=patient, urgency=Urgency.NONE, started_at=days_ago(1), completed_at=days_ago(1)
    )

    assert care_gate(request_for(patient)) is None


def test_a_newer_recheck_without_an_emergency_leaves_the_gate_closed(patient):
    emergency = ScreeningFactory(
        user=patient, urgency=Urgency.EMERGENCY, started_at=days_ago(2), completed_at=days_ago(2)
    )
    ScreeningFactory(user=patient, urgency=Urgency.NONE, kind="recheck")

    assert care_gate(request_for(patient)) == emergency


def test_an_emergency_from_a_recheck_closes_the_gate(patient):
    ScreeningFactory(user=patient, started_at=days_ago(2), completed_at=days_ago(2))
    emergency = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY, kind="recheck")

    assert care_gate(request_for(patient)) == emergency


def test_the_gate_shows_the_newest_unconfirmed_emergency(patient):
    ScreeningFactory(
        user=patient, urgency=Urgency.EMERGENCY, started_at=days_ago(2), completed_at=days_ago(2)
    )
    newest = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY, kind="recheck")

    assert care_gate(request_for(patient)) == newest


def test_an_unfinished_screening_does_not_open_the_gate(patient):
    emergency = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY, started_at=days_ago(1))
    Screening.objects.create(user=patient)

    assert care_gate(request_for(patient)) == emergency


def test_another_persons_emergency_does_not_close_my_gate(patient, other_patient):
    ScreeningFactory(user=other_patient, urgency=Urgency.EMERGENCY)

    assert care_gate(request_for(patient)) is None


def test_a_screening_is_stale_when_there_is_none_or_it_is_older_than_a_week(patient):
    assert screening_is_stale(patient)

    ScreeningFactory(user=patient, started_at=days_ago(8), completed_at=days_ago(8))
    assert screening_is_stale(patient)
    assert not screening_is_stale(patient, days=10)

    ScreeningFactory(user=patient, started_at=days_ago(2), completed_at=days_ago(2))
    assert not screening_is_stale(patient)


def test_the_gate_include_shows_the_emergency_advice_and_the_way_to_confirm(patient):
    emergency = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)

    html = render_to_string("screening/_gate.html", {"screening": care_gate(request_for(patient))})

    assert 'role="alert"' in html
    assert 'href="tel:999">Call 999 now</a>' in html
    assert (
        'Call <a class="tel" href="tel:999" aria-label="Call 999, emergency services">999</a>'
        " or go to A&amp;E now"
    ) in html
    assert "last check for warning signs found a sign" in " ".join(html.split())
    assert f"{emergency.get_absolute_url()}#next-steps" in html


def test_the_gate_include_says_when_the_emergency_came_from_the_weekly_recheck(patient):
    emergency = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY, kind="recheck")

    html = render_to_string("screening/_gate.html", {"screening": emergency})

    assert "Your weekly re-check found a sign" in " ".join(html.split())


def both(request: HttpRequest) -> tuple[Screening | None, Screening | None]:
    return latest_screening(request.user), care_gate(request)


def test_latest_and_gate_answer_as_the_two_questions_do_in_one_query(
    patient, django_assert_num_queries
):
    request = request_for(patient)
    with django_assert_num_queries(1):
        assert latest_and_gate(request) == (None, None)

    older = ScreeningFactory(user=patient, started_at=days_ago(3), completed_at=days_ago(3))
    with django_assert_num_queries(1):
        assert latest_and_gate(request) == (older, None)
    assert both(request) == (older, None)

    emergency = ScreeningFactory(
        user=patient, urgency=Urgency.EMERGENCY, started_at=days_ago(2), completed_at=days_ago(2)
    )
    with django_assert_num_queries(1):
        assert latest_and_gate(request) == (emergency, emergency)
    assert both(request) == (emergency, emergency)
    assert request.care_gate_state == "closed"


def test_an_older_open_emergency_behind_a_newer_recheck_still_closes_the_gate(patient):
    emergency = ScreeningFactory(
        user=patient, urgency=Urgency.EMERGENCY, started_at=days_ago(2), completed_at=days_ago(2)
    )
    recheck = ScreeningFactory(user=patient, urgency=Urgency.NONE, kind="recheck")
    request = request_for(patient)

    assert latest_and_gate(request) == both(request) == (recheck, emergency)
    emergency.acknowledge()
    assert latest_and_gate(request) == (recheck, None)


def test_latest_and_gate_for_a_guest_is_their_browsers_only(db):
    guest, other_guest = request_for(AnonymousUser()), request_for(AnonymousUser())
    emergency = ScreeningFactory(guest_id=guest_id(guest, create=True), user=None,
                                 urgency=Urgency.EMERGENCY)  # fmt: skip

    assert latest_and_gate(guest) == (emergency, emergency)
    assert latest_and_gate(other_guest) == (None, None)
    assert other_guest.care_gate_state == "open"


def test_the_unfinished_check_comes_with_its_answers_and_the_gate_in_one_query(
    patient, questions, django_assert_num_queries
):
    request = request_for(patient)
    assert Screening.objects.current_with_answers(request, with_gate=True) == (None, {}, None)

    emergency = ScreeningFactory(
        user=patient, urgency=Urgency.EMERGENCY, started_at=days_ago(2), completed_at=days_ago(2)
    )
    current = Screening.objects.create(user=patient)
    current.record(questions[0], "yes")
    current.record(questions[2], "no")

    with django_assert_num_queries(2):  # the gate is an older row: one more look-up
        found = Screening.objects.current_with_answers(request, with_gate=True)
    assert found == (current, {questions[0].key: "yes", questions[2].key: "no"}, emergency)

    emergency.acknowledge()
    with django_assert_num_queries(1):
        assert Screening.objects.current_with_answers(request, with_gate=True)[2] is None
    # Without the gate, the same check and answers; another person sees none of it.
    assert Screening.objects.current_with_answers(request)[:2] == found[:2]
    assert Screening.objects.current_with_answers(request_for(AnonymousUser())) == (None, {}, None)
