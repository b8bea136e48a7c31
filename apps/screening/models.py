from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Self

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from backpain import prepared
from backpain.once import token_field
from backpain.prepared import Prepared
from backpain.wizard import WizardAnswer, WizardRun, WizardRunManager, WizardRunQuerySet

from .advice import Advice, advice_for
from .triage import Level, Triage, Urgency, triage


class QuestionQuerySet(models.QuerySet["Question"]):
    def active(self) -> Self:
        return self.filter(active=True)

    def levels(self) -> dict[str, str]:
        """Return {key: level} for the active questions, in question order (for triage)."""
        return dict(self.active().order_by("order", "key").values_list("key", "level"))


class Question(models.Model):
    """A red-flag question, loaded from fixtures/screening_questions.json by key."""

    key = models.SlugField(max_length=64, unique=True)
    order = models.PositiveSmallIntegerField()
    text = models.TextField()
    why = models.TextField("why we ask")
    level = models.CharField(max_length=10, choices=Level.choices)
    trigger = models.CharField(
        max_length=200, help_text="The sign in a few words, listed on a result it led to."
    )
    sources = models.JSONField(default=list, blank=True)
    # Retired questions stay, inactive, so past screenings still show what was asked.
    active = models.BooleanField(default=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__in=Level.values), name="screening_question_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class Kind(models.TextChoices):
    FULL = "full", "Warning-signs check"
    RECHECK = "recheck", "Weekly re-check"


def _gate_candidates(mine: ScreeningQuerySet) -> ScreeningQuerySet:
    """`mine` (one person's screenings) that close the way to exercise, newest first."""
    completed = mine.completed()
    newer_full_check = completed.filter(kind=Kind.FULL, completed_at__gt=OuterRef("completed_at"))
    return (
        completed.filter(urgency=Urgency.EMERGENCY, acknowledged_at__isnull=True)
        .exclude(Exists(newer_full_check))
        .order_by("-completed_at")
    )


def _current_with_answers(mine: ScreeningQuerySet, with_gate: bool) -> ScreeningQuerySet:
    """The newest of `mine` under way, with its answers and, `with_gate`, the gate's id."""
    answers = Answer.objects.filter(screening=OuterRef("pk")).order_by("id")
    current = (
        mine.in_progress()
        .newest_first()
        .annotate(
            answer_keys=ArraySubquery(answers.values("question__key")),
            answer_values=ArraySubquery(answers.values("value")),
        )
    )
    if with_gate:
        current = current.annotate(gate_id=Subquery(_gate_candidates(mine).values("pk")[:1]))
    return current[:1]


def _latest_and_gate(mine: ScreeningQuerySet) -> ScreeningQuerySet:
    """The latest completed of `mine`, with the gate's id."""
    gate_id = _gate_candidates(mine).values("pk")[:1]
    return mine.latest_completed_first().annotate(gate_id=Subquery(gate_id))[:1]


def _prepared(
    build: Callable[[ScreeningQuerySet], ScreeningQuerySet],
) -> dict[str, Prepared[Screening]]:
    """`build` over one person's screenings, for an account and for a guest, compiled once:
    the pages asking these every time (every wizard step, the plan, Today, the checklist
    result) spent more building the queries than PostgreSQL spent running them."""
    return {
        field: Prepared(
            lambda owner, field=field: build(Screening.objects.filter(**{field: owner})),
            owner=stand_in,
        )
        for field, stand_in in (("user_id", prepared.ID), ("guest_id", prepared.UUID))
    }


