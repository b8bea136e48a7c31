"""E-mails go nowhere but to their recipient; logs hold no reset key and no row values."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core import mail
from django.core.checks import ERROR, run_checks
from django.db import IntegrityError, connection, transaction
from django.test import Client

from apps.progress.models import Reminder
from backpain import checks
from backpain.logs import Redact
from backpain.mail import NotConfiguredEmailBackend
from tests.security.production import settings_for
from tests.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
# Variables this file sets itself: a value in the caller's environment must not leak in.
OWN_VARIABLES = {"DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "HTTPS", "EMAIL_BACKEND", "SITE_URL"}


def clean_environ(**env: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if k not in OWN_VARIABLES}
    return {**inherited, "DJANGO_SETTINGS_MODULE": "backpain.settings", **env}


# ---- the e-mail backend in production ---------------------------------------------------


def test_production_defaults_to_sending_nothing_rather_than_printing(monkeypatch):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_BACKEND"}

    assert settings_for(monkeypatch, env)["EMAIL_BACKEND"] == checks.NOT_CONFIGURED
    assert settings_for(monkeypatch, {"DEBUG": "true"})["EMAIL_BACKEND"] == CONSOLE


@pytest.mark.parametrize(
    ("backend", "expected"),
    [(checks.NOT_CONFIGURED, "backpain.E001"), (CONSOLE, "backpain.E002")],
)
def test_the_deploy_check_fails_without_a_real_backend(settings, backend, expected):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = backend

    errors = run_checks(include_deployment_checks=True)

    assert expected in [error.id for error in errors if error.level >= ERROR]


@pytest.mark.parametrize(
    ("debug", "backend", "expected"),
    [
        (False, "backpain.mail.NotConfiguredEmailBackend", ["backpain.E001"]),
        (False, CONSOLE, ["backpain.E002"]),
        (False, "django.core.mail.backends.locmem.EmailBackend", ["backpain.E002"]),
        (False, SMTP, []),
        (True, CONSOLE, []),  # make dev
    ],
)
def test_the_email_check(settings, debug, backend, expected):
    settings.DEBUG = debug
    settings.EMAIL_BACKEND = backend

    assert [error.id for error in checks.check_email_backend(None)] == expected


@pytest.mark.parametrize(
    ("site_url", "ssl", "ok"),
    [
        ("https://backpain.example.org", True, True),
        ("http://127.0.0.1:8000", True, False),  # the default, left in production
        ("http://backpain.example.org", True, False),
        ("https://elsewhere.example.org", True, False),
        ("http://backpain.example.org:8000", False, True),
    ],
)
def test_the_site_url_check(settings, site_url, ssl, ok):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["backpain.example.org"]
    settings.SECURE_SSL_REDIRECT = ssl
    settings.SITE_URL = site_url

    assert [e.id for e in checks.check_site_url(None)] == ([] if ok else ["backpain.E003"])


def test_the_unconfigured_backend_sends_nothing_and_logs_no_content(caplog):
    message = mail.EmailMessage(
        "Reset your password", "https://x/accounts/password/reset/key/1-abc/", to=["a@b.org"]
    )

    with caplog.at_level(logging.ERROR):
        sent = NotConfiguredEmailBackend().send_messages([message])

    assert sent == 0
    assert "not sent" in caplog.text
    assert "abc" not in caplog.text and "a@b.org" not in caplog.text
    assert "Reset" not in caplog.text


def test_make_run_names_its_demo_backend_and_the_gunicorn_config():
    recipe = (ROOT / "Makefile").read_text().split("\nrun:")[1].split("\n\n")[0]

    assert f"EMAIL_BACKEND={CONSOLE}" in recipe
    assert "-c backpain/gunicorn.conf.py" in recipe


# ---- links in e-mails come from SITE_URL -------------------------------------------------


@pytest.fixture
def forged_host(settings) -> Client:
    settings.SITE_URL = "https://backpain.example.org"
    settings.ALLOWED_HOSTS = ["backpain.example.org", "attacker.example"]
    return Client(HTTP_HOST="attacker.example")


def test_the_reset_link_is_built_from_site_url_not_the_host_header(forged_host, patient):
    forged_host.post("/accounts/password/reset/", {"email": patient.email})

    [message] = mail.outbox
    assert "https://backpain.example.org/accounts/password/reset/key/" in message.body
    assert "attacker.example" not in message.body


def test_the_confirmation_link_is_built_from_site_url_not_the_host_header(forged_host, db):
    password = "a-long-enough-pass-9"
    forged_host.post(
        "/accounts/signup/",
        {"email": "new@example.org", "password1": password, "password2": password},
    )

    bodies = "\n".join(message.body for message in mail.outbox)
    assert "https://backpain.example.org/accounts/confirm-email/" in bodies
    assert "attacker.example" not in bodies


# ---- what Django's log lets through ------------------------------------------------------


@contextmanager
def captured_console():
    """The configured console handler (the one with the redacting filter), writing to a buffer."""
    [handler] = [
        h for h in logging.getLogger().handlers if any(isinstance(f, Redact) for f in h.filters)
    ]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def test_a_logged_database_error_names_the_constraint_but_no_user_id(patient):
    Reminder.objects.create(patient=patient)
    with captured_console() as log:
        try:
            with transaction.atomic():
                Reminder.objects.create(patient=patient)
        except IntegrityError:
            logging.getLogger("django.request").exception("Internal Server Error: %s", "/x/")

    text = log.getvalue()
    assert "progress_reminder_patient_id_key" in text
    assert "DETAIL:  [redacted]" in text
    assert f"=({patient.pk})" not in text and "Key (" not in text


def test_a_failed_check_constraint_logs_no_row(patient):
    reminder = Reminder.objects.create(patient=patient)
    with captured_console() as log:
        try:
            with transaction.atomic():
                Reminder.objects.filter(pk=reminder.pk).update(weekday=9)
        except IntegrityError:
            logging.getLogger("django.request").exception("Internal Server Error")

    assert "reminder_weekday_valid" in log.getvalue()
    assert "Failing row" not in log.getvalue()


def test_a_reset_key_in_a_logged_path_is_redacted(db):
    with captured_console() as log:
        response = Client().get("/accounts/password/reset/key/1-s3cr3t-key%00/")

    assert response.status_code == 400
    assert "/accounts/password/reset/key/[redacted]" in log.getvalue()
    assert "s3cr3t" not in log.getvalue()


def test_a_calendar_feed_secret_in_a_logged_path_is_redacted(db):
    with captured_console() as log:
        response = Client().get("/calendar/c4l-s3cr3t-token.ics")

    assert response.status_code == 404
    assert "/calendar/[redacted]" in log.getvalue()
    assert "s3cr3t" not in log.getvalue()


def test_queries_and_their_parameters_are_not_logged_even_at_debug():
    code = "import logging; print(logging.getLogger('django.db.backends').getEffectiveLevel())"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v0", "-c", code],
        cwd=ROOT, env=clean_environ(**PRODUCTION_ENV, LOG_LEVEL="DEBUG"),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert int(result.stdout.strip()) >= logging.INFO, result.stderr


# ---- gunicorn's access log ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, **headers: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10):
            return 200
    except urllib.error.HTTPError as error:
        return error.code


def test_gunicorns_access_log_has_no_reset_key_or_calendar_secret(db):
    port = free_port()
    database = connection.settings_dict
    env = clean_environ(
        DEBUG="false",
        SECRET_KEY="k" * 50,
        EMAIL_BACKEND=CONSOLE,
        DATABASE_URL=(
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "backpain.wsgi", "-c", "backpain/gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--access-logfile", "-"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        fetch(f"{base}/accounts/password/reset/key/1-first-s3cret/?next=/")
        fetch(f"{base}/", Referer=f"{base}/accounts/password/reset/key/2-second-s3cret/")
        fetch(f"{base}/calendar/third-s3cret.ics")
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    requests = [line for line in output.splitlines() if '"GET ' in line]
    assert len(requests) == 3, output
    assert "/accounts/password/reset/key/[redacted]" in requests[0]
    assert "/calendar/[redacted]" in requests[2]
    assert "s3cret" not in output
