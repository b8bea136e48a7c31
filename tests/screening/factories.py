from __future__ import annotations

import uuid

import factory
from django.http import HttpResponse
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from apps.screening.models import Question, Screening
from apps.screening.triage import Urgency


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


def answered_screening(
    user, answers: dict[str, str], *, default: str | None = "no", complete: bool = True
) -> Screening:
    """A patient's full screening with these answers (`default` for every other question,
    none when None), completed through the model's own triage unless `complete=False`."""
    screening = Screening.objects.create(user=user)
    for question in Question.objects.active():
        value = answers.get(question.key, default)
        if value is not None:
            screening.record(question, value)
    if complete:
        screening.complete()
    return screening


def step_url(number: int | str) -> str:
    return reverse("screening:step", args=[number])


def answer_all(
    client: Client, answers: dict[str, str] | None = None, default: str = "no"
) -> HttpResponse:
    """Start a screening and answer the questions through the views (`default` unless named
    in `answers`) until the check ends: after the last question, or at once after an
    emergency answer. Return the last response, the redirect to the result."""
    answers = answers or {}
    client.post(reverse("screening:new"))
    response = None
    for number, key in enumerate(Question.objects.active().values_list("key", flat=True), 1):
        response = client.post(step_url(number), {"item": key, "answer": answers.get(key, default)})
        assert response.status_code == 302, response.content.decode()[:2000]
        if resolve(response.url.partition("#")[0]).url_name != "step":
            return response
    raise AssertionError("The check never ended.")
