from __future__ import annotations

import uuid

import factory
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.screening.models import Question, Screening
from apps.screening.triage import Urgency
from tests.wizard_helpers import answer_every_step


class ScreeningFactory(factory.django.DjangoModelFactory):
    """A completed screening; a guest's unless given `user=`."""

    class Meta:
        model = Screening

    guest_id = factory.LazyFunction(uuid.uuid4)
    completed_at = factory.LazyFunction(timezone.now)
    urgency = Urgency.NONE

    @classmethod
    def _create(cls, model_class: type[Screening], *args, **kwargs) -> Screening:
        if kwargs.get("user") is not None:
            kwargs["guest_id"] = None
        return super()._create(model_class, *args, **kwargs)


def step_url(number: int | str) -> str:
    return reverse("screening:step", args=[number])


def answer_all(
    client: Client, answers: dict[str, str] | None = None, default: str = "no"
) -> HttpResponse:
    """Start a screening and answer every question through the views (`default` unless
    named in `answers`); return the last response, the redirect to the result."""
    keys = Question.objects.active().values_list("key", flat=True)
    return answer_every_step(client, "screening", keys, answers or {}, default)
