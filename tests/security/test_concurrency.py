"""Ten identical posts at once to every endpoint that creates something, over real HTTP.

Each post goes from its own thread through its own connection to the live server, which
answers each on a thread of its own with its own database connection: the requests race
in PostgreSQL as a double click, a resent form or two tabs would. No answer may be a 500;
where a repeat must not make a second row, there is exactly one.
"""

from __future__ import annotations

import http.client
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from apps.accounts.models import CareLink, InviteCode
from apps.checklist.models import Run
from apps.clinic.models import Alert, AlertKind, Note
from apps.exercises.models import Exercise
from apps.progress.models import (
    CheckIn,
    FunctionActivity,
    FunctionScore,
    Plan,
    PlanKind,
    Reminder,
    Session,
    SessionEntry,
)
from apps.progress.services import recheck_questions
from apps.screening.models import Screening

from .fuzz import CSRF_SECRET

THREADS = 10

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Answer:
    status: int
    location: str
    body: str


class Browser:
    """One signed-in browser talking HTTP to the live server: its cookies, no redirects."""

    def __init__(self, base_url: str, user: Any) -> None:
        client = Client()
        client.force_login(user)
        self.address = urlsplit(base_url)
        self.cookie = "; ".join(
            [
                f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}",
                f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}",
            ]
        )

    def post(self, path: str, data: dict[str, Any]) -> Answer:
        connection = http.client.HTTPConnection(
            self.address.hostname, self.address.port, timeout=60
        )
        try:
            connection.request(
                "POST",
                path,
                urlencode(data, doseq=True),
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": self.cookie,
                    "X-CSRFToken": CSRF_SECRET,
                },
            )
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return Answer(response.status, response.getheader("Location") or "", body)
        finally:
            connection.close()


def together(calls: list[Callable[[], Answer]]) -> list[Answer]:
    """Run every call on its own thread, all released at once; return their answers."""
    barrier = threading.Barrier(len(calls))
    answers: list[Answer] = []
    errors: list[BaseException] = []

    def worker(call: Callable[[], Answer]) -> None:
        try:
            barrier.wait(timeout=30)
            answers.append(call())
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert errors == []
    return answers


def post_ten(live_server, user, path: str, data: dict[str, Any]) -> list[Answer]:
    """Post the same data from ten browsers of the same person at once."""
    browsers = [Browser(live_server.url, user) for _ in range(THREADS)]
    answers = together([lambda b=b: b.post(path, data) for b in browsers])
    assert len(answers) == THREADS
    assert all(answer.status < 500 for answer in answers), [a.status for a in answers]
    return answers


def statuses(answers: list[Answer]) -> list[int]:
    return sorted(answer.status for answer in answers)


# The patient's side ------------------------------------------------------------------------


def test_one_session_for_ten_posts_with_the_same_token(live_server, patient, content):
    first, second = Exercise.objects.all()[:2]
    data = {
        "client_token": str(uuid.uuid4()),
        "performed_on": timezone.localdate().isoformat(),
        "pain_during": "3",
        "note": "Twice clicked",
        "entries-TOTAL_FORMS": "2",
        "entries-INITIAL_FORMS": "0",
        "entries-0-exercise": first.slug,
        "entries-0-done": "on",
        "entries-0-reps": "10",
        "entries-1-exercise": second.slug,
        "entries-1-done": "on",
        "entries-1-hold_seconds": "30",
    }

    answers = post_ten(live_server, patient, "/progress/log/", data)

    assert statuses(answers) == [302] * THREADS
    session = Session.objects.get(patient=patient)
    assert SessionEntry.objects.filter(session=session).count() == 2


def test_one_check_in_for_ten_posts_in_a_week(live_server, patient, content):
    data = _check_in_data()

    answers = post_ten(live_server, patient, "/progress/check-in/", data)

    assert statuses(answers) == [302] * THREADS
    check_in = CheckIn.objects.get(patient=patient)
    assert FunctionActivity.objects.filter(patient=patient).count() == 2
    assert FunctionScore.objects.filter(check_in=check_in).count() == 2


def test_one_recheck_for_ten_identical_check_in_posts(live_server, patient, clinician, content):
    data = _check_in_data() | {"recheck_fever_unwell": "yes"}

    answers = post_ten(live_server, patient, "/progress/check-in/", data)

    recheck = Screening.objects.get(user=patient, kind="recheck")
    # Every twin is sent to the one result the first post recorded: urgent care today.
    assert {answer.location for answer in answers} == {recheck.get_absolute_url()}
    assert Alert.objects.filter(patient=patient, kind=AlertKind.URGENT).count() == 1


