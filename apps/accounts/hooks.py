"""Find per-app hook modules (`content`, `demo`) through the app registry.

Commands in accounts call into the apps above it this way, so accounts itself imports
none of them (apps import only downwards).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    """Yield (app, module) for every project app that has a module called `name`."""
    for config in apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.{name}":
                raise
            continue
        yield config, module