class ScreeningQuerySet(WizardRunQuerySet):
    def _first(
        self, request: HttpRequest, queries: dict[str, Prepared[Screening]]
    ) -> Screening | None:
        """The one row of a prepared query for this person (see `_prepared`)."""
        # The prepared queries start from every screening: only when asked through
        # Screening.objects, not through a narrower queryset.
        assert not self.query.where, "ask Screening.objects"  # noqa: S101
        owner = self.owner(request)
        if owner is None:
            return None
        field, value = owner
        return next(iter(queries[field](owner=value)), None)

    def care_gate(self, request: HttpRequest) -> Screening | None:
        """Return this person's emergency result that still closes the way to exercise.

        That is an emergency they have not confirmed seeking care for, unless a full check
        was completed after it. While one is open, a new full check cannot be started, so in
        practice only the confirmation opens the way; a weekly re-check never does.
        """
        # A guest who has never started a check costs no query: it could only find nothing.
        return self._first(request, CARE_GATE)

    def current_with_answers(
        self, request: HttpRequest, *, with_gate: bool = False
    ) -> tuple[Screening | None, dict[str, str], Screening | None]:
        """Return this person's unfinished check, its answers ({question key: value}) and,
        `with_gate`, the care gate (else None): one query while a check is under way."""
        current = self._first(request, CURRENT_WITH_GATE if with_gate else CURRENT)
        if current is None:
            return None, {}, self.care_gate(request) if with_gate else None
        answered = dict(zip(current.answer_keys, current.answer_values, strict=True))
        gate_id = current.gate_id if with_gate else None
        return current, answered, None if gate_id is None else self.get(pk=gate_id)

    def latest_and_gate(self, request: HttpRequest) -> tuple[Screening | None, Screening | None]:
        """Return this person's latest completed screening and the care gate, in one query.

        Pages that show both (Today, the plan, the checklist result) ask together: the gate,
        when closed, is nearly always the latest result itself, so only an older emergency
        still unconfirmed costs a second query.
        """
        latest = self._first(request, LATEST_AND_GATE)
        if latest is None or latest.gate_id is None:
            return latest, None
        if latest.gate_id == latest.pk:
            return latest, latest
        return latest, self.get(pk=latest.gate_id)


class ScreeningManager(WizardRunManager.from_queryset(ScreeningQuerySet)):  # type: ignore[misc]
    @transaction.atomic
    def record_recheck(
        self,
        *,
        user: Any,
        answers: dict[str, str],
        token: uuid.UUID | None = None,
        digest: str = "",
    ) -> Screening:
        """Record the weekly re-check as a completed screening of its own.

        The questions it did not ask keep the answers of the person's latest check, so a
        short re-check never weakens what they said before (a bone density caution stays
        on), and their unfinished full check, if any, is left alone.
        """
        previous = self.filter(user=user).latest_completed_first().first()
        kept = Answer.objects.filter(screening=previous).values_list("question__key", "value")
        merged = {**(dict(kept) if previous else {}), **answers}
        screening = self.create(
            user=user, kind=Kind.RECHECK, client_token=token, form_digest=digest
        )
        questions = list(Question.objects.active())
        recorded = {q.key: merged[q.key] for q in questions if q.key in merged}
        Answer.objects.bulk_create(
            Answer(screening=screening, question=question, value=recorded[question.key])
            for question in questions
            if question.key in recorded
        )
        # What complete() would read back: the answers just written, the questions' levels
        # and the check before this one (`previous`, read above in this transaction).
        screening.complete(
            answers=recorded,
            levels={question.key: question.level for question in questions},
            caution_before=bool(previous and previous.bone_density_caution),
        )
        return screening


