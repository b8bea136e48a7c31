"""Triage: from red-flag answers to how urgently a person should seek care.

A pure function with no database: the question levels come in as data, so the rules can be
tested exhaustively on their own. The rules (also in docs/decisions.md):

- An emergency question (a sign of cauda equina syndrome) answered yes OR not sure means
  emergency. Someone who cannot rule such a sign out is told to get it checked now.
- An urgent question answered yes or not sure means urgent, for the same reason: a prompt
  appointment costs little next to a missed fracture, infection or cancer.
- A soon or physio question answered yes raises the level to soon or physio. Not sure does
  not raise it; the answer is listed as "you were not sure" with advice to ask.
- The bone density question (level caution) answered yes or not sure sets
  `bone_density_caution` and leaves the level alone.
- The most urgent level wins, and every answer that counted is listed, most urgent first,
  then in question order. No answer counted: none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models

from backpain.wizard import YesNoUnsure


class Level(models.TextChoices):
    """What a question's yes can lead to."""

    EMERGENCY = "emergency", "Emergency"
    URGENT = "urgent", "Urgent"
    SOON = "soon", "Soon"
    PHYSIO = "physio", "Physiotherapist"
    CAUTION = "caution", "Bone density caution"


class Urgency(models.TextChoices):
    """The outcome of a screening, labelled with what to do."""

    EMERGENCY = "emergency", "Emergency: call 999 or go to A&E now"
    URGENT = "urgent", "Urgent: see a doctor today or tomorrow"
    SOON = "soon", "Soon: see a doctor or physiotherapist within days"
    PHYSIO = "physio", "See a physiotherapist"
    NONE = "none", "No warning signs"


# Most urgent first: the order in which levels win and triggers are listed.
RANKED = (Urgency.EMERGENCY, Urgency.URGENT, Urgency.SOON, Urgency.PHYSIO)
# Levels where "not sure" counts as yes: too serious to leave open.
UNSURE_COUNTS = frozenset({Level.EMERGENCY, Level.URGENT, Level.CAUTION})


@dataclass(frozen=True)
class Triage:
    urgency: Urgency
    triggers: tuple[str, ...]  # question keys that counted, most urgent first
    unsure: tuple[str, ...]  # soon/physio keys answered "not sure", which did not count
    bone_density_caution: bool


def triage(answers: Mapping[str, str], levels: Mapping[str, str]) -> Triage:
    """Return the urgency for these answers.

    `answers` maps question keys to yes/no/unsure; `levels` maps every question key to its
    level, in question order. A question without an answer counts as no: a screening is
    only completed once every question has one.
    """
    counted: list[tuple[int, str]] = []
    unsure: list[str] = []
    caution = False
    for key, level in levels.items():
        value = answers.get(key)
        if value == YesNoUnsure.YES or (value == YesNoUnsure.UNSURE and level in UNSURE_COUNTS):
            if level == Level.CAUTION:
                caution = True
            else:
                counted.append((RANKED.index(Urgency(level)), key))
        elif value == YesNoUnsure.UNSURE:
            unsure.append(key)
    counted.sort(key=lambda pair: pair[0])  # stable: question order within a level
    return Triage(
        urgency=RANKED[counted[0][0]] if counted else Urgency.NONE,
        triggers=tuple(key for _, key in counted),
        unsure=tuple(unsure),
        bone_density_caution=caution,
    )
