from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.screening import content
from apps.screening.models import Answer, Question, Screening
from apps.screening.triage import Urgency
from tests.screening.factories import ScreeningFactory, answered_screening


def test_load_content_is_idempotent_and_retires_questions_no_longer_in_the_file(questions):
    retired = Question.objects.create(
        key="old_question", order=99, text="?", why="-", level="soon", trigger="-"
    )

    summary = content.load()

    assert summary == f"{len(questions)} questions (0 new, 1 retired)"
    assert Question.objects.active().count() == len(questions) == 25
    retired.refresh_from_db()
    assert retired.active is False


def test_questions_come_in_order_with_every_emergency_sign_first(questions):
    assert [question.order for question in questions] == sorted(q.order for q in questions)
    assert [q.level for q in questions[:7]] == ["emergency"] * 7
    assert "emergency" not in {q.level for q in questions[7:]}
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
    screening.record(Question.objects.get(key="possible_fracture"), "yes")
    screening.record(Question.objects.get(key="radiating"), "unsure")
    screening.record(Question.objects.get(key="osteoporosis"), "unsure")

    outcome = screening.complete()

    screening.refresh_from_db()
    assert screening.urgency == outcome.urgency == Urgency.URGENT
    assert screening.trigger_keys == ["possible_fracture", "radiating"]
    assert screening.unsure_keys == ["radiating", "osteoporosis"]
    assert screening.kind == "full"
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


def test_an_early_ended_check_keeps_the_bone_density_caution_of_the_check_before(
    patient, questions
):
    answered_screening(patient, {"osteoporosis": "yes"})

    ended_early = answered_screening(patient, {"bladder_bowel": "yes"}, default=None)

    assert ended_early.answer_map() == {"bladder_bowel": "yes"}
    assert ended_early.bone_density_caution is True


# The weekly re-check: a screening of its own, built on the person's latest answers.


def test_a_recheck_is_a_new_completed_screening_over_the_latest_answers(patient, questions):
    before = answered_screening(patient, {"radiating": "yes", "osteoporosis": "yes"})

    recheck = Screening.objects.record_recheck(user=patient, answers={"weight_loss": "unsure"})

    assert recheck != before
    assert recheck.kind == "recheck"
    assert recheck.is_complete
    assert recheck.urgency == Urgency.URGENT
    assert recheck.trigger_keys == ["weight_loss", "radiating"]
    assert recheck.bone_density_caution is True
    assert recheck.answer_map() == {**before.answer_map(), "weight_loss": "unsure"}
    before.refresh_from_db()
    assert before.answer_map()["weight_loss"] == "no"


def test_a_recheck_leaves_the_unfinished_full_check_alone(patient, questions):
    answered_screening(patient, {})
    unfinished = answered_screening(patient, {"bladder_bowel": "no"}, default=None, complete=False)

    Screening.objects.record_recheck(user=patient, answers={"bladder_bowel": "yes"})

    unfinished.refresh_from_db()
    assert unfinished.completed_at is None
    assert unfinished.answer_map() == {"bladder_bowel": "no"}


def test_a_recheck_without_any_earlier_check_uses_its_own_answers(patient, questions):
    recheck = Screening.objects.record_recheck(
        user=patient, answers={"chest_pain": "no", "night_pain": "no"}
    )

    assert recheck.answer_map() == {"chest_pain": "no", "night_pain": "no"}
    assert recheck.urgency == Urgency.NONE
    assert recheck.bone_density_caution is False


def test_confirming_an_emergency_confirms_the_earlier_unconfirmed_ones_too(patient):
    earlier = ScreeningFactory(
        user=patient,
        urgency=Urgency.EMERGENCY,
        completed_at=timezone.now() - timezone.timedelta(days=1),
    )
    latest = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)
    someone_elses = ScreeningFactory(urgency=Urgency.EMERGENCY)

    latest.acknowledge()

    earlier.refresh_from_db()
    someone_elses.refresh_from_db()
    assert earlier.acknowledged_at == latest.acknowledged_at
    assert someone_elses.acknowledged_at is None


def test_confirming_an_older_emergency_leaves_a_newer_one_unconfirmed(patient):
    older = ScreeningFactory(
        user=patient,
        urgency=Urgency.EMERGENCY,
        completed_at=timezone.now() - timezone.timedelta(days=1),
    )
    newer = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)

    older.acknowledge()

    newer.refresh_from_db()
    assert newer.needs_acknowledgement
