from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Load the content in fixtures/ (exercises, red-flag questions, checklist items). "
        "Idempotent: rows are matched by key and updated in place."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        # Each app that owns content has a `content` module with load() -> str; finding
        # them through the app registry keeps accounts from importing the apps above it.
        for config in apps.get_app_configs():
            if not config.name.startswith("apps."):
                continue
            try:
                module = importlib.import_module(f"{config.name}.content")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.content":
                    raise
                continue
            summary = module.load()
            if options["verbosity"] > 0:
                self.stdout.write(f"{config.label}: {summary}")
