"""Seek-care advice for each urgency, read once from fixtures/screening_advice.json.

The advice is content, not data people change, so it stays in the fixture (reviewed with
the questions) rather than in a table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings

FIXTURE = settings.BASE_DIR / "fixtures" / "screening_advice.json"


@dataclass(frozen=True)
class Advice:
    heading: str  # what to do, in one sentence
    steps: tuple[str, ...]  # the first things to do: short enough to read without scrolling
    summary: str
    while_waiting: tuple[str, ...]
    continue_text: str


@dataclass(frozen=True)
class Source:
    label: str
    url: str


@cache
def _content() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@cache
def advice_for(urgency: str) -> Advice:
    item = _content()[urgency]
    return Advice(
        heading=item["heading"],
        steps=tuple(item["steps"]),
        summary=item["summary"],
        while_waiting=tuple(item["while_waiting"]),
        continue_text=item["continue_text"],
    )


def note(name: str) -> dict[str, str]:
    """Return a note shown with some results ("bone_density", "unsure"): heading and text."""
    return _content()[name]


def disclaimer() -> str:
    return _content()["disclaimer"]


def sources() -> list[Source]:
    return [Source(**source) for source in _content()["sources"]]
