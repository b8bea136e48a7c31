"""Whole pages kept for one person until their data changes (docs/performance.md, "Kept pages").

A page a person has just seen is shown again without running its view as long as nothing
it shows could have changed. The key of a kept page says exactly that:

- **who**: the signed-in person's id and `data_version`, which PostgreSQL triggers raise
  in the same transaction as any write to their rows (apps/accounts/data_version.py), so the
  very next request after a change misses. A guest without a session cookie shares the one
  guest copy: such a guest has nothing of their own to see. A guest with a session (a check
  under way) is never served a kept page.
- **what else it depends on**: the content version (exercise texts), today's date (what
  "today" and "this week" mean), the full path with its query, and whatever a view adds
  (the clinic adds its patients' versions).

A kept page lives at most `PAGE_CACHE_SECONDS` (60) in the process that rendered it, so
what changes with the clock alone (a session's edit window closing) is at most that late.
Each process keeps its own (`pages` LocMem cache): a hit costs no query beyond the one read
of the session and its user that every signed-in request makes anyway.

What differs between two requests of the same page is cut out before it is kept and put back
on the way out: the CSRF token (per browser, not per person) and the CSP nonce. A page is
not kept when it is not a plain 200 HTML answer to a GET, when it came with a flash message,
for htmx requests (their fragments depend on headers; a view that draws one fragment, chosen
by its caller, may be kept as such), or when the view wrote to the session.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from backpain import content_cache

View = Callable[..., HttpResponse]
# Extra parts of a key, from the view's own arguments (None: do not keep this page at all).
Vary = Callable[..., str | None]

CSRF_HOLE = "\x00csrf\x00"
NONCE_HOLE = "\x00nonce\x00"
TOKEN_HOLE = "\x00token\x00"
# A form's once-only token (backpain/once.py): a fresh one each time the form is shown, or two
# sessions logged from two showings of the page would count as one sent twice.
TOKEN = re.compile(r'(name="client_token" value=")[0-9a-f-]{36}"')
TOKEN_FIELD = 'name="client_token"'
KEPT_HEADERS = ("Content-Type", "Cache-Control", "Expires", "Vary")


def page_csrf_token(request: HttpRequest) -> str:
    """One masked CSRF token per request, remembered so a kept page can cut it out."""
    token = getattr(request, "_page_csrf_token", None)
    if token is None:
        token = request._page_csrf_token = get_token(request)  # type: ignore[attr-defined]
    return token


def csrf(request: HttpRequest) -> dict[str, Any]:
    """Context processor: Django's `csrf_token`, through `page_csrf_token`."""
    return {"csrf_token": SimpleLazyObject(lambda: page_csrf_token(request))}


def _who(request: HttpRequest) -> str | None:
    user = request.user
    if user.is_authenticated:
        return f"u{user.pk}.{user.data_version}"
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    return "guest"


def page_key(
    request: HttpRequest,
    vary: Vary | None = None,
    *args: Any,
    fragment: bool = False,
    **kwargs: Any,
) -> str | None:
    """The kept page's key for this request, or None when it must be rendered afresh.

    `fragment`: the view draws one htmx fragment, chosen by its caller from the request's
    headers; its key says so, as the same path's whole page is another answer.
    """
    if request.method != "GET" or bool(getattr(request, "htmx", False)) != fragment:
        return None
    who = _who(request)
    if who is None or len(messages.get_messages(request)):
        return None
    extra = vary(request, *args, **kwargs) if vary else ""
    if extra is None:
        return None
    parts = (
        "fragment" if fragment else "page",
        who,
        content_cache.version(),
        timezone.localdate().isoformat(),
        request.get_full_path(),
        extra,
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _keepable(request: HttpRequest, response: HttpResponse, session_written: bool) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and not response.cookies
        and not session_written
        and not messages.get_messages(request)._queued_messages  # type: ignore[attr-defined]
    )


# A kept page: its bytes between the holes, and each hole's name (a str) where it was.
Pieces = list[bytes | str]
HOLES = re.compile(f"({CSRF_HOLE}|{NONCE_HOLE}|{TOKEN_HOLE})")


def _with_holes(request: HttpRequest, html: str) -> Pieces | None:
    """The page without what belongs to this request alone, or None if it cannot be cut out."""
    html, tokens = TOKEN.subn(rf'\1{TOKEN_HOLE}"', html)
    if tokens != html.count(TOKEN_FIELD):
        return None  # a token written some other way: never hand the same one out twice
    token = getattr(request, "_page_csrf_token", None)
    if token:
        html = html.replace(token, CSRF_HOLE)
    nonce = getattr(request, "_csp_nonce", None)
    if isinstance(nonce, str):
        html = html.replace(nonce, NONCE_HOLE)
    # Split once here, so a kept page is served by joining bytes, not by searching the page.
    return [piece if n % 2 else piece.encode() for n, piece in enumerate(HOLES.split(html))]


def _filled(request: HttpRequest, pieces: Pieces) -> bytes:
    fills = {
        CSRF_HOLE: lambda: page_csrf_token(request).encode(),
        NONCE_HOLE: lambda: str(request.csp_nonce).encode(),  # type: ignore[attr-defined]
        TOKEN_HOLE: lambda: str(uuid.uuid4()).encode(),
    }
    return b"".join(fills[piece]() if isinstance(piece, str) else piece for piece in pieces)


def kept_page(view: View | None = None, *, vary: Vary | None = None, fragment: bool = False) -> Any:
    """Keep the view's page per person (see the module). Put it below the access checks
    (`login_required`, `patient_required`), so they run on every request, kept or not.
    `fragment=True` for a view that only ever answers an htmx request (see `page_key`)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            key = page_key(request, vary, *args, fragment=fragment, **kwargs)
            if key is None:
                return view(request, *args, **kwargs)
            pages = caches["pages"]
            kept = pages.get(key)
            if kept is not None:
                pieces, headers = kept
                return HttpResponse(_filled(request, pieces), headers=headers)
            session = getattr(request, "session", None)
            modified_before = session.modified if session is not None else False
            response = view(request, *args, **kwargs)
            session_written = session is not None and session.modified and not modified_before
            if _keepable(request, response, session_written):
                pieces = _with_holes(request, response.content.decode(response.charset))
                if pieces is not None:
                    headers = {h: response[h] for h in KEPT_HEADERS if h in response}
                    pages.set(key, (pieces, headers), settings.PAGE_CACHE_SECONDS)
            return response

        return wrapper

    return decorate(view) if view is not None else decorate