class Screening(WizardRun):
    """One run through the red-flag questions by a patient or a guest."""

    kind = models.CharField(max_length=7, choices=Kind.choices, default=Kind.FULL)

    # NULL until the screening is complete: no urgency is different from an empty one.
    urgency = models.CharField(  # noqa: DJ001
        max_length=10, choices=Urgency.choices, null=True, blank=True
    )
    # The outcome as shown at the time, kept even if the questions change later.
    trigger_keys = models.JSONField(default=list, blank=True)
    unsure_keys = models.JSONField(default=list, blank=True)
    bone_density_caution = models.BooleanField(default=False)
    # When the person confirmed they sought care after an emergency result.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The check-in form's token for a weekly re-check; a full check has none. A token names
    # the re-check of the latest form accepted with it (a form changed after sending moves
    # it to a new re-check), and `form_digest` says what that form held, so that form sent
    # again is known by this one row (apps/progress/services.py, `check_in_resent`).
    client_token = token_field()
    form_digest = models.CharField(max_length=32, blank=True, default="", db_default="")

    objects = ScreeningManager()

    def answered(self, answers: dict[str, str]) -> bool:
        """Whether this screening recorded exactly these answers to these questions."""
        recorded = self.answers.filter(question__key__in=answers).values_list(
            "question__key", "value"
        )
        return dict(recorded) == answers

    class Meta(WizardRun.Meta):
        constraints = [
            *WizardRun.Meta.constraints,
            models.CheckConstraint(
                condition=(
                    models.Q(completed_at__isnull=True, urgency__isnull=True)
                    | models.Q(
                        completed_at__isnull=False,
                        urgency__isnull=False,
                        urgency__in=Urgency.values,
                    )
                ),
                name="screening_urgency_when_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening {self.uuid} ({self.urgency or 'in progress'})"

    def get_absolute_url(self) -> str:
        return reverse("screening:result", args=[self.uuid])

    @property
    def needs_acknowledgement(self) -> bool:
        return self.urgency == Urgency.EMERGENCY and self.acknowledged_at is None

    @property
    def advice(self) -> Advice:
        return advice_for(self.urgency or Urgency.NONE)

    def answer_map(self) -> dict[str, str]:
        return dict(self.answers.values_list("question__key", "value"))

    def record(self, question: Question, value: str) -> None:
        """Save (or change) the answer to one question."""
        Answer.objects.update_or_create(
            screening=self, question=question, defaults={"value": value}
        )

    def mine(self) -> ScreeningQuerySet:
        """Every screening of the same person (account or guest), this one included."""
        if self.user_id is not None:
            return Screening.objects.filter(user_id=self.user_id)
        return Screening.objects.filter(guest_id=self.guest_id)

    def complete(
        self,
        *,
        answers: dict[str, str] | None = None,
        levels: dict[str, str] | None = None,
        caution_before: bool | None = None,
    ) -> Triage:
        """Triage the answers, store the outcome and mark the screening complete.

        The answers, the active questions' levels (in question order) and the caution of the
        person's check before this one are read unless the caller has them already.
        """
        if caution_before is None:
            before = self.mine().exclude(pk=self.pk).latest_completed_first().first()
            caution_before = bool(before and before.bone_density_caution)
        outcome = triage(
            self.answer_map() if answers is None else answers,
            Question.objects.levels() if levels is None else levels,
            caution_before=caution_before,
        )
        self.urgency = outcome.urgency
        self.trigger_keys = list(outcome.triggers)
        self.unsure_keys = list(outcome.unsure)
        self.bone_density_caution = outcome.bone_density_caution
        self.completed_at = timezone.now()
        self.save()
        return outcome

    def acknowledge(self) -> None:
        """Record that the person has sought care for this emergency result (once).

        Seeking care covers their earlier unconfirmed emergency results too.
        """
        if self.acknowledged_at is None:
            self.acknowledged_at = timezone.now()
            self.save(update_fields=["acknowledged_at"])
            self.mine().filter(
                urgency=Urgency.EMERGENCY,
                acknowledged_at__isnull=True,
                completed_at__lte=self.completed_at,
            ).update(acknowledged_at=self.acknowledged_at)

    def answers_for(self, keys: list[str]) -> list[Answer]:
        """Return the answers to these questions in the order of `keys` (one query)."""
        found = {
            answer.question.key: answer
            for answer in self.answers.filter(question__key__in=keys).select_related("question")
        }
        return [found[key] for key in keys if key in found]


class Answer(WizardAnswer):
    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="answers")
    # PROTECT: content updates retire questions (active=False) rather than delete answered ones.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")

    class Meta(WizardAnswer.Meta):
        constraints = [
            *WizardAnswer.Meta.constraints,
            models.UniqueConstraint(fields=["screening", "question"], name="screening_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.question.key}: {self.value}"


CARE_GATE = _prepared(lambda mine: _gate_candidates(mine)[:1])
CURRENT = _prepared(lambda mine: _current_with_answers(mine, with_gate=False))
CURRENT_WITH_GATE = _prepared(lambda mine: _current_with_answers(mine, with_gate=True))
LATEST_AND_GATE = _prepared(_latest_and_gate)
