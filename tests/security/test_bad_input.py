"""Bytes the app cannot decode or store are a 400 with the project's page, never a 500."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.exceptions import BadRequest
from django.test import Client, RequestFactory
from django.urls import get_resolver

PAGE = "We could not read that request"
FORM = "application/x-www-form-urlencoded"


def assert_project_400(response) -> None:
    assert response.status_code == 400
    assert PAGE in response.content.decode()


@pytest.fixture
def client(db) -> Client:
    # A 500 comes back as a response, as a browser would see it, not as an exception.
    return Client(raise_request_exception=False)


@pytest.fixture
def csrf_client(db) -> tuple[Client, str]:
    """A client that passes CSRF checks the way a browser does: cookie plus token."""
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    client.get("/accounts/login/")
    return client, client.cookies[settings.CSRF_COOKIE_NAME].value


@pytest.mark.parametrize(
    "url",
    [
        "/exercises/routine/?items=%00",
        "/exercises/routine/?items=plank,%00",
        "/exercises/?q=%00",
        "/screening/?next=%00",
        "/accounts/login/?next=/%00",
        "/?%00=1",
    ],
)
def test_a_nul_byte_in_the_query_is_a_400(client, content, url):
    assert_project_400(client.get(url))


@pytest.mark.parametrize(
    "url", ["/exercises/%00/", "/%00", "/clinic/patients/%00/", "/accounts/password/reset/key/%00/"]
)
def test_a_nul_byte_in_the_path_is_a_400(client, url):
    assert_project_400(client.get(url))


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/login/", {"login": "pat@example.org\x00", "password": "x"}),
        ("/accounts/signup/", {"email": "a@example.org", "password1": "\x00" * 20}),
        ("/progress/reminder/", {"enabled": "on", "weekday": "1\x00"}),
        ("/progress/check-in/", {"note\x00": "x"}),
    ],
)
@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_nul_byte_in_a_form_is_a_400(client, patient, content, url, data, encoding):
    client.force_login(patient)
    if encoding == "urlencoded":
        response = client.post(url, urlencode(data), content_type=FORM)
    else:
        response = client.post(url, data)

    assert_project_400(response)


def test_a_nul_byte_in_a_cookie_is_a_400(client):
    # http.cookies reads the octal escape \000 inside quotes as a NUL byte.
    assert_project_400(client.get("/", HTTP_COOKIE='sessionid="abcdefgh\\000ijkl"'))


@pytest.mark.parametrize("charset", ["utf-16", "latin-1", "no-such-charset", "utf8"])
@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/screening/new/"])
def test_a_form_in_another_charset_is_a_400(csrf_client, content, charset, url):
    client, token = csrf_client

    response = client.generic(
        "POST", url, b"login=a&password=b",
        content_type=f"{FORM}; charset={charset}", HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip

    assert_project_400(response)


@pytest.mark.parametrize("charset", ["utf-16", "no-such-charset"])
def test_a_multipart_body_in_another_charset_is_a_400(csrf_client, charset):
    client, token = csrf_client

    response = client.generic(
        "POST", "/accounts/login/", b"--x--\r\n",
        content_type=f"multipart/form-data; boundary=x; charset={charset}",
        HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip

    assert_project_400(response)


def test_utf_8_forms_still_work(patient, content):
    client = Client()
    client.force_login(patient)

    response = client.generic(
        "POST", "/progress/reminder/", b"enabled=on&weekday=2&hour=18",
        content_type=f"{FORM}; charset=UTF-8",
    )  # fmt: skip

    assert response.status_code == 302
    assert patient.reminder.weekday == 2


# ---- the error views themselves, for whatever the middleware does not catch -------------


def unreadable_post():
    """A POST whose body Django refuses to parse: every read of request.POST raises.

    It carries a well-formed CSRF cookie, so a CSRF check goes on to read the body.
    """
    request = RequestFactory().generic(
        "POST", "/accounts/login/", b"login=a", content_type=f"{FORM}; charset=utf-16",
        HTTP_COOKIE=f"{settings.CSRF_COOKIE_NAME}={'a' * 32}",
    )  # fmt: skip
    with pytest.raises(BadRequest):
        request.POST  # noqa: B018 - the read that raises
    return request


def test_the_400_view_never_reads_the_body(db):
    response = get_resolver().resolve_error_handler(400)(unreadable_post(), BadRequest())

    assert_project_400(response)


def test_the_500_view_never_reads_the_body(db):
    response = get_resolver().resolve_error_handler(500)(unreadable_post())

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_an_unreadable_body_past_the_middleware_is_a_400_not_a_500(csrf_client, settings):
    # Django's own 400 view checks the CSRF token, reads the body again and fails as a 500.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("reject_bad_input")]
    browser, token = csrf_client
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)  # new middleware
    client.cookies = browser.cookies

    response = client.generic(
        "POST", "/accounts/login/", b"login=a&password=b",
        content_type=f"{FORM}; charset=utf-16", HTTP_X_CSRFTOKEN=token,
    )  # fmt: skip

    assert_project_400(response)
