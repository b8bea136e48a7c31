from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.screening import content
from apps.screening.models import Answer, Question, Screening
from apps.screening.triage import Urgency
from tests.screening.factories import ScreeningFactory


def test_load_content_is_idempotent_and_retires_questions_no_longer_in_the_file(questions):
    retired = Question.objects.create(
        key="old_question", order=99, text="?", why="-", level="soon", trigger="-"
    )

    summary = content.load()

    assert summary == f"{len(questions)} questions (0 new, 1 retired)"
    assert Question.objects.active().count() == len(questions) == 16
    retired.refresh_from_db()
    assert retired.active is False


def test_questions_come_in_order_with_every_emergency_sign_first(questions):
    assert [question.order for question in questions] == sorted(q.order for q in questions)
    assert [q.level for q in questions[:5]] == ["emergency"] * 5
    assert questions[0].key == "bladder_bowel"


@pytest.mark.parametrize(
    "owner",
    [{}, {"user": "patient", "guest_id": uuid.uuid4()}],
    ids=["no owner", "two owners"],
)
def test_a_screening_has_exactly_one_owner(patient, owner):
    if owner.get("user"):
        owner["user"] = patient
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.create(**owner)


def test_a_completed_screening_needs_a_valid_urgency(patient):
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.create(user=patient, completed_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        Screening.objects.create(user=patient, completed_at=timezone.now(), urgency="later")


def test_an_answer_is_yes_no_or_unsure_and_given_once(patient, questions):
    screening = Screening.objects.create(user=patient)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(screening=screening, question=questions[0], value="maybe")

    screening.record(questions[0], "yes")
    screening.record(questions[0], "no")

    assert screening.answer_map() == {questions[0].key: "no"}


def test_complete_stores_the_triage(patient, questions):
    screening = Screening.objects.create(user=patient)
    for question in questions:
        screening.record(question, "no")
    screening.record(questions[5], "yes")  # possible_fracture
    screening.record(Question.objects.get(key="radiating"), "unsure")
    screening.record(Question.objects.get(key="osteoporosis"), "unsure")

    outcome = screening.complete()

    screening.refresh_from_db()
    assert screening.urgency == outcome.urgency == Urgency.URGENT
    assert screening.trigger_keys == ["possible_fracture"]
    assert screening.unsure_keys == ["radiating"]
    assert screening.bone_density_caution is True
    assert screening.is_complete
    assert [a.question.key for a in screening.answers_for(["radiating", "possible_fracture"])] == [
        "radiating",
        "possible_fracture",
    ]


def test_start_discards_unfinished_screenings_and_keeps_finished_ones(rf, patient):
    finished = ScreeningFactory(user=patient)
    unfinished = Screening.objects.create(user=patient)
    request = rf.get("/")
    request.user = patient

    fresh = Screening.objects.start(request)

    assert set(Screening.objects.filter(user=patient)) == {finished, fresh}
    assert not Screening.objects.filter(pk=unfinished.pk).exists()


def test_a_request_without_a_guest_id_owns_nothing(rf, db):
    ScreeningFactory()
    request = rf.get("/")
    request.session = {}
    request.user = AnonymousUser()

    assert not Screening.objects.for_request(request).exists()


def test_acknowledge_records_the_first_confirmation_only(patient):
    screening = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)
    assert screening.needs_acknowledgement

    screening.acknowledge()
    first = screening.acknowledged_at
    screening.acknowledge()

    assert screening.acknowledged_at == first
    assert not screening.needs_acknowledgement
