from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.clinic.alerts import patients_to_refresh, refresh_for


class Command(BaseCommand):
    help = (
        "Raise the alerts due for every patient who shares with a clinician (a quiet spell of "
        "14 days is only noticed here). Run it once a day from cron or any scheduler; running "
        "it again raises nothing twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        raised = sum(len(refresh_for(patient)) for patient in patients_to_refresh())
        if options["verbosity"] > 0:
            self.stdout.write(f"Raised {raised} new alert{'s' if raised != 1 else ''}.")
