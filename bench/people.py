"""Signed-in sessions for the journey's patients: `people.py COUNT`, after bench/prepare.py.

The mixed journey (bench/journey.lua) is 50 people, so its patients must be many people too:
with one shared account every patient page would be kept after its first request, whoever
asked. This signs in the first COUNT of the bench clinician's caseload (each with a year of
check-ins and sessions) the way Django's test client does, straight into the session table
(they have no password to type), and prints JOURNEY_COOKIES, their cookies joined by "|".
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpain.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from apps.accounts.models import User  # noqa: E402


def cookies(count: int) -> list[str]:
    people = User.objects.filter(email__endswith="@bench-patients.example.com").order_by("email")
    found = []
    for person in people[:count]:
        client = Client()
        client.force_login(person)
        found.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    if len(found) < count:
        sys.exit(f"people.py: only {len(found)} caseload patients; run bench/prepare.py first")
    return found


if __name__ == "__main__":
    print(f"JOURNEY_COOKIES={shlex.quote('|'.join(cookies(int(sys.argv[1]))))}")
