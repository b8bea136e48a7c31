"""The notes a checklist result shows, read once from fixtures/checklist_notes.json.

Reviewed content, not data anyone edits, so it stays in the fixture rather than a table.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.conf import settings

from .priorities import Message

FIXTURE = settings.BASE_DIR / "fixtures" / "checklist_notes.json"


@cache
def _content() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def pain_science() -> list[str]:
    """Return the pain-science bullets every result ends with."""
    return list(_content()["pain_science"])


def message_text(message: Message) -> str:
    return _content()[message.value]
