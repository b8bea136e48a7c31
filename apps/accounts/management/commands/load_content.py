from __future__ import annotations

from graphlib import TopologicalSorter
from types import ModuleType
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.hooks import app_modules
from backpain import content_cache


def content_modules() -> dict[str, ModuleType]:
    """Return each app's `content` module by app label, in the order they must load.

    A module lists the labels whose content it needs in `AFTER` (the checklist links
    exercises, so it has AFTER = ("exercises",)); the rest keep INSTALLED_APPS order.
    """
    modules = {config.label: module for config, module in app_modules("content")}
    graph = TopologicalSorter({label: getattr(m, "AFTER", ()) for label, m in modules.items()})
    return {label: modules[label] for label in graph.static_order()}


class Command(BaseCommand):
    help = (
        "Load the content in fixtures/ (exercises, red-flag questions, checklist items). "
        "Idempotent: rows are matched by key and updated in place."
    )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        for label, module in content_modules().items():
            summary = module.load()
            if options["verbosity"] > 0:
                self.stdout.write(f"{label}: {summary}")
        # Once the new content is committed, every process drops what it rendered from the old.
        transaction.on_commit(content_cache.bump)
