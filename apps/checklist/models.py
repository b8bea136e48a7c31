from __future__ import annotations

from functools import partial
from typing import Any, Self
from uuid import UUID

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from apps.exercises.models import SOURCES, Region
from backpain import prepared
from backpain.prepared import Prepared
from backpain.wizard import NOTE_MAX_LENGTH, WizardAnswer, WizardRun, WizardRunManager

from .priorities import TOTAL_POINTS, prioritise, score


class ItemQuerySet(models.QuerySet["Item"]):
    def active(self) -> Self:
        return self.filter(active=True)


class Item(models.Model):
    """One checklist question, loaded from fixtures/checklist_items.json by key."""

    key = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=80, help_text="A few words, for lists and the result.")
    order = models.PositiveSmallIntegerField()
    # The numbered points of the 13-point checklist this question covers (some cover several).
    points = ArrayField(
        models.PositiveSmallIntegerField(
            validators=[MinValueValidator(1), MaxValueValidator(TOTAL_POINTS)]
        )
    )
    question = models.TextField()
    why = models.TextField("why it matters")
    how_to_check = ArrayField(models.TextField())
    yes_looks_like = models.TextField()
    regions = ArrayField(models.CharField(max_length=20, choices=Region.choices))
    # The sources' order of work (1 first); retired items give theirs up (None).
    priority_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    # Library slugs, in the order to do them; the loader checks each one exists.
    exercise_slugs = ArrayField(models.SlugField(max_length=80))
    source = models.CharField(max_length=3, choices=list(SOURCES.items()))
    # A figure for items that describe a position (docs/figures.md); empty for the others.
    figure = models.JSONField(default=dict, blank=True)
    # Retired items stay, inactive, so past runs still show what was asked.
    active = models.BooleanField(default=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["order", "key"]
        constraints = [
            # Deferred, so a content update can swap two ranks inside one transaction.
            models.UniqueConstraint(
                fields=["priority_rank"],
                name="checklist_item_rank_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(
                condition=models.Q(active=False) | models.Q(priority_rank__isnull=False),
                name="checklist_item_active_ranked",
            ),
            models.CheckConstraint(
                condition=models.Q(points__len__gte=1)
                & models.Q(points__contained_by=list(range(1, TOTAL_POINTS + 1))),
                name="checklist_item_points_1_13",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    def region_labels(self) -> list[str]:
        return [Region(region).label for region in self.regions]


class Run(WizardRun):
    """One pass through the checklist by a patient or a guest."""

    # The outcome as shown at the time, kept even if the items change later.
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    priority_keys = ArrayField(models.SlugField(max_length=64), default=list, blank=True)

    objects = WizardRunManager()

    class Meta(WizardRun.Meta):
        constraints = [
            *WizardRun.Meta.constraints,
            models.CheckConstraint(
                condition=(
                    models.Q(completed_at__isnull=True, score__isnull=True)
                    | models.Q(
                        completed_at__isnull=False,
                        score__isnull=False,
                        score__gte=0,
                        score__lte=TOTAL_POINTS,
                    )
                ),
                name="checklist_run_score_when_complete",
            ),
        ]

    def __str__(self) -> str:
        done = f"{self.score} of {TOTAL_POINTS}" if self.is_complete else "in progress"
        return f"Checklist run {self.uuid} ({done})"

    def get_absolute_url(self) -> str:
        return reverse("checklist:result", args=[self.uuid])

    def answers_by_key(self) -> dict[str, Answer]:
        """Return the answers with their items, in the items' order (one query)."""
        answers = self.answers.select_related("item").order_by("item__order", "item__key")
        return {answer.item.key: answer for answer in answers}

    def record(self, item: Item, value: str, note: str = "") -> None:
        """Save (or change) the answer to one item."""
        Answer.objects.update_or_create(
            run=self, item=item, defaults={"value": value, "note": note}
        )

    def complete(self) -> None:
        """Score the answers, store the priorities and mark the run complete."""
        answers = self.answers_by_key()
        values = {key: answer.value for key, answer in answers.items()}
        self.score = score(values, {key: answer.item.points for key, answer in answers.items()})
        # A retired item has no rank: it is no longer something to work on.
        ranks = {
            key: answer.item.priority_rank
            for key, answer in answers.items()
            if answer.item.priority_rank is not None
        }
        self.priority_keys = prioritise(
            {key: value for key, value in values.items() if key in ranks}, ranks
        )
        self.completed_at = timezone.now()
        self.save()

    def _earlier(self) -> models.QuerySet[Run]:
        return (
            Run.objects.completed()
            .filter(user_id=self.user_id, guest_id=self.guest_id)
            .filter(completed_at__lt=self.completed_at)
            .order_by("-completed_at", "-id")
        )

    def previous(self) -> Run | None:
        """Return the same person's completed run before this one, to compare with."""
        return self._earlier().first()

    def previous_with_answers(self) -> tuple[Run | None, dict[str, str]]:
        """Return `previous()` and its answers as {item key: value}, in one query."""
        owner = ("user_id", self.user_id) if self.user_id else ("guest_id", self.guest_id)
        found = PREVIOUS_WITH_ANSWERS[owner[0]](value=owner[1], before=self.completed_at)
        if not found:
            return None, {}
        previous = found[0]
        return previous, dict(zip(previous.before_keys, previous.before_values, strict=True))


def _previous_with_answers(owner: str, value: Any, before: Any) -> models.QuerySet[Run]:
    """The run of this owner completed last before `before`, with its answers."""
    answers = Answer.objects.filter(run=OuterRef("pk")).order_by("id")
    # The other owner column is NULL: a run is an account's or a guest's, never both.
    person = {"user_id": None, "guest_id": None, owner: value}
    return (
        Run.objects.completed()
        .filter(**person, completed_at__lt=before)
        .order_by("-completed_at", "-id")
        .annotate(
            before_keys=ArraySubquery(answers.values("item__key")),
            before_values=ArraySubquery(answers.values("value")),
        )[:1]
    )


class Answer(WizardAnswer):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="answers")
    # PROTECT: content updates retire items (active=False) rather than delete answered ones.
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    note = models.CharField(max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta(WizardAnswer.Meta):
        constraints = [
            *WizardAnswer.Meta.constraints,
            models.UniqueConstraint(fields=["run", "item"], name="checklist_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.item.key}: {self.value}"


def completed_run(request: HttpRequest, uuid: UUID) -> Run | None:
    """This person's completed run with this uuid; None for anyone else's, or none."""
    owner = Run.objects.owner(request)
    if owner is None:
        return None
    return next(iter(COMPLETED_RUN[owner[0]](value=owner[1], uuid=uuid)), None)


def _completed_run(owner: str, value: Any, uuid: UUID) -> models.QuerySet[Run]:
    return Run.objects.filter(**{owner: value}).completed().filter(uuid=uuid)[:1]


def _per_owner(query: Any, **stand_ins: Any) -> dict[str, Prepared[Run]]:
    """The query compiled twice: for a person's runs (by user id) and a guest's (by guest id)."""
    return {
        owner: Prepared(partial(query, owner), value=stand_in, **stand_ins)
        for owner, stand_in in (("user_id", prepared.ID), ("guest_id", prepared.UUID))
    }


# Compiled once (backpain/prepared.py): every result page asks these, and building them
# cost more than running them.
COMPLETED_RUN = _per_owner(_completed_run, uuid=prepared.OTHER_UUID)
PREVIOUS_WITH_ANSWERS = _per_owner(_previous_with_answers, before=prepared.MOMENT)
