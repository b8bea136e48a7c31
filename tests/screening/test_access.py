"""Nobody reaches another person's screening: not other patients, not clinicians (these are
the patient's own pages; clinicians see shared data in the clinic), not other browsers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.screening.models import Screening
from apps.screening.triage import Urgency
from tests.screening.factories import ScreeningFactory, answer_all, step_url

OTHERS = [
    "other_patient_client",
    "clinician_client",
    "revoked_clinician_client",
    "stranger_clinician_client",
    "anon_client",
]


@pytest.fixture
def emergency(patient) -> Screening:
    return ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)


def test_the_patient_sees_their_own_result(patient_client, emergency):
    assert patient_client.get(emergency.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("client_name", OTHERS)
def test_another_persons_result_is_not_found(request, client_name, emergency):
    client = request.getfixturevalue(client_name)

    assert client.get(emergency.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("client_name", OTHERS)
def test_another_person_cannot_confirm_care_for_the_patient(request, client_name, emergency):
    client = request.getfixturevalue(client_name)

    url = reverse("screening:acknowledge", args=[emergency.uuid])

    response = client.post(url, {"confirmed": "on"})

    assert response.status_code == 404
    emergency.refresh_from_db()
    assert emergency.acknowledged_at is None


def test_the_patient_can_confirm_care(patient_client, emergency):
    response = patient_client.post(
        reverse("screening:acknowledge", args=[emergency.uuid]), {"confirmed": "on"}
    )

    assert response.status_code == 302


def test_the_history_lists_only_the_patients_own_checks(patient_client, emergency, other_patient):
    ScreeningFactory(user=other_patient, urgency=Urgency.PHYSIO)
    ScreeningFactory(urgency=Urgency.SOON)  # a guest's

    html = patient_client.get(reverse("screening:history")).content.decode()

    assert emergency.get_absolute_url() in html
    assert html.count("See the result") == 1


@pytest.mark.parametrize(
    "client_name",
    [
        "other_patient_client",
        "clinician_client",
        "revoked_clinician_client",
        "stranger_clinician_client",
    ],
)
def test_nobody_elses_history_shows_the_patients_checks(request, client_name, emergency):
    html = request.getfixturevalue(client_name).get(reverse("screening:history")).content.decode()

    assert emergency.get_absolute_url() not in html
    assert "You have not finished a check yet." in html


def test_a_guest_is_asked_to_log_in_for_the_history(anon_client):
    response = anon_client.get(reverse("screening:history"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("client_name", OTHERS)
def test_another_persons_unfinished_answers_stay_hidden_and_intact(
    request, client_name, patient, questions
):
    unfinished = Screening.objects.create(user=patient)
    unfinished.record(questions[0], "yes")
    client = request.getfixturevalue(client_name)

    start = client.get(reverse("screening:start")).content.decode()
    step = client.get(step_url(1))
    client.post(reverse("screening:new"))

    assert "Carry on where you left off" not in start
    assert step.status_code == 302  # to their own start page: they have nothing in progress
    assert unfinished.answer_map() == {questions[0].key: "yes"}


@pytest.mark.parametrize("client_name", ["patient_client", "anon_client"])
def test_someone_elses_guest_screening_is_not_found(request, client_name, questions):
    guest = ScreeningFactory(urgency=Urgency.URGENT)
    client = request.getfixturevalue(client_name)

    assert client.get(guest.get_absolute_url()).status_code == 404
    assert "Your last check" not in client.get(reverse("screening:start")).content.decode()


def test_a_guest_sees_their_own_result_and_last_check(anon_client, questions):
    answer_all(anon_client, {"visceral": "yes"})
    screening = Screening.objects.get()

    assert anon_client.get(screening.get_absolute_url()).status_code == 200
    start = anon_client.get(reverse("screening:start")).content.decode()
    assert screening.get_absolute_url() in start


def test_a_guest_result_is_gone_for_another_browser(anon_client, client, questions):
    answer_all(anon_client)

    assert client.get(Screening.objects.get().get_absolute_url()).status_code == 404
