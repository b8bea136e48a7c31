from __future__ import annotations

import codecs
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import get_resolver
from django.utils.cache import add_never_cache_headers
from django.utils.log import log_response
from whitenoise.middleware import WhiteNoiseMiddleware

Handler = Callable[[HttpRequest], HttpResponse]


# No page uses these; a script injected into one still cannot.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"


def security_headers(get_response: Handler) -> Handler:
    """Add the headers Django has no setting for, to every response (static files too).

    Signed-in pages hold health data, so no browser or proxy may keep a copy. A page that
    asked whether the care gate is closed (apps/screening/gate.py) says so in
    `X-Care-Gate`, so the service worker stops offering its offline copies of exercise
    pages while it is (static/js/sw.js).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        gate = getattr(request, "care_gate_state", None)
        if gate is not None:
            response.headers["X-Care-Gate"] = gate
        return response

    return middleware


def reject_bad_input(get_response: Handler) -> Handler:
    """Refuse, with the 400 page, what the app can neither decode nor store.

    PostgreSQL text cannot hold a NUL byte, so one in the path, the query or a form would
    fail as a 500 in the first query that used it; forms are read as UTF-8 only, and a
    body in another charset would fail in every later reader of `request.POST`. Checked
    once here, before sessions, CSRF or any view reads the request.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        problem = _bad_input(request)
        if problem is None:
            return get_response(request)
        response = get_resolver().resolve_error_handler(400)(request, BadRequest(problem))
        # One line, not the traceback raising BadRequest would log.
        log_response("Refused %s: %s", problem, request.path, response=response, request=request)
        return response

    return middleware


def _bad_input(request: HttpRequest) -> str | None:
    charset = request.content_params.get("charset")
    if charset is not None and _codec_name(charset) != "utf-8":
        return "a body that is not UTF-8"
    if "\x00" in request.path:
        return "a NUL byte in the path"
    if _has_nul(request.GET):
        return "a NUL byte in the query string"
    if _has_nul(request.COOKIES):
        return "a NUL byte in a cookie"
    if request.method == "POST" and _has_nul(request.POST):
        return "a NUL byte in the form"
    return None


def _codec_name(charset: str) -> str | None:
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return None


def _has_nul(data: QueryDict | dict[str, str]) -> bool:
    pairs = data.lists() if isinstance(data, QueryDict) else ((k, [v]) for k, v in data.items())
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in pairs)


class StaticFiles(WhiteNoiseMiddleware):
    """WhiteNoise, with hashed files cached for one year instead of its ten.

    A year is the longest lifetime caches are expected to honour; hashed names change
    with their content, so `immutable` is safe.
    """

    FOREVER = 365 * 24 * 60 * 60


def n_plus_one_check(get_response: Callable[[HttpRequest], HttpResponse]):
    """django-zeal around each request, in test runs only (see the end of the settings).

    Not around the admin's pages: they are Django's own, for staff, and a delete
    confirmation names every related row by its `__str__`, one lookup each by design.
    """
    from zeal import zeal_context

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/admin/"):
            return get_response(request)
        with zeal_context():
            return get_response(request)

    return middleware
