"""What other apps ask the screening: is the way to exercise open, and is a check due?

Every page that starts exercise calls `care_gate` and shows `templates/screening/_gate.html`
first, with its start controls off, while it returns a screening; the weekly check-in calls
`screening_is_stale` to offer a new screening; the checklist result asks
`bone_density_caution_for` whether to stress the bone-density cautions.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from .models import Screening


def latest_screening(user: AbstractBaseUser | AnonymousUser) -> Screening | None:
    """Return the person's most recent completed screening, if any."""
    if not user.is_authenticated:
        return None
    return Screening.objects.filter(user=user).latest_completed_first().first()


def care_gate(request: HttpRequest) -> Screening | None:
    """Return the screening that closes the way to exercise, or None when it is open.

    The way is closed while this person (their account, or as a guest this browser) has an
    emergency result, from a full check or a weekly re-check, that they have not confirmed
    seeking care for. Every page that starts exercise (plan, log, exercise pages, timer,
    routine player) asks this before offering a start control.

    The answer is also noted on the request; the response then carries it in `X-Care-Gate`
    (closed if any check in this request found the gate closed).
    """
    gate = Screening.objects.care_gate(request)
    note_care_gate(request, closed=gate is not None)
    return gate


def latest_and_gate(request: HttpRequest) -> tuple[Screening | None, Screening | None]:
    """Return `latest_screening` of this person and `care_gate(request)`, in one query.

    For a guest, the latest is their browser's, as the gate's is. The gate's state is noted
    on the request as `care_gate` notes it.
    """
    latest, gate = Screening.objects.latest_and_gate(request)
    note_care_gate(request, closed=gate is not None)
    return latest, gate


def note_care_gate(request: HttpRequest, *, closed: bool) -> None:
    """Mark the response to this request with the gate's state (see backpain/middleware.py).

    The service worker keeps offline copies of exercise pages; it drops them and stops
    offering them while a response says the gate is closed, so an offline copy never
    opens a way the server keeps closed.
    """
    already_closed = getattr(request, "care_gate_state", None) == "closed"
    request.care_gate_state = "closed" if closed or already_closed else "open"  # type: ignore[attr-defined]


def screening_is_stale(user: AbstractBaseUser | AnonymousUser, days: int = 7) -> bool:
    """Return True when the person has no completed screening from the last `days` days."""
    latest = latest_screening(user)
    if latest is None or latest.completed_at is None:
        return True
    return latest.completed_at < timezone.now() - timedelta(days=days)


def bone_density_caution_for(request: HttpRequest) -> bool:
    """Return True when this person's latest completed screening (their account's, or as a
    guest this browser's) raised the low-bone-density caution."""
    latest = Screening.objects.for_request(request).latest_completed_first()
    if latest.query.is_empty():  # a guest who has never started a check
        return False
    return bool(latest.values_list("bone_density_caution", flat=True).first())
