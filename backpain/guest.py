"""Guests: people who use the app without an account, known by a random id in their session.

The id is not the session key, because logging in cycles the session key; the random id
survives that, so what a guest started can be handed to the account they log in to.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.http import HttpRequest

SESSION_KEY = "guest_id"


def guest_id(request: HttpRequest, *, create: bool = False) -> uuid.UUID | None:
    """Return this browser session's guest id, making one first when `create` is set."""
    value = request.session.get(SESSION_KEY)
    if value:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass  # A damaged session value: treat it as absent and, if asked, replace it.
    if not create:
        return None
    new_id = uuid.uuid4()
    request.session[SESSION_KEY] = str(new_id)
    return new_id


def claim_guest_rows(
    request: HttpRequest | None, user: AbstractBaseUser, queryset: models.QuerySet
) -> int:
    """Give the rows this session made as a guest to `user`; return how many moved.

    Call it from a `user_logged_in` receiver (sign-up logs in too). Rows need a nullable
    `user` and a nullable `guest_id`; both change in one UPDATE, so a constraint that
    exactly one is set holds throughout. The session keeps its guest id, so every app's
    receiver sees it whatever order they run in.
    """
    if request is None or not hasattr(request, "session"):
        return 0
    # Only a patient's own account may own health answers: a clinician (or anyone else) who
    # answered as a guest in this browser must not receive them into their account.
    if not getattr(user, "is_patient", False):
        return 0
    owner = guest_id(request)
    if owner is None:
        return 0
    return queryset.filter(guest_id=owner, user__isnull=True).update(user=user, guest_id=None)
