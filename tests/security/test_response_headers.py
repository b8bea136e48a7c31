"""Permissions-Policy and CORP on every response, static files included; HSTS preload opt-in."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.security.production import settings_for
from tests.test_settings import PRODUCTION_ENV

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"


@pytest.fixture
def static_client(settings) -> Client:
    """A client whose WhiteNoise serves from the finders, as `make dev` does."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    return Client()  # built after the settings: it loads the middleware on first use


def assert_headers(response) -> None:
    assert response["Permissions-Policy"] == PERMISSIONS_POLICY
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/", 200),
        ("/exercises/", 200),
        ("/healthz", 200),
        ("/plan/", 302),  # to the login page
        ("/no-such-page/", 404),
        ("/exercises/?q=%00", 400),  # refused before sessions and CSRF
    ],
)
def test_every_kind_of_response_carries_the_headers(content, url, status):
    response = Client(raise_request_exception=False).get(url)

    assert response.status_code == status
    assert_headers(response)


def test_signed_in_pages_carry_the_headers(patient_client):
    assert_headers(patient_client.get("/account/"))


@pytest.mark.parametrize("path", ["css/app.css", "js/app.js", "img/favicon.svg"])
def test_static_files_carry_the_headers(static_client, db, path):
    response = static_client.get(f"/static/{path}")

    assert response.status_code == 200
    assert response.__class__.__name__ == "WhiteNoiseFileResponse"
    assert_headers(response)


def test_an_https_redirect_carries_the_headers(db, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get("/")

    assert response.status_code == 301
    assert_headers(response)


def test_hsts_preload_is_off_unless_the_operator_opts_in(monkeypatch):
    default = settings_for(monkeypatch, PRODUCTION_ENV)
    opted_in = settings_for(monkeypatch, {**PRODUCTION_ENV, "HSTS_PRELOAD": "true"})

    assert default["SECURE_HSTS_SECONDS"] == 31536000
    assert default["SECURE_HSTS_PRELOAD"] is False
    # Django's reminder to preload is silenced only while preload is off.
    assert default["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]
    assert opted_in["SECURE_HSTS_PRELOAD"] is True
    assert opted_in["SILENCED_SYSTEM_CHECKS"] == []


def test_preload_needs_https_too(monkeypatch):
    env = {**PRODUCTION_ENV, "HTTPS": "false", "HSTS_PRELOAD": "true"}

    assert settings_for(monkeypatch, env)["SECURE_HSTS_PRELOAD"] is False
