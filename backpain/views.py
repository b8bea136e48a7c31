from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from apps.progress.today import today_context
from backpain.page_cache import kept_page

logger = logging.getLogger(__name__)


@require_safe
@kept_page
def home(request: HttpRequest) -> HttpResponse:
    """Today for a signed-in patient, the clinic for a clinician, what the app is for a guest."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    if request.user.is_clinician:
        return redirect("clinic:dashboard")
    return render(request, "progress/today.html", today_context(request, timezone.localdate()))


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer 200 when the database does, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Health check: the database does not answer.", exc_info=True)
        # Drop the broken connection so the next check reconnects from scratch.
        connection.close_if_unusable_or_obsolete()
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


# Django's own error views check the CSRF token first, which reads `request.POST` again:
# for a body that could not be parsed the first time, that raises once more and turns the
# 400 into a 500. These never read the body.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    # Without the request: a page that cannot fail on whatever broke this one.
    return HttpResponseServerError(loader.get_template("500.html").render())


@require_safe
def coming_soon(request: HttpRequest, title: str) -> HttpResponse:
    """Hold a stable URL for a part of the app that is still being built."""
    return render(request, "coming_soon.html", {"title": title})
