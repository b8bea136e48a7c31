from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def patient_required(view: View) -> View:
    """Let only patients in; anyone else gets a 404, as for another person's data.

    Goes after @login_required, so anonymous people are sent to log in first.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_patient:
            raise Http404("This page is for patients.")
        return view(request, *args, **kwargs)

    return wrapper
