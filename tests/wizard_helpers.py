"""What the screening's and the checklist's wizard tests share (backpain.wizard's views)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

HTMX = {"HX-Request": "true"}


def checked(html: str) -> list[str]:
    """Return the values of the selected radio buttons."""
    return re.findall(r'<input type="radio" name="answer" value="(\w+)"[^>]*\bchecked', html)


def answer_every_step(
    client: Client,
    app: str,
    keys: Iterable[str],
    answers: dict[str, str],
    default: str,
    **extra: str,
) -> HttpResponse:
    """Start a run of `app`'s wizard and answer every step through the views (`default`
    unless named in `answers`, plus any `extra` fields); return the last response, the
    redirect to the result."""
    client.post(reverse(f"{app}:new"))
    response = None
    for number, key in enumerate(keys, start=1):
        data = {"item": key, "answer": answers.get(key, default), **extra}
        response = client.post(reverse(f"{app}:step", args=[number]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    assert response is not None
    return response
