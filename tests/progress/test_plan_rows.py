"""Swap, remove and undo on the plan page: one row at a time with htmx, whole pages without."""

from __future__ import annotations

import pytest

from apps.exercises.models import Exercise
from apps.progress import services
from apps.progress.models import Frequency, Plan, PlanItem
from tests.screening.factories import ScreeningFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def plan(patient, patient_client, content) -> Plan:
    ScreeningFactory(user=patient)
    patient_client.get("/plan/")
    return Plan.objects.get(patient=patient, active=True)


@pytest.fixture
def strength_item(plan) -> PlanItem:
    """A 2-3 days a week item with a dose of its own, so Undo has days and amounts to restore."""
    item = plan.items.select_related("exercise").order_by("order", "id").last()
    item.frequency, item.weekdays = Frequency.TWO_THREE, [1, 4]
    item.sets, item.reps, item.reason = 3, 8, "Start here: core strength"
    item.save()
    return item


def test_an_htmx_swap_answers_with_the_row_and_updates_today_and_the_week(patient_client, plan):
    item = plan.items.select_related("exercise").get(exercise__slug="cat-cow")
    choice = services.swap_choices(item, list(Exercise.objects.all()), bone_density=False)[0]

    response = patient_client.post(
        f"/plan/items/{item.id}/swap/", {"exercise": choice.slug}, **HTMX
    )
    body = response.content.decode()

    item.refresh_from_db()
    assert item.exercise == choice
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith(f'<li class="plan-item" id="plan-item-{item.id}">')
    assert f"Swapped Cat-cow for {choice.name}." in body
    assert 'id="plan-today" hx-swap-oob="true"' in body
    assert 'id="plan-week" hx-swap-oob="true"' in body


def test_an_htmx_swap_to_an_exercise_not_offered_says_so_in_the_row(patient_client, plan):
    item = plan.items.select_related("exercise").get(exercise__slug="cat-cow")

    body = patient_client.post(
        f"/plan/items/{item.id}/swap/", {"exercise": "plank"}, **HTMX
    ).content.decode()

    assert "That exercise cannot replace Cat-cow" in body
    assert PlanItem.objects.get(id=item.id).exercise.slug == "cat-cow"


def test_without_javascript_a_swap_returns_to_the_row(patient_client, plan):
    item = plan.items.select_related("exercise").get(exercise__slug="cat-cow")
    choice = services.swap_choices(item, list(Exercise.objects.all()), bone_density=False)[0]

    response = patient_client.post(f"/plan/items/{item.id}/swap/", {"exercise": choice.slug})

    assert response.status_code == 302
    assert response["Location"] == f"/plan/#plan-item-{item.id}"


def test_an_htmx_removal_leaves_undo_in_the_row_and_undo_restores_days_and_dose(
    patient_client, plan, strength_item
):
    name, weekdays = strength_item.exercise.name, list(strength_item.weekdays)

    removed = patient_client.post(f"/plan/items/{strength_item.id}/remove/", **HTMX)
    body = removed.content.decode()

    assert not PlanItem.objects.filter(id=strength_item.id).exists()
    assert f'id="plan-item-{strength_item.id}"' in body
    assert f"Removed {name} from your plan." in body
    assert f'action="/plan/items/{strength_item.id}/restore/"' in body
    assert f'aria-label="Undo: put {name} back">Undo</button>' in body
    assert name not in body.split('id="plan-today"')[1]  # Today no longer lists it

    restored = patient_client.post(f"/plan/items/{strength_item.id}/restore/", **HTMX)
    back = plan.items.get(exercise=strength_item.exercise)

    assert f'id="plan-item-{back.id}"' in restored.content.decode()
    assert f"Put {name} back in your plan." in restored.content.decode()
    assert (back.sets, back.reps, back.weekdays) == (3, 8, weekdays)
    assert (back.frequency, back.order, back.reason) == (
        strength_item.frequency,
        strength_item.order,
        "Start here: core strength",
    )
    # Once put back, the same Undo cannot add it a second time.
    assert patient_client.post(f"/plan/items/{strength_item.id}/restore/").status_code == 404
    assert plan.items.filter(exercise=strength_item.exercise).count() == 1


