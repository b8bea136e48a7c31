"""Triage: from red-flag answers to how urgently a person should seek care.

A pure function with no database: the question levels come in as data, so the rules can be
tested exhaustively on their own. The rules (the clinician's table is docs/clinical-safety.md):

- A question answered yes OR not sure counts at its level. Someone who cannot rule a warning
  sign out is told to get it checked at the same urgency as someone who has it: an
  appointment costs little next to a missed emergency. A not-sure is never an all-clear.
- The bone density question (level caution) answered yes or not sure sets
  `bone_density_caution` and leaves the level alone. Left unanswered (a short re-check, or a
  check ended early by an emergency answer) it keeps the caution the person had before.
- The most urgent level wins, and every answer that counted is listed, most urgent first,
  then in question order. No answer counted: none.
- An emergency answer ends the check at once (`ends_check`): nothing asked later can lower
  the result, and the person must not be kept reading questions before being told to act.
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
    URGENT = "urgent", "Urgent: see a GP today or tomorrow, or call NHS 111"
    SOON = "soon", "Soon: see a GP or physiotherapist in the next few days"
    PHYSIO = "physio", "See a physiotherapist"
    NONE = "none", "No warning signs"


# Most urgent first: the order in which levels win and triggers are listed.
RANKED = (Urgency.EMERGENCY, Urgency.URGENT, Urgency.SOON, Urgency.PHYSIO)


@dataclass(frozen=True)
class Triage:
    urgency: Urgency
    triggers: tuple[str, ...]  # question keys that counted, most urgent first
    unsure: tuple[str, ...]  # keys answered "not sure" (they count too), in question order
    bone_density_caution: bool


def ends_check(level: str, value: str) -> bool:
    """Return True when this answer makes the result an emergency, so the check stops here."""
    return level == Level.EMERGENCY and value in (YesNoUnsure.YES, YesNoUnsure.UNSURE)


def triage(
    answers: Mapping[str, str], levels: Mapping[str, str], *, caution_before: bool = False
) -> Triage:
    """Return the urgency for these answers.

    `answers` maps question keys to yes/no/unsure; `levels` maps every question key to its
    level, in question order. An unanswered question counts as no, except the bone density
    one, which keeps `caution_before` (the caution from the person's previous check).
    """
    counted: list[tuple[int, str]] = []
    unsure: list[str] = []
    caution = False
    for key, level in levels.items():
        value = answers.get(key)
        if level == Level.CAUTION and value is None:
            caution = caution or caution_before
        if value not in (YesNoUnsure.YES, YesNoUnsure.UNSURE):
            continue
        if value == YesNoUnsure.UNSURE:
            unsure.append(key)
        if level == Level.CAUTION:
            caution = True
        else:
            counted.append((RANKED.index(Urgency(level)), key))
    counted.sort(key=lambda pair: pair[0])  # stable: question order within a level
    return Triage(
        urgency=RANKED[counted[0][0]] if counted else Urgency.NONE,
        triggers=tuple(key for _, key in counted),
        unsure=tuple(unsure),
        bone_density_caution=caution,
    )
