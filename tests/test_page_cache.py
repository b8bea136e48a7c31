"""Pages kept per person until their data changes (backpain/page_cache.py)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import User
from apps.checklist.models import Run
from apps.clinic.models import AuditEvent
from apps.screening.models import Question, Screening
from apps.screening.triage import Level, Urgency
from backpain import content_cache, page_cache
from backpain.wizard import signed_in_only
from tests.factories import CheckInFactory, SessionFactory
from tests.test_security_headers import parse_csp
from tests.wizard_helpers import checked

pytestmark = pytest.mark.django_db

NONCE = re.compile(r'nonce="([^"]+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HX_CSRF = re.compile(r'"x-csrftoken": "([^"]+)"')


def without_request_parts(page: str) -> str:
    return NONCE.sub("", CSRF.sub("", HX_CSRF.sub("", page)))


TOKEN = re.compile(r'name="client_token" value="([^"]+)"')


def get(client: Client, url: str, **headers: str) -> tuple[str, int]:
    """The page and its query count. The content version is read (when due) before
    counting: on a slow machine a second may pass between two requests, and its reading
    once a second (backpain/content_cache.py) is not the page's own cost."""
    content_cache.version()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_page_seen_again_costs_only_the_session_read(patient_client, patient, content):
    first, cold = get(patient_client, "/progress/")
    again, warm = get(patient_client, "/progress/")
    assert warm == 1 < cold
    # The same page, apart from what belongs to each request.
    assert without_request_parts(again) == without_request_parts(first)


def test_a_change_shows_at_once_whoever_wrote_it(patient_client, patient, content):
    before, _ = get(patient_client, "/progress/log/")
    # Through the app's models: a logged session.
    assert "Pain 7/10" not in before
    SessionFactory(patient=patient, pain_during=7)
    page, queries = get(patient_client, "/progress/log/")
    assert queries > 2 and "Pain 7/10" in page
    # Straight into the database, as a bulk update or the admin would.
    patient.exercise_sessions.update(pain_during=1)
    page, _ = get(patient_client, "/progress/log/")
    assert "Pain 1/10" in page and "Pain 7/10" not in page


@pytest.mark.parametrize("url", ["/", "/plan/", "/progress/", "/progress/log/", "/screening/"])
def test_a_kept_page_is_never_shown_to_someone_else(
    patient_client, other_patient_client, patient, other_patient, content, url
):
    SessionFactory(patient=patient, pain_during=9)
    mine, _ = get(patient_client, url)
    get(patient_client, url)  # kept now
    theirs, _ = get(other_patient_client, url)
    assert patient_client.cookies["sessionid"] != other_patient_client.cookies["sessionid"]
    assert page_cache.page_key(_request(patient, url)) != page_cache.page_key(
        _request(other_patient, url)
    )
    if "Pain 9/10" in mine:
        assert "Pain 9/10" not in theirs


def _request(user: User, url: str):
    from django.test import RequestFactory

    request = RequestFactory().get(url)
    request.user = user
    request.COOKIES = {}
    request._messages = _NoMessages()
    return request


class _NoMessages(list):
    _queued_messages: list = []


def test_each_browser_gets_its_own_csrf_token_and_it_works(patient, content):
    """The same person on two devices: the kept page carries each browser's own token."""
    phone, laptop = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    phone.force_login(patient)
    laptop.force_login(patient)
    on_phone, _ = get(phone, "/progress/check-in/")
    on_laptop, queries = get(laptop, "/progress/check-in/")
    assert queries == 1  # the laptop got the kept page
    token = CSRF.search(on_laptop).group(1)
    assert token != CSRF.search(on_phone).group(1)
    assert page_cache.CSRF_HOLE not in on_laptop
    response = laptop.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_the_scripts_carry_the_nonce_of_the_header(patient_client, content):
    get(patient_client, "/")
    response = patient_client.get("/")
    page = response.content.decode()
    nonces = set(NONCE.findall(page))
    assert len(nonces) == 1
    assert f"'nonce-{nonces.pop()}'" in parse_csp(response["Content-Security-Policy"])["script-src"]


def test_a_form_token_is_new_each_time_the_form_is_shown(patient_client, content):
    """Two sessions logged from two showings of the log must not count as one sent twice."""
    first, _ = get(patient_client, "/progress/log/")
    second, queries = get(patient_client, "/progress/log/")
    assert queries == 1
    assert TOKEN.search(first).group(1) != TOKEN.search(second).group(1)


