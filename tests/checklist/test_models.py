"""Runs and answers: constraints in the database, scoring and the previous run."""

from __future__ import annotations

import uuid

import pytest
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from apps.checklist.models import Answer, Item, Run
from tests.checklist.factories import completed_run


def fails(**fields) -> bool:
    try:
        with transaction.atomic():
            Run.objects.create(**fields)
    except IntegrityError:
        return True
    return False


def test_a_run_has_exactly_one_owner(patient):
    assert fails()
    assert fails(user=patient, guest_id=uuid.uuid4())
    assert not fails(user=patient)
    assert not fails(guest_id=uuid.uuid4())


@pytest.mark.parametrize(("score", "ok"), [(0, True), (13, True), (14, False), (None, False)])
def test_a_completed_run_has_a_score_from_0_to_13(patient, score, ok):
    assert fails(user=patient, completed_at=timezone.now(), score=score) is not ok


def test_an_unfinished_run_has_no_score(patient):
    assert fails(user=patient, score=5)


def test_answers_are_checked_by_the_database(patient, items):
    run = Run.objects.create(user=patient)
    run.record(items[0], "yes")

    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(run=run, item=items[0], value="no")  # a second answer
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(run=run, item=items[1], value="maybe")
    with pytest.raises(DataError), transaction.atomic():  # varchar(280)
        Answer.objects.create(run=run, item=items[1], value="no", note="x" * 281)


def test_items_points_stay_within_1_to_13(items):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=items[0].pk).update(points=[14])
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=items[0].pk).update(points=[])


def test_an_active_item_keeps_a_rank(items):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=items[0].pk).update(priority_rank=None)


def test_record_changes_an_answer_and_its_note(patient, items):
    run = Run.objects.create(user=patient)
    run.record(items[0], "no", "stiff")
    run.record(items[0], "unsure", "")

    answer = run.answers.get()
    assert (answer.value, answer.note) == ("unsure", "")


def test_complete_scores_the_points_and_stores_the_priorities(patient, items):
    run = completed_run(
        patient,
        {"relaxed_core": "yes", "hip_mobility": "no", "spinal_mobility": "unsure"},
        default="no",
    )

    assert run.score == 3  # relaxed_core covers points 10-12
    assert run.priority_keys[:2] == ["hip_mobility", "walking_extension"]
    assert run.priority_keys[-1] == "spinal_mobility"
    assert "relaxed_core" not in run.priority_keys
    assert run.is_complete


def test_a_retired_item_is_scored_but_no_longer_a_priority(patient, items):
    run = Run.objects.create(user=patient)
    for item in items:
        run.record(item, "no")
    Item.objects.filter(key="hip_mobility").update(active=False, priority_rank=None)

    run.complete()

    assert "hip_mobility" not in run.priority_keys
    assert len(run.priority_keys) == 10


def test_previous_is_the_same_persons_completed_run_before_this_one(patient, other_patient, items):
    oldest = completed_run(patient, days_ago=30)
    older = completed_run(patient, days_ago=10)
    completed_run(other_patient, days_ago=5)
    completed_run(days_ago=5)  # a guest's
    Run.objects.create(user=patient)  # unfinished
    latest = completed_run(patient)

    assert latest.previous() == older
    assert older.previous() == oldest
    assert oldest.previous() is None


def test_a_guests_previous_run_is_their_own(items):
    guest = uuid.uuid4()
    first = completed_run(guest_id=guest, days_ago=3)
    completed_run(days_ago=2)  # another guest's
    second = completed_run(guest_id=guest)

    assert second.previous() == first


def test_previous_with_answers_pairs_each_item_with_its_own_answer(
    patient, items, django_assert_num_queries
):
    first_key = Item.objects.active().first().key
    older = completed_run(patient, answers={first_key: "no"}, days_ago=10)
    latest = completed_run(patient)

    with django_assert_num_queries(1):
        previous, before = latest.previous_with_answers()

    assert previous == older
    assert before == dict(older.answers.values_list("item__key", "value"))
    assert before[first_key] == "no" and set(before.values()) == {"no", "yes"}
    assert older.previous_with_answers() == (None, {})