def test_one_new_recheck_for_ten_identical_changed_check_in_posts(
    live_server, patient, clinician, content
):
    """Sent, then changed (Back, a sign added) and that changed form sent ten times at once:
    the first of the ten records the new re-check, and the others wait on the week's
    check-in, then find the token moved to it. One new re-check, one alert."""
    data = _check_in_data()
    Browser(live_server.url, patient).post("/progress/check-in/", data)

    answers = post_ten(
        live_server, patient, "/progress/check-in/", data | {"recheck_fever_unwell": "yes"}
    )

    latest = Screening.objects.filter(user=patient, kind="recheck").latest("completed_at")
    assert Screening.objects.filter(user=patient, kind="recheck").count() == 2
    assert {answer.location for answer in answers} == {latest.get_absolute_url()}
    assert latest.urgency == "urgent"
    assert Alert.objects.filter(patient=patient, kind=AlertKind.URGENT).count() == 1


def _check_in_data() -> dict[str, str]:
    return {
        "client_token": str(uuid.uuid4()),
        "pain_average": "4",
        "pain_worst": "6",
        "sleep_nights": "1",
        "days_active": "3",
        "activity_0_name": "Putting on socks",
        "activity_0_score": "5",
        "activity_1_name": "Sitting through a film",
        "activity_1_score": "7",
        **{f"recheck_{question.key}": "no" for question in recheck_questions()},
    }


def test_one_reminder_for_ten_first_posts(live_server, patient, content):
    answers = post_ten(
        live_server, patient, "/progress/reminder/", {"enabled": "on", "weekday": "2", "hour": "18"}
    )

    assert statuses(answers) == [302] * THREADS
    assert Reminder.objects.filter(patient=patient).count() == 1


@pytest.mark.parametrize(("app", "model"), [("screening", Screening), ("checklist", Run)])
def test_ten_starts_leave_one_check_under_way(live_server, patient, content, app, model):
    answers = post_ten(live_server, patient, f"/{app}/new/", {})

    assert statuses(answers) == [302] * THREADS
    assert model.objects.filter(user=patient).in_progress().count() == 1


def test_one_share_for_ten_confirmations_of_one_code(live_server, patient, clinician, content):
    CareLink.objects.filter(patient=patient).delete()
    invite = InviteCode.objects.create(clinician=clinician)

    answers = post_ten(
        live_server, patient, "/account/sharing/confirm/", {"code": invite.display_code}
    )

    assert statuses(answers) == [200] * (THREADS - 1) + [302]
    link = CareLink.objects.get(patient=patient)
    assert link.invite == invite
    invite.refresh_from_db()
    assert invite.used_by == patient


# The clinician's side ----------------------------------------------------------------------


def test_ten_invite_posts_never_pass_the_limit_of_unused_codes(live_server, clinician, content):
    for _ in range(15):
        InviteCode.objects.create(clinician=clinician)

    answers = post_ten(live_server, clinician, "/clinic/invite/", {})

    # Each post is a request for a new code; the row lock keeps the count at the limit.
    assert statuses(answers) == [302] * THREADS
    assert InviteCode.objects.filter(clinician=clinician).usable().count() == 20


def test_one_note_for_ten_identical_posts(live_server, clinician, patient, content):
    data = {"text": "Walks further; keep the bridges.", "client_token": str(uuid.uuid4())}

    answers = post_ten(live_server, clinician, f"/clinic/patients/{patient.uuid}/notes/", data)

    assert statuses(answers) == [302] * THREADS
    assert Note.objects.filter(patient=patient).count() == 1


def test_one_prescription_for_ten_identical_posts(live_server, clinician, patient, content):
    exercise = Exercise.objects.first()
    data = {
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-0-exercise": exercise.slug,
        "rows-0-sets": "2",
        "rows-0-reps": "10",
        "rows-0-days_per_week": "5",
        "note": "Little and often.",
        "save": "1",
        "client_token": str(uuid.uuid4()),
    }

    answers = post_ten(live_server, clinician, f"/clinic/patients/{patient.uuid}/prescribe/", data)

    assert statuses(answers) == [302] * THREADS
    prescribed = Plan.objects.filter(patient=patient, kind=PlanKind.PRESCRIBED)
    assert prescribed.filter(active=True).count() == 1
    assert prescribed.count() == 1
