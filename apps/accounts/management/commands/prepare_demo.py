from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate, create the cache table, load content and the demo accounts (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        # One process instead of four: Django starts once, which halves a warm `make run`.
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("load_content", verbosity=0)
        call_command("seed_demo", verbosity=0)
