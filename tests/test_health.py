from __future__ import annotations

import socket

import pytest
from django.db import connection


def test_it_answers_ok_when_the_database_does(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_it_answers_503_when_postgres_is_down(client):
    # Point the connection at a port where no PostgreSQL listens: the server is "down".
    real = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(real)

    assert response.status_code == 503
    assert b"database unavailable" in response.content
    # And it recovers once the database is back.
    assert client.get("/healthz").status_code == 200
