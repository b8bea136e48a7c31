"""A guest's screening moves to the account they sign up or log in to in the same browser."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from apps.checklist.models import Run
from apps.screening.models import Screening
from backpain.guest import SESSION_KEY, claim_guest_rows, guest_id
from tests.checklist.factories import answer_all as answer_checklist
from tests.factories import PASSWORD
from tests.screening.factories import ScreeningFactory, answer_all


def test_logging_in_claims_the_guests_finished_and_unfinished_screenings(
    anon_client, patient, questions
):
    answer_all(anon_client)
    anon_client.post(reverse("screening:new"))  # and an unfinished one
    someone_elses = ScreeningFactory()

    assert anon_client.login(email=patient.email, password=PASSWORD)

    mine = Screening.objects.filter(user=patient)
    assert mine.count() == 2
    assert not mine.exclude(guest_id=None).exists()
    someone_elses.refresh_from_db()
    assert someone_elses.user is None


def test_signing_up_claims_the_guests_screening(anon_client, questions, mailoutbox):
    answer_all(anon_client, {"radiating": "yes"})

    anon_client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    # The account logs in once its address is confirmed, from the link in this browser.
    response = anon_client.post(re.search(r"/accounts/confirm-email/\S+/", mailoutbox[0].body)[0])

    assert response.status_code == 302
    history = anon_client.get(reverse("screening:history"))
    assert "Soon: see a GP or physiotherapist in the next few days" in history.content.decode()
    assert Screening.objects.get().user.email == "new@example.org"


def test_another_browser_logging_in_claims_nothing(anon_client, patient, questions):
    answer_all(anon_client)

    Client().login(email=patient.email, password=PASSWORD)

    assert Screening.objects.get().user is None


def test_claim_without_a_request_or_guest_id_moves_nothing(rf, patient):
    ScreeningFactory()
    request = rf.get("/")
    request.session = {}

    assert claim_guest_rows(None, patient, Screening.objects.all()) == 0
    assert claim_guest_rows(request, patient, Screening.objects.all()) == 0


def test_a_damaged_guest_id_is_replaced(rf):
    request = rf.get("/")
    request.session = {SESSION_KEY: "not-a-uuid"}

    assert guest_id(request) is None
    made = guest_id(request, create=True)
    assert guest_id(request) == made


def test_a_clinician_logging_in_does_not_receive_the_guests_answers(
    anon_client, clinician, content
):
    answer_all(anon_client)
    answer_checklist(anon_client)

    assert anon_client.login(email=clinician.email, password=PASSWORD)

    assert not Screening.objects.filter(user=clinician).exists()
    assert not Run.objects.filter(user=clinician).exists()
    assert Screening.objects.filter(user=None).count() == 1
    assert Run.objects.filter(user=None).count() == 1
