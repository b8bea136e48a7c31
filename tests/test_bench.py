"""The benchmark's bare view (bench/run.sh) is served only when BENCH_BARE_VIEW is set."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import backpain.urls


@pytest.fixture
def bench_urls() -> Iterator[None]:
    with override_settings(BENCH_BARE_VIEW=True):
        importlib.reload(backpain.urls)
        clear_url_caches()
        yield
    importlib.reload(backpain.urls)
    clear_url_caches()


def test_the_bare_view_is_absent_by_default(client, db):
    assert client.get("/bench/bare/").status_code == 404


def test_the_bare_view_renders_through_the_middleware_when_enabled(client, db, bench_urls):
    response = client.get("/bench/bare/")

    assert response.status_code == 200
    assert b"Hello, bench." in response.content
    # The same middleware as every page: its security headers are on the bare page too.
    assert "Content-Security-Policy" in response
    assert response["X-Frame-Options"] == "DENY"
