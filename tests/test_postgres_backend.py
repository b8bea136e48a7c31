"""The health check of a kept connection (backpain/postgres/base.py), against the real server.

An idle connection with nothing to read is taken without a round trip; one the server ended
is found out and replaced before a request uses it.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

from apps.accounts.models import User
from backpain.postgres.base import _quiet

pytestmark = pytest.mark.django_db(transaction=True)


def backend_pid() -> int:
    connection.ensure_connection()
    return connection.connection.info.backend_pid


def _url() -> str:
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def start_of_request() -> None:
    """What Django does when a request starts (`close_old_connections`)."""
    connection.close_if_unusable_or_obsolete()


def test_an_idle_live_connection_is_kept_without_asking_the_server() -> None:
    pid = backend_pid()
    assert _quiet(connection.connection)
    with psycopg.connect(_url(), autocommit=True) as other:
        before = other.execute(
            "SELECT state_change FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()[0]
        start_of_request()
        connection.close_if_health_check_failed()  # what the request's first query runs
        after = other.execute(
            "SELECT state_change FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()[0]
    assert connection.health_check_done
    assert after == before  # no statement reached the server: it never left "idle"
    assert backend_pid() == pid


def test_a_connection_the_server_ended_is_replaced_before_use() -> None:
    pid = backend_pid()
    with psycopg.connect(_url(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while _quiet(connection.connection) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _quiet(connection.connection)  # the server's goodbye arrived
    start_of_request()
    assert User.objects.count() >= 0  # no error: a new connection answered
    assert backend_pid() != pid


def test_a_connection_inside_a_transaction_is_asked(django_db_blocker) -> None:
    connection.ensure_connection()
    connection.set_autocommit(False)
    try:
        User.objects.exists()
        assert not _quiet(connection.connection)
    finally:
        connection.rollback()
        connection.set_autocommit(True)
