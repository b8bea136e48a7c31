"""Fragment caching for content that is the same for everyone (docs/performance.md).

Rendered content (library cards, exercise pages, figures) is kept in each process's own
memory, the `content` cache, under a key that includes the content version. The version lives
in the shared `default` cache (the database), so `manage.py load_content` on any machine bumps
it once and every process of every instance stops using what it rendered before: a version is
a random token that never comes back, so an old fragment can never be served again. If the
version is ever lost (the database cache culled or cleared), the next reader makes a new one,
which only costs a re-render.

Only templates decide what goes in a fragment, with Django's own tag and the lazy
`content_version` every template has:

    {% load cache %}
    {% cache None "exercise-page" content_version exercise.slug using="content" %}...{% endcache %}

Nothing about a person may be inside such a block, or part of one person's page would be
shown to another; whatever varies (say, the bone-density flag) must be in the key, and only
if it is not personal data in itself but one of a few shared variants.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

KEY = "content-version"

# This process's last reading of the version and when it was made (time.monotonic()).
_seen: tuple[str, float] | None = None


def version() -> str:
    """The current content version, read from the shared cache at most once every
    CONTENT_VERSION_CHECK_SECONDS per process: a kept page (backpain/page_cache.py) would
    otherwise cost a database read for the version alone. A new release's content is shown
    by every process within that time of `load_content` committing."""
    global _seen
    now = time.monotonic()
    if _seen is not None and now - _seen[1] < settings.CONTENT_VERSION_CHECK_SECONDS:
        return _seen[0]
    current = _read()
    _seen = (current, now)
    return current


def forget() -> None:
    """Read the shared version again on next use (tests, and after a bump)."""
    global _seen
    _seen = None


def _read() -> str:
    shared = caches["default"]
    current = shared.get(KEY)
    if current is None:
        # add(), not set(): if two processes race here, both end up with the one that won.
        shared.add(KEY, uuid.uuid4().hex, timeout=None)
        current = shared.get(KEY)
    return current


def bump() -> str:
    """Start a new content version: every process's content fragments are out of date."""
    new = uuid.uuid4().hex
    caches["default"].set(KEY, new, timeout=None)
    forget()
    return new


def content_version(request: HttpRequest) -> dict[str, object]:
    """Context processor: `content_version`, read only by a page that has a content fragment."""
    return {"content_version": SimpleLazyObject(version)}
