"""Nobody reaches another person's checklist: not other patients, not clinicians (these are
the patient's own pages; clinicians will see shared data in the clinic), not other browsers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.checklist.models import Run
from tests.checklist.factories import answer_all, completed_run, step_url

OTHERS = [
    "other_patient_client",
    "clinician_client",
    "revoked_clinician_client",
    "stranger_clinician_client",
    "anon_client",
]


@pytest.fixture
def run(patient, items) -> Run:
    return completed_run(patient, {"hip_mobility": "no"})


def test_the_patient_sees_their_own_result_and_history(patient_client, run):
    assert patient_client.get(run.get_absolute_url()).status_code == 200
    history = patient_client.get(reverse("checklist:history")).content.decode()
    assert run.get_absolute_url() in history


@pytest.mark.parametrize("client_name", OTHERS)
def test_another_persons_result_is_not_found(request, client_name, run):
    client = request.getfixturevalue(client_name)

    assert client.get(run.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("client_name", OTHERS[:3])
def test_nobody_elses_history_or_start_page_shows_the_patients_runs(request, client_name, run):
    client = request.getfixturevalue(client_name)

    history = client.get(reverse("checklist:history")).content.decode()
    start = client.get(reverse("checklist:start")).content.decode()

    assert run.get_absolute_url() not in history
    assert "You have not finished a checklist yet." in history
    assert "Your last checklist" not in start


@pytest.mark.parametrize("client_name", OTHERS)
def test_another_persons_unfinished_answers_stay_hidden_and_intact(
    request, client_name, patient, items
):
    unfinished = Run.objects.create(user=patient)
    unfinished.record(items[0], "no", "private note")
    client = request.getfixturevalue(client_name)

    start = client.get(reverse("checklist:start")).content.decode()
    step = client.get(step_url(1))
    client.post(step_url(1), {"item": items[0].key, "answer": "yes"})
    client.post(reverse("checklist:new"))

    assert "Carry on where you left off" not in start
    assert step.status_code == 302  # to their own start page: they have nothing in progress
    assert "private note" not in start
    answer = unfinished.answers.get()
    assert (answer.value, answer.note) == ("no", "private note")
    assert Run.objects.filter(user=patient).count() == 1


@pytest.mark.parametrize("client_name", ["patient_client", "anon_client"])
def test_someone_elses_guest_run_is_not_found(request, client_name, items):
    guest_run = completed_run()
    client = request.getfixturevalue(client_name)

    assert client.get(guest_run.get_absolute_url()).status_code == 404


def test_an_unfinished_run_has_no_result(patient_client, patient, items):
    run = Run.objects.create(user=patient)

    assert patient_client.get(run.get_absolute_url()).status_code == 404


def test_a_guest_sees_their_own_result_and_last_checklist(anon_client, items):
    answer_all(anon_client)
    run = Run.objects.get()

    assert anon_client.get(run.get_absolute_url()).status_code == 200
    assert run.get_absolute_url() in anon_client.get(reverse("checklist:start")).content.decode()
