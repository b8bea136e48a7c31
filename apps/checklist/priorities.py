"""What a set of checklist answers means: the score, the order to work in, what changed.

Pure functions over plain mappings ({item key: "yes" | "no" | "unsure"}), so the rules are
tested without a database; the models pass in what they know about the items.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from django.db import models

from backpain.wizard import YesNoUnsure

TOTAL_POINTS = 13

# How good an answer is, for comparing two runs: yes beats not sure beats no.
_STANDING = {YesNoUnsure.NO: 0, YesNoUnsure.UNSURE: 1, YesNoUnsure.YES: 2}


class Change(models.TextChoices):
    IMPROVED = "improved", "Improved"
    SAME = "same", "Same"
    WORSE = "worse", "Worse"
    NEW = "new", "New item"


class Message(StrEnum):
    """The note a result leads with, keyed as in fixtures/checklist_notes.json."""

    KEEP_IT_UP = "keep_it_up"
    START_ANYWHERE = "start_anywhere"


def score(answers: Mapping[str, str], points: Mapping[str, list[int]]) -> int:
    """Return the points answered yes: an item that covers several points counts them all."""
    return sum(len(points[key]) for key, value in answers.items() if value == YesNoUnsure.YES)


def prioritise(answers: Mapping[str, str], ranks: Mapping[str, int]) -> list[str]:
    """Return the keys to work on, first things first.

    Every "no" comes before every "not sure": a clear gap is a surer place to start than a
    doubt. Within each group the items keep the sources' order (`ranks`, lowest first): the
    joint-by-joint view restores ankle, hip and thoracic mobility before the lumbar spine,
    and spinal mobility leads when someone does not know where to start. Yes is no priority.
    """
    groups = {YesNoUnsure.NO: 0, YesNoUnsure.UNSURE: 1}
    keys = [key for key, value in answers.items() if value in groups]
    return sorted(keys, key=lambda key: (groups[YesNoUnsure(answers[key])], ranks[key], key))


def message(answers: Mapping[str, str]) -> Message | None:
    """Return the note for answers with no clear gap: all yes, or nothing worse than unsure."""
    values = set(answers.values())
    if not values or YesNoUnsure.NO in values:
        return None
    if values == {YesNoUnsure.YES}:
        return Message.KEEP_IT_UP
    return Message.START_ANYWHERE


def compare(before: str | None, after: str) -> Change:
    """Return how one item's answer moved between two runs."""
    if before is None:
        return Change.NEW
    difference = _STANDING[YesNoUnsure(after)] - _STANDING[YesNoUnsure(before)]
    if difference > 0:
        return Change.IMPROVED
    return Change.WORSE if difference < 0 else Change.SAME
