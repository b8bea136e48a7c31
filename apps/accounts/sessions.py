"""How long a sign-in lasts, and what a log-out leaves behind.

A signed-in session ends after `SESSION_IDLE_TIMEOUT` without a request, and in any case
`SESSION_ABSOLUTE_TIMEOUT` after logging in. "Remember me" at login makes the cookie outlive
the browser and lifts both limits to `SESSION_REMEMBER_AGE` from login, idle or not.
docs/security.md ("Sessions and passwords") describes the behaviour.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

Handler = Callable[[HttpRequest], HttpResponse]

LOGIN_AT = "backpain_login_at"
SEEN_AT = "backpain_seen_at"
# Last activity is written at most once a minute, so reading pages rarely writes the session.
SEEN_RESOLUTION = 60


def session_stamp(request: HttpRequest) -> None:
    """Record the moment of logging in (connected to `user_logged_in`)."""
    now = time.time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def is_remembered(request: HttpRequest) -> bool:
    """Whether the person ticked "Remember me" (allauth then gave the cookie an expiry)."""
    return not request.session.get_expire_at_browser_close()


def expiry_reason(request: HttpRequest, now: float) -> str | None:
    """Return why this signed-in session is over, or None while it may go on."""
    login_at = request.session.get(LOGIN_AT)
    seen_at = request.session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        # Signed in before these limits existed: start counting now.
        request.session[LOGIN_AT] = login_at or now
        request.session[SEEN_AT] = seen_at or now
        return None
    if is_remembered(request):
        if now - login_at > settings.SESSION_REMEMBER_AGE:
            days = settings.SESSION_REMEMBER_AGE // 86400
            return f"You were logged out because you logged in {days} days ago."
        return None
    if now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT:
        hours = settings.SESSION_ABSOLUTE_TIMEOUT // 3600
        return f"You were logged out because you logged in more than {hours} hours ago."
    if now - seen_at > settings.SESSION_IDLE_TIMEOUT:
        minutes = settings.SESSION_IDLE_TIMEOUT // 60
        return f"You were logged out after {minutes} minutes without activity."
    return None


def session_limits(get_response: Handler) -> Handler:
    """End sessions that outlived their limits; clear the browser's copy on log-out.

    A response that ends a sign-in on purpose (log out, account deleted) carries
    `Clear-Site-Data`, so nothing of the account stays in that browser. A session ended
    here for age does not: that response carries the message saying why.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        if signed_in:
            now = time.time()
            reason = expiry_reason(request, now)
            if reason:
                logout(request)
                messages.info(request, f"{reason} Please log in again.")
                signed_in = False
            elif now - request.session[SEEN_AT] >= SEEN_RESOLUTION:
                request.session[SEEN_AT] = now
        response = get_response(request)
        if signed_in and not request.user.is_authenticated:
            response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response

    return middleware
