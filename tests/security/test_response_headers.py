"""Permissions-Policy and CORP on every response, static files included; HSTS preload opt-in."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.test_settings import PRODUCTION_ENV, run_manage

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


PRINT_HSTS = "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD)"


def test_hsts_preload_is_off_unless_the_operator_opts_in():
    default = run_manage("shell", "-v0", "-c", PRINT_HSTS, env=PRODUCTION_ENV)
    opted_in = run_manage(
        "shell", "-v0", "-c", PRINT_HSTS, env={**PRODUCTION_ENV, "HSTS_PRELOAD": "true"}
    )

    assert default.stdout.strip() == "False", default.stderr
    assert opted_in.stdout.strip() == "True", opted_in.stderr


def test_the_deploy_check_passes_with_preload_opted_in():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={**PRODUCTION_ENV, "HSTS_PRELOAD": "true"},
    )

    assert result.returncode == 0, result.stdout + result.stderr