def test_without_javascript_removal_shows_undo_on_the_page_and_undo_comes_back_to_the_row(
    patient_client, plan
):
    item = plan.items.select_related("exercise").first()

    response = patient_client.post(f"/plan/items/{item.id}/remove/")
    assert response["Location"] == f"/plan/?removed={item.id}#plan-undo"
    page = patient_client.get(response["Location"]).content.decode()
    assert 'id="plan-undo"' in page
    assert f"Removed {item.exercise.name} from your plan." in page
    assert f'action="/plan/items/{item.id}/restore/"' in page

    undone = patient_client.post(f"/plan/items/{item.id}/restore/")
    back = plan.items.get(exercise=item.exercise)
    assert undone["Location"] == f"/plan/#plan-item-{back.id}"
    page = patient_client.get("/plan/").content.decode()
    assert f"Put {item.exercise.name} back in your plan." in page
    # A stale ?removed= address shows nothing once the item is back.
    assert 'id="plan-undo"' not in patient_client.get(f"/plan/?removed={item.id}").content.decode()


def test_undo_follows_strength_days_moved_since_the_removal(patient_client, plan, strength_item):
    other = plan.items.exclude(id=strength_item.id).order_by("order", "id").first()
    other.frequency, other.weekdays = Frequency.TWO_THREE, [1, 4]
    other.save()
    patient_client.post(f"/plan/items/{strength_item.id}/remove/")
    patient_client.post("/plan/days/", {"days": ["0", "2"]})
    assert PlanItem.objects.get(id=other.id).weekdays == [0, 2]

    patient_client.post(f"/plan/items/{strength_item.id}/restore/")

    assert plan.items.get(exercise=strength_item.exercise).weekdays == [0, 2]


def test_undo_after_the_plan_was_rebuilt_puts_nothing_back_and_says_why(
    patient, patient_client, plan
):
    item = plan.items.select_related("exercise").first()
    patient_client.post(f"/plan/items/{item.id}/remove/")
    services.plan_build(patient=patient)
    new_plan = Plan.objects.get(patient=patient, active=True)
    count = new_plan.items.count()

    body = patient_client.post(f"/plan/items/{item.id}/restore/", follow=True).content.decode()

    assert f"Your plan has changed since, so {item.exercise.name} cannot be put back." in body
    assert new_plan.items.count() == count
    assert not Plan.objects.get(id=plan.id).items.filter(exercise=item.exercise).exists()


def test_nobody_else_can_undo_a_patients_removal(
    patient_client,
    plan,
    other_patient_client,
    clinician_client,
    stranger_clinician_client,
    anon_client,
):
    item = plan.items.first()
    patient_client.post(f"/plan/items/{item.id}/remove/")
    url = f"/plan/items/{item.id}/restore/"

    assert other_patient_client.post(url).status_code == 404
    assert other_patient_client.post(url, **HTMX).status_code == 404
    assert clinician_client.post(url).status_code == 404
    assert stranger_clinician_client.post(url).status_code == 404
    response = anon_client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not plan.items.filter(exercise_id=item.exercise_id).exists()
    assert patient_client.post(url).status_code == 302  # still theirs to undo


@pytest.mark.parametrize("action", ["swap", "remove"])
def test_a_linked_clinician_cannot_change_a_patients_plan_rows(clinician_client, plan, action):
    item = plan.items.first()

    response = clinician_client.post(
        f"/plan/items/{item.id}/{action}/", {"exercise": "plank"}, **HTMX
    )

    assert response.status_code == 404
    assert PlanItem.objects.filter(id=item.id, exercise_id=item.exercise_id).exists()


def test_a_prescribed_programme_has_no_swap_remove_or_undo(
    patient, patient_client, clinician, content
):
    ScreeningFactory(user=patient)
    prescribed = Plan.objects.create(patient=patient, author=clinician, kind="prescribed")
    item = prescribed.items.create(exercise=Exercise.objects.get(slug="plank"), order=0)

    assert patient_client.post(f"/plan/items/{item.id}/remove/", **HTMX).status_code == 404
    assert patient_client.post(f"/plan/items/{item.id}/restore/", **HTMX).status_code == 404
    assert prescribed.items.filter(id=item.id).exists()
