"""How long a sign-in lasts, what log-out clears, and the cookies that carry it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from apps.accounts.models import User
from apps.accounts.sessions import LOGIN_AT, SEEN_AT
from tests.factories import PASSWORD
from tests.test_settings import PRODUCTION_ENV, run_manage

ROOT = Path(__file__).resolve().parent.parent.parent
MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def move_back(client: Client, **seconds: int) -> None:
    """Move the session's login and last-activity times into the past."""
    session = client.session
    for key, name in ((LOGIN_AT, "login"), (SEEN_AT, "seen")):
        session[key] -= seconds.get(name, 0)
    session.save()


def signed_in(client: Client) -> bool:
    response = client.get("/account/")
    return response.status_code == 200


def log_in(client: Client, email: str, *, remember: bool):
    data = {"login": email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    return client.post("/accounts/login/", data)


def test_an_idle_session_ends_after_30_minutes(patient_client):
    move_back(patient_client, login=31 * MINUTE, seen=31 * MINUTE)

    response = patient_client.get("/account/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in patient_client.session
    page = patient_client.get(response["Location"]).content.decode()
    assert "logged out after 30 minutes without activity" in page


def test_activity_keeps_the_session_going(patient_client):
    move_back(patient_client, login=2 * HOUR, seen=29 * MINUTE)
    assert signed_in(patient_client)

    # That request counted as activity: 29 minutes more of quiet is still fine.
    move_back(patient_client, login=29 * MINUTE, seen=29 * MINUTE)

    assert signed_in(patient_client)


def test_a_busy_session_still_ends_12_hours_after_login(patient_client):
    move_back(patient_client, login=12 * HOUR - MINUTE)
    assert signed_in(patient_client)

    move_back(patient_client, login=2 * MINUTE)

    assert not signed_in(patient_client)
    assert "_auth_user_id" not in patient_client.session


def test_without_remember_me_the_cookie_dies_with_the_browser(client, patient):
    response = log_in(client, patient.email, remember=False)

    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    move_back(client, login=12 * HOUR + 1)
    assert not signed_in(client)


def test_remember_me_keeps_you_signed_in_for_14_days_idle_or_not(client, patient):
    response = log_in(client, patient.email, remember=True)

    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 14 * DAY
    move_back(client, login=13 * DAY, seen=3 * DAY)
    assert signed_in(client)

    move_back(client, login=DAY + 1)

    assert not signed_in(client)


def test_the_login_form_offers_remember_me(client, db):
    body = client.get("/accounts/login/").content.decode()

    assert 'type="checkbox" name="remember"' in body


def test_logging_out_clears_the_site_data(patient_client):
    response = patient_client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert "_auth_user_id" not in patient_client.session


def test_deleting_the_account_clears_the_site_data(patient, patient_client):
    response = patient_client.post("/account/delete/", {"password": PASSWORD, "confirm": "on"})

    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not User.objects.filter(pk=patient.pk).exists()


def test_ordinary_pages_and_the_logout_question_clear_nothing(patient_client):
    assert "Clear-Site-Data" not in patient_client.get("/account/")
    assert "Clear-Site-Data" not in patient_client.get("/accounts/logout/")


def test_the_csrf_cookie_is_http_only_and_htmx_posts_with_the_page_token(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)

    page = client.get("/account/")
    token = json.loads(re.search(r"hx-headers='([^']+)'", page.content.decode())[1])
    response = client.post("/accounts/logout/", headers={"X-CSRFToken": token["x-csrftoken"]})

    assert page.cookies[settings.CSRF_COOKIE_NAME]["httponly"] is True
    assert response.status_code == 302


def test_no_script_reads_cookies():
    # The two ways a page or a worker can read cookies; comments may still talk about them.
    for script in (ROOT / "static" / "js").glob("*.js"):
        text = script.read_text()
        assert "document.cookie" not in text, script.name
        assert "cookieStore" not in text, script.name


COOKIE_SETTINGS = (
    "from django.conf import settings as s; import json; print(json.dumps({n: getattr(s, n) for n"
    " in ['SESSION_COOKIE_NAME', 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_PATH',"
    " 'SESSION_COOKIE_DOMAIN', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_NAME',"
    " 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_PATH', 'CSRF_COOKIE_DOMAIN', 'CSRF_COOKIE_HTTPONLY']}))"
)


def test_production_cookies_use_the_host_prefix():
    result = run_manage("shell", "-v0", "-c", COOKIE_SETTINGS, env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_PATH": "/",
        "SESSION_COOKIE_DOMAIN": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_PATH": "/",
        "CSRF_COOKIE_DOMAIN": None,
        "CSRF_COOKIE_HTTPONLY": True,
    }


def test_plain_http_keeps_plain_cookie_names():
    # Browsers refuse __Host- cookies without TLS; the tests run as `make run` does, on http.
    assert not settings.HTTPS
    assert settings.SESSION_COOKIE_NAME == "sessionid"
    assert settings.CSRF_COOKIE_NAME == "csrftoken"


@pytest.mark.parametrize("url", ["/", "/exercises/", "/exercises/cat-cow/"])
def test_a_guest_reading_pages_gets_no_csrf_cookie(content, url):
    # A token would be made afresh for every cookie-less visit, and they post nothing here.
    response = Client().get(url)
    assert response.status_code == 200
    assert settings.CSRF_COOKIE_NAME not in response.cookies
    assert "x-csrftoken" not in response.content.decode()


def test_a_guest_form_still_carries_its_token(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/screening/")
    assert settings.CSRF_COOKIE_NAME in page.cookies
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
