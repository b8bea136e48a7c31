"""The content version behind the shared fragment cache (backpain/content_cache.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.template import engines
from django.test import RequestFactory

from backpain import content_cache

pytestmark = pytest.mark.django_db

FRAGMENT = engines["django"].from_string(
    '{% load cache %}{% cache None "probe" content_version using="content" %}'
    "{{ text }}{% endcache %}"
)


def render(text: str) -> str:
    return FRAGMENT.render({"text": text}, RequestFactory().get("/"))


def test_the_version_is_stable_until_bumped() -> None:
    first = content_cache.version()
    assert content_cache.version() == first
    bumped = content_cache.bump()
    assert bumped != first
    assert content_cache.version() == bumped


def test_a_lost_version_is_replaced_by_a_new_one() -> None:
    before = content_cache.version()
    caches["default"].delete(content_cache.KEY)
    content_cache.forget()
    after = content_cache.version()
    assert after != before
    assert content_cache.version() == after


def test_a_fragment_is_kept_until_the_content_changes() -> None:
    assert render("old") == "old"
    # Same version: the stored fragment, not the new context.
    assert render("new") == "old"
    content_cache.bump()
    assert render("new") == "new"


def test_load_content_bumps_the_version(django_capture_on_commit_callbacks) -> None:
    assert render("old") == "old"
    before = content_cache.version()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_content", verbosity=0)
    assert content_cache.version() != before
    assert render("new") == "new"


def test_another_process_sees_the_bump_within_the_check_interval(monkeypatch, settings) -> None:
    """Processes share the version through the database cache; each reads it again once
    CONTENT_VERSION_CHECK_SECONDS have passed since its last reading."""
    clock = [1000.0]
    monkeypatch.setattr(content_cache, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    render("old")
    # What `load_content` on another machine leaves behind: only the shared row changes.
    caches["default"].set(content_cache.KEY, "from-elsewhere", timeout=None)
    clock[0] += settings.CONTENT_VERSION_CHECK_SECONDS - 0.01
    assert render("new") == "old"
    clock[0] += 0.01
    assert render("new") == "new"
