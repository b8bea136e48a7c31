"""Helpers the exercise view tests share."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from django.test import Client
from django.utils import timezone

from apps.screening.models import Screening
from backpain.guest import SESSION_KEY
from tests.screening.factories import ScreeningFactory

# An internal note about the sources showing on a page ("the source gives no set time",
# "Source 002", "(source 1)", "the sources suggest").
RENDERED_NOTE = re.compile(
    r"source (gives|names|says) no|source 00[0-9]|\(source [0-9]|sources? suggest",
    re.IGNORECASE,
)


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def guest_screening(client: Client, **fields) -> Screening:
    """Give this client a guest id in its session and a completed screening under it."""
    session = client.session
    owner = uuid.UUID(session[SESSION_KEY]) if SESSION_KEY in session else uuid.uuid4()
    session[SESSION_KEY] = str(owner)
    session.save()
    return ScreeningFactory(guest_id=owner, user=None, **fields)