def test_a_flash_message_is_shown_once_and_never_kept(patient_client, content):
    patient_client.post("/progress/reminder/", {"enabled": "", "hour": "18"})
    with_message, _ = get(patient_client, "/progress/")
    after, _ = get(patient_client, "/progress/")
    again, queries = get(patient_client, "/progress/")
    messages = re.compile(r'<p class="message message--')
    assert not messages.search(after) and not messages.search(again)
    assert queries == 1


def test_access_checks_run_before_a_kept_page(patient_client, clinician_client, content):
    get(patient_client, "/progress/")
    assert clinician_client.get("/progress/").status_code in (403, 404)
    patient_client.post("/accounts/logout/")
    assert patient_client.get("/progress/").status_code == 302


def test_a_guest_with_a_check_under_way_is_not_served_the_guests_copy(client, content):
    home, _ = get(client, "/screening/")
    kept, queries = get(client, "/screening/")
    # Every guest without a session: one copy.
    assert queries == 0 and without_request_parts(kept) == without_request_parts(home)
    client.post("/screening/new/")
    assert "sessionid" in client.cookies
    under_way, queries = get(client, "/screening/")
    assert queries > 0 and without_request_parts(under_way) != without_request_parts(home)


def test_a_new_day_is_a_new_page(patient_client, patient, content, monkeypatch):
    request = _request(patient, "/")
    today = page_cache.page_key(request)
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: tomorrow)
    assert page_cache.page_key(request) != today


def test_htmx_and_posts_are_never_kept(patient, content):
    assert page_cache.page_key(_request(patient, "/")) is not None
    htmx = _request(patient, "/")
    htmx.htmx = True
    assert page_cache.page_key(htmx) is None
    post = _request(patient, "/")
    post.method = "POST"
    assert page_cache.page_key(post) is None


def test_the_dashboard_is_audited_and_fresh_each_time(
    clinician_client, clinician, patient, content
):
    get(clinician_client, "/clinic/")
    page, _ = get(clinician_client, "/clinic/")
    views = AuditEvent.objects.filter(actor=clinician, object_ref="dashboard").count()
    assert views == 2  # the kept copy is audited too
    assert "Pain 9" not in page
    CheckInFactory(patient=patient, pain_average=9, pain_worst=9)
    page, _ = get(clinician_client, "/clinic/")
    assert page != _  # the patient's check-in changed the clinician's list


def test_a_review_is_kept_until_the_patient_or_the_clinician_changes_something(
    clinician_client, clinician, stranger_clinician_client, patient, content
):
    url = f"/clinic/patients/{patient.uuid}/"
    before, cold = get(clinician_client, url)
    _, warm = get(clinician_client, url)
    assert warm < cold
    # Every look is audited, the kept ones too; the access check runs before the kept page.
    assert AuditEvent.objects.filter(actor=clinician, object_ref="review").count() == 2
    assert stranger_clinician_client.get(url).status_code == 404
    SessionFactory(patient=patient, pain_during=8)
    page, queries = get(clinician_client, url)
    sessions = 'data-event="session"'
    assert queries > warm and page.count(sessions) == before.count(sessions) + 1


def test_a_reviews_month_fragment_is_kept_audited_and_fresh(
    clinician_client, clinician, stranger_clinician_client, patient, content
):
    month = timezone.localdate().strftime("%Y-%m")
    url = f"/clinic/patients/{patient.uuid}/?month={month}"
    htmx = {"HX-Request": "true", "HX-Target": "timeline"}

    before, cold = get(clinician_client, url, **htmx)
    again, warm = get(clinician_client, url, **htmx)
    assert warm < cold and again == before
    assert "<html" not in again  # the fragment, never the whole page kept for it
    whole, _ = get(clinician_client, url)
    assert "<html" in whole
    assert AuditEvent.objects.filter(actor=clinician, object_ref="review").count() == 3
    assert stranger_clinician_client.get(url, headers=htmx).status_code == 404
    SessionFactory(patient=patient, pain_during=8)
    after, queries = get(clinician_client, url, **htmx)
    sessions = 'data-event="session"'
    assert queries > warm and after.count(sessions) == before.count(sessions) + 1


