from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from whitenoise.middleware import WhiteNoiseMiddleware

Handler = Callable[[HttpRequest], HttpResponse]


def security_headers(get_response: Handler) -> Handler:
    """Add the headers Django has no setting for.

    Signed-in pages hold health data, so no browser or proxy may keep a copy.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response

    return middleware


class StaticFiles(WhiteNoiseMiddleware):
    """WhiteNoise, with hashed files cached for one year instead of its ten.

    A year is the longest lifetime caches are expected to honour; hashed names change
    with their content, so `immutable` is safe.
    """

    FOREVER = 365 * 24 * 60 * 60
