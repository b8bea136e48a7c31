"""A guest's checklist runs move to the account they sign up or log in to in the same browser."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from apps.checklist.models import Run
from apps.screening.models import Screening
from tests.checklist.factories import answer_all, completed_run
from tests.factories import PASSWORD
from tests.screening.factories import answer_all as answer_screening


def test_logging_in_claims_the_guests_finished_and_unfinished_runs(anon_client, patient, items):
    answer_all(anon_client)
    anon_client.post(reverse("checklist:new"))  # and an unfinished one
    someone_elses = completed_run()

    assert anon_client.login(email=patient.email, password=PASSWORD)

    mine = Run.objects.filter(user=patient)
    assert mine.count() == 2
    assert not mine.exclude(guest_id=None).exists()
    someone_elses.refresh_from_db()
    assert someone_elses.user is None


def test_signing_up_claims_the_runs_and_the_screening_together(anon_client, items, mailoutbox):
    answer_screening(anon_client)
    answer_all(anon_client, {"hip_mobility": "no"})

    anon_client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    # The account logs in once its address is confirmed, from the link in this browser.
    response = anon_client.post(re.search(r"/accounts/confirm-email/\S+/", mailoutbox[0].body)[0])

    assert response.status_code == 302
    assert Run.objects.get().user.email == "new@example.org"
    assert Screening.objects.get().user.email == "new@example.org"
    history = anon_client.get(reverse("checklist:history")).content.decode()
    assert "12 out of 13 points" in history


def test_another_browser_logging_in_claims_nothing(anon_client, patient, items):
    answer_all(anon_client)

    Client().login(email=patient.email, password=PASSWORD)

    assert Run.objects.get().user is None
