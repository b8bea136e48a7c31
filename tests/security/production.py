"""Read backpain/settings.py as a process with a given environment would, in this process."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest

SETTINGS = Path(__file__).resolve().parents[2] / "backpain" / "settings.py"
# Everything settings.py reads that a test may want absent.
READ = [
    "DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "HTTPS",
    "BEHIND_PROXY", "EMAIL_BACKEND", "SITE_URL", "HSTS_PRELOAD", "LOG_LEVEL",
]  # fmt: skip


def settings_for(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict[str, Any]:
    """Return the settings module's names as `env` (and nothing else of ours) makes them."""
    for name in READ:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))
