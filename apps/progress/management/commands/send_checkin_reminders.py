from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.progress.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "E-mail today's reminders: exercise days and the weekly check-in, once the hour each "
        "patient chose has come, at most one e-mail a day each. Safe to run as often as every "
        "15 minutes from cron; links point at SITE_URL."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders_send(now=timezone.now())
        if options["verbosity"] > 0:
            self.stdout.write(f"Sent {sent} reminder{'s' if sent != 1 else ''}.")
