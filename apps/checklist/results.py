"""Everything a checklist result page shows, gathered in a fixed number of queries, and the
latest priorities other apps ask for."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.base_user import AbstractBaseUser
from django.urls import reverse
from django.utils.safestring import SafeString

from apps.exercises.models import Exercise
from backpain.wizard import YesNoUnsure

from . import notes
from .bodymap import Joint, body_map, body_map_markers, body_map_viewbox, body_map_words
from .models import Answer, Item, Run
from .priorities import Change, compare, message

# "Start here" offers the first item's first few exercises: a routine of about ten minutes.
START_HERE_SIZE = 3


@dataclass(frozen=True)
class Priority:
    answer: Answer
    exercises: list[Exercise]

    @property
    def item(self) -> Item:
        return self.answer.item


@dataclass(frozen=True)
class Row:
    """One answer of the run, and the same item's answer in the previous run (if any)."""

    answer: Answer
    before: str | None

    @property
    def before_display(self) -> str:
        return YesNoUnsure(self.before).label if self.before else "Not asked"

    @property
    def change(self) -> Change:
        return compare(self.before, self.answer.value)


@dataclass(frozen=True)
class Result:
    run: Run
    rows: list[Row]
    priorities: list[Priority]
    message: str | None
    body_map: list[Joint]
    previous: Run | None
    bone_density_caution: bool

    @classmethod
    def for_run(cls, run: Run, *, bone_density_caution: bool) -> Result:
        by_key = run.answers_by_key()
        answers = list(by_key.values())
        ordered = [by_key[key] for key in run.priority_keys if key in by_key]
        previous, before = run.previous_with_answers()
        note = message({key: answer.value for key, answer in by_key.items()})
        return cls(
            run=run,
            rows=[Row(answer, before.get(answer.item.key)) for answer in answers],
            priorities=_with_exercises(ordered),
            message=notes.message_text(note) if note else None,
            body_map=body_map({region for answer in ordered for region in answer.item.regions}),
            previous=previous,
            bone_density_caution=bone_density_caution,
        )

    @property
    def start_here(self) -> Priority | None:
        return self.priorities[0] if self.priorities else None

    @property
    def start_exercises(self) -> list[Exercise]:
        return self.start_here.exercises[:START_HERE_SIZE] if self.start_here else []

    @property
    def routine_url(self) -> str:
        items = ",".join(exercise.slug for exercise in self.start_exercises)
        return f"{reverse('exercises:routine')}?{urlencode({'items': items}, safe=',')}"

    @property
    def priority_keys(self) -> str:
        return " ".join(priority.item.key for priority in self.priorities)

    @property
    def score_trend(self) -> str:
        """Say how the score moved since the previous run ("" when there is none)."""
        if self.previous is None:
            return ""
        return trend(self.run.score - self.previous.score)

    @property
    def cautioned_exercises(self) -> list[Exercise]:
        """Return the linked exercises that load the spine, for the bone-density callout."""
        seen = {e.slug: e for p in self.priorities for e in p.exercises if e.bone_density_caution}
        return list(seen.values())

    @property
    def regions_to_work_on(self) -> list[str]:
        return [joint.label for joint in self.body_map if joint.work_on]

    @property
    def body_map_viewbox(self) -> str:
        return body_map_viewbox()

    @property
    def body_map_markers(self) -> SafeString:
        return body_map_markers(self.body_map)

    @property
    def body_map_words(self) -> SafeString:
        return body_map_words(self.body_map)


def _with_exercises(answers: Sequence[Answer]) -> list[Priority]:
    """Attach each item's linked exercises, in the item's order, from one query."""
    slugs = [slug for answer in answers for slug in answer.item.exercise_slugs]
    # Only what the result shows of each: a link and the bone-density note (the steps,
    # figures and variants are the exercise page's, and cost more to read than the rest).
    shown = Exercise.objects.only("slug", "name", "bone_density_caution", "bone_density_note")
    by_slug = {exercise.slug: exercise for exercise in shown.in_slug_order(slugs)}
    return [
        Priority(answer, [by_slug[s] for s in answer.item.exercise_slugs if s in by_slug])
        for answer in answers
    ]


def trend(change: int) -> str:
    if change == 0:
        return "the same score"
    points = "point" if abs(change) == 1 else "points"
    return f"{'up' if change > 0 else 'down'} {abs(change)} {points}"


def score_trends(runs: Sequence[Run]) -> list[tuple[Run, str]]:
    """Pair each completed run (newest first) with how its score moved since the one before."""
    older = [*runs[1:], None]
    return [
        (run, trend(run.score - prior.score) if prior else "")
        # Not strict: with no runs, `older` still holds its closing None.
        for run, prior in zip(runs, older, strict=False)
    ]


def latest_priorities(user: AbstractBaseUser) -> list[Item]:
    """Return the items to work on from the person's latest completed run, in order (for the
    progress plan, which links each item's `exercise_slugs`); [] when there is none."""
    run = Run.objects.filter(user=user).completed().order_by("-completed_at", "-id").first()
    if run is None:
        return []
    items = Item.objects.in_bulk(run.priority_keys, field_name="key")
    return [items[key] for key in run.priority_keys if key in items]