# The wizards' steps: kept for a person with a check under way, until they answer.

WIZARDS = ["screening", "checklist"]
ITEM = re.compile(r'name="item" value="([^"]+)"')


def _first_step(client: Client, app: str) -> str:
    assert client.post(f"/{app}/new/").status_code == 302
    return f"/{app}/step/1/"


@pytest.mark.parametrize("app", WIZARDS)
def test_a_step_seen_again_is_kept_and_its_form_still_posts(patient, content, app):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(patient)
    start, _ = get(browser, f"/{app}/")
    token = CSRF.search(start).group(1)
    assert browser.post(f"/{app}/new/", {"csrfmiddlewaretoken": token}).status_code == 302
    first, cold = get(browser, f"/{app}/step/1/")
    again, warm = get(browser, f"/{app}/step/1/")
    assert warm == 1 < cold
    assert without_request_parts(again) == without_request_parts(first)
    assert page_cache.CSRF_HOLE not in again and page_cache.NONCE_HOLE not in again
    # The kept page's token is this browser's: the answer it posts is saved.
    data = {"csrfmiddlewaretoken": CSRF.search(again).group(1), "answer": "no", "note": ""}
    response = browser.post(f"/{app}/step/1/", {**data, "item": ITEM.search(again).group(1)})
    assert response.status_code == 302 and response.url == f"/{app}/step/2/"


@pytest.mark.parametrize("app", WIZARDS)
def test_a_new_answer_shows_on_the_next_look_at_the_step(patient_client, patient, content, app):
    url = _first_step(patient_client, app)
    page, _ = get(patient_client, url)
    get(patient_client, url)  # kept now
    assert checked(page) == []
    item = ITEM.search(page).group(1)
    answer = "no" if app == "screening" else "yes"
    patient_client.post(url, {"item": item, "answer": answer, "note": ""})
    page, queries = get(patient_client, url)
    assert queries > 2 and checked(page) == [answer]
    # Changed straight in the database, as the admin would.
    answers = Screening if app == "screening" else Run
    answers.objects.get(user=patient).answers.update(value="unsure")
    page, _ = get(patient_client, url)
    assert checked(page) == ["unsure"]


def test_an_emergency_answer_ends_the_check_on_the_next_look_at_a_kept_step(
    patient_client, patient, content
):
    _first_step(patient_client, "screening")
    first, _ = get(patient_client, "/screening/step/1/")
    get(patient_client, "/screening/step/2/")
    get(patient_client, "/screening/step/2/")  # kept now
    emergency = Question.objects.active().filter(level=Level.EMERGENCY).first()
    assert ITEM.search(first).group(1) == emergency.key
    patient_client.post("/screening/step/1/", {"item": emergency.key, "answer": "yes"})
    screening = Screening.objects.get(user=patient)
    assert screening.urgency == Urgency.EMERGENCY
    # Not the kept question: the gate, with the way to care first.
    response = patient_client.get("/screening/step/2/")
    assert response.status_code == 302
    assert response.url == screening.get_absolute_url() + "#next-steps"


@pytest.mark.parametrize("app", WIZARDS)
def test_a_kept_step_is_never_shown_to_someone_else(
    patient_client, other_patient_client, patient, other_patient, content, app
):
    url = _first_step(patient_client, app)
    page, _ = get(patient_client, url)
    patient_client.post(url, {"item": ITEM.search(page).group(1), "answer": "no"})
    mine, _ = get(patient_client, url)
    _, warm = get(patient_client, url)
    assert warm == 1 and checked(mine) == ["no"]
    # Someone else with no check under way is sent to the start, not shown this one.
    response = other_patient_client.get(url)
    assert response.status_code == 302 and response.url == f"/{app}/"
    _first_step(other_patient_client, app)
    theirs, queries = get(other_patient_client, url)
    assert queries > 2 and checked(theirs) == []
    assert page_cache.page_key(_request(patient, url), signed_in_only) != page_cache.page_key(
        _request(other_patient, url), signed_in_only
    )


@pytest.mark.parametrize("app", WIZARDS)
def test_a_guests_step_is_never_kept(client, content, app):
    url = _first_step(client, app)
    get(client, url)
    _, queries = get(client, url)
    assert queries > 0
    assert page_cache.page_key(_request(AnonymousUser(), url), signed_in_only) is None
