"""The care gate on exercise pages: an unconfirmed emergency result closes every start control.

The library stays readable, with the banner on top; the exercise page, its timer and the
routine player show the banner first and offer nothing that starts exercise.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from apps.screening.triage import Urgency
from tests.exercises.helpers import days_ago, guest_screening
from tests.screening.factories import ScreeningFactory

BANNER = 'aria-labelledby="gate-heading"'
DETAIL = "/exercises/side-plank/"
ROUTINE = "/exercises/routine/?items=chin-tuck,side-plank"
LIBRARY = "/exercises/"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def main(body: str) -> str:
    return body.split('<main id="main"', 1)[1]


def assert_gated_detail(body: str) -> None:
    content = main(body)
    assert BANNER in content
    assert content.index(BANNER) < content.index("<h1>"), "the banner comes first"
    assert "data-timer-config" not in body
    assert "data-timer data-gated" in body
    assert (
        '<button type="button" class="button" data-action="start" disabled>Start</button>' in body
    )
    assert "Do it as a guided routine" not in body
    assert reverse("exercises:routine") not in content


def assert_gated_routine(body: str) -> None:
    content = main(body)
    assert BANNER in content
    assert content.index(BANNER) < content.index("<h2"), "the banner comes before the player"
    assert "data-routine-config" not in body
    assert "data-routine data-gated" in body
    assert 'data-action="start" disabled' in body
    assert 'data-action="next"' not in body and 'data-action="previous"' not in body
    assert 'name="pain_during"' not in body and "/progress/log/" not in body


def assert_gated_library(body: str) -> None:
    assert BANNER in main(body)
    assert "Start a routine with the ones ticked" in body
    assert 'disabled aria-describedby="routine-closed"' in body
    assert 'href="/exercises/side-plank/"' in body, "reading stays open"


def assert_open(client) -> None:
    detail, routine, library = (page(client, url) for url in (DETAIL, ROUTINE, LIBRARY))
    for body in (detail, routine, library):
        assert BANNER not in body
        assert "data-gated" not in body and " disabled>Start</button>" not in body
    assert "data-timer-config" in detail and "Do it as a guided routine" in detail
    assert "data-routine-config" in routine and 'data-action="next"' in routine
    assert 'disabled aria-describedby="routine-closed"' not in library


@pytest.fixture
def patient_emergency(patient):
    return ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)


def test_a_patients_unconfirmed_emergency_closes_the_exercise_page_and_its_timer(
    patient_client, patient_emergency, content
):
    body = page(patient_client, DETAIL)

    assert_gated_detail(body)
    assert f"{patient_emergency.get_absolute_url()}#next-steps" in body


def test_a_patients_unconfirmed_emergency_closes_the_routine_player(
    patient_client, patient_emergency, content
):
    assert_gated_routine(page(patient_client, ROUTINE))


def test_the_library_stays_readable_with_the_banner_on_top(
    patient_client, patient_emergency, content
):
    assert_gated_library(page(patient_client, LIBRARY))


def test_htmx_results_keep_the_routine_start_off(patient_client, patient_emergency, content):
    body = patient_client.get("/exercises/?kind=strength", HTTP_HX_REQUEST="true").content
    body = body.decode()

    assert body.strip().startswith('<div id="results"')
    assert 'disabled aria-describedby="routine-closed"' in body


def test_a_guests_unconfirmed_emergency_closes_their_pages(client, content):
    guest_screening(client, urgency=Urgency.EMERGENCY)

    assert_gated_detail(page(client, DETAIL))
    assert_gated_routine(page(client, ROUTINE))
    assert_gated_library(page(client, LIBRARY))


def test_a_timerless_exercise_page_is_closed_too(patient_client, patient_emergency, content):
    # Walking break: a timed duration; 90/90 breathing: a paced breath.
    for slug in ["walking-break", "breathing-90-90"]:
        assert_gated_detail(page(patient_client, f"/exercises/{slug}/"))


def test_confirming_on_the_result_opens_everything_again(
    patient_client, patient_emergency, content
):
    url = reverse("screening:acknowledge", args=[patient_emergency.uuid])

    refused = patient_client.post(url, {})
    assert refused.status_code == 200  # the box must be ticked
    assert_gated_detail(page(patient_client, DETAIL))

    response = patient_client.post(url, {"confirmed": "on"})
    assert response.status_code == 302
    assert_open(patient_client)


def test_a_guest_confirming_opens_their_pages_again(client, content):
    emergency = guest_screening(client, urgency=Urgency.EMERGENCY)

    client.post(reverse("screening:acknowledge", args=[emergency.uuid]), {"confirmed": "on"})

    assert_open(client)


def test_an_already_confirmed_emergency_leaves_the_pages_open(patient_client, patient, content):
    ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY).acknowledge()

    assert_open(patient_client)


def test_no_screening_or_a_milder_result_leaves_the_pages_open(
    client, patient_client, patient, content
):
    ScreeningFactory(user=patient, urgency=Urgency.URGENT)

    assert_open(client)
    assert_open(patient_client)


def test_another_persons_emergency_does_not_close_my_pages(patient_client, other_patient, content):
    ScreeningFactory(user=other_patient, urgency=Urgency.EMERGENCY)
    guest_screening(Client(), urgency=Urgency.EMERGENCY)

    assert_open(patient_client)


def test_another_guests_emergency_does_not_close_mine(client, content):
    guest_screening(Client(), urgency=Urgency.EMERGENCY)
    guest_screening(client, urgency=Urgency.NONE, started_at=days_ago(1))

    assert_open(client)
