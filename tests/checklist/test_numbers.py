"""One story about the checklist everywhere: 11 questions covering 13 points, "Question 3 of
11" on the way, and a score out of 13 wherever a score is shown; and the low-bone-density
note in full only for the people it applies to."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from apps.checklist.models import Item
from apps.exercises.models import Exercise
from apps.progress.models import Plan, PlanItem
from tests.checklist.factories import answer_all, completed_run, step_url
from tests.screening.factories import ScreeningFactory

MARKER = "<summary>Low bone density: take care</summary>"
FULL_NOTE = '<div class="caution" role="note">'


def test_the_checklist_asks_11_questions_covering_13_points(client, content):
    assert Item.objects.active().count() == 11
    assert sorted(p for item in Item.objects.active() for p in item.points) == list(range(1, 14))
    start = client.get(reverse("checklist:start")).content.decode()
    client.post(reverse("checklist:new"))

    step = client.get(step_url(3)).content.decode()

    assert "11 questions covering 13 points" in start
    assert "Question 3 of 11</p>" in step
    assert "Item 3" not in step


def test_the_score_is_out_of_13_on_the_result_history_today_review_and_report(
    patient_client, clinician_client, patient, content
):
    run = completed_run(patient, answers={"ribcage_down": "no", "hip_mobility": "no"})
    expected = f"{run.score} out of 13 points"

    pages = {
        "result": patient_client.get(run.get_absolute_url()),
        "history": patient_client.get(reverse("checklist:history")),
        "today": patient_client.get("/"),
        "review": clinician_client.get(reverse("clinic:review", args=[patient.uuid])),
        "report": clinician_client.get(reverse("clinic:report", args=[patient.uuid])),
    }

    assert 0 < run.score < 13
    for name, response in pages.items():
        body = response.content.decode()
        assert response.status_code == 200, name
        assert expected in body, name
        assert "of 10 points" not in body, name


def flagged_item_and_exercise() -> tuple[Item, Exercise]:
    flagged = set(Exercise.objects.filter(bone_density_caution=True).values_list("slug", flat=True))
    item = next(i for i in Item.objects.active() if flagged & set(i.exercise_slugs))
    exercise = Exercise.objects.get(slug=next(s for s in item.exercise_slugs if s in flagged))
    return item, exercise


def test_the_result_gives_the_full_bone_density_note_only_to_people_who_raised_it(
    patient_client, patient, other_patient_client, other_patient, content
):
    item, exercise = flagged_item_and_exercise()
    ScreeningFactory(user=patient, bone_density_caution=True)
    ScreeningFactory(user=other_patient, bone_density_caution=False)
    flagged = completed_run(patient, answers={item.key: "no"})
    unflagged = completed_run(other_patient, answers={item.key: "no"})
    guest = Client()
    guest_result = answer_all(guest, {item.key: "no"})["Location"]

    full = patient_client.get(flagged.get_absolute_url()).content.decode()
    marked = other_patient_client.get(unflagged.get_absolute_url()).content.decode()
    anonymous = guest.get(guest_result).content.decode()

    assert FULL_NOTE in full and MARKER not in full
    assert exercise.bone_density_note in full
    for body in (marked, anonymous):
        assert FULL_NOTE not in body and MARKER in body
        assert "Take care: low bone density" not in body  # nor the callout listing them
        details = body.split('<details class="caution-marker">')[1].split("</details>")[0]
        assert exercise.bone_density_note in details


def test_the_plan_shows_a_marker_unless_the_patient_raised_the_caution(
    patient_client, patient, content
):
    _, exercise = flagged_item_and_exercise()
    screening = ScreeningFactory(user=patient, bone_density_caution=False)
    patient_client.get("/plan/")
    plan = Plan.objects.get(patient=patient)
    PlanItem.objects.create(plan=plan, exercise=exercise, order=99)

    marked = patient_client.get("/plan/").content.decode()
    screening.bone_density_caution = True
    screening.save()
    full = patient_client.get("/plan/").content.decode()

    assert MARKER in marked and FULL_NOTE not in marked
    assert FULL_NOTE in full and MARKER not in full


def test_the_library_asks_once_whoever_is_flagged_and_however_many_cards(
    patient_client, patient, content, fresh_page
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ScreeningFactory(user=patient, bone_density_caution=True)
    fresh_page()  # both pages read the content version, and neither is kept yet
    with CaptureQueriesContext(connection) as one:
        patient_client.get("/exercises/?kind=yoga")
    fresh_page()
    with CaptureQueriesContext(connection) as every:
        body = patient_client.get("/exercises/").content.decode()

    assert body.count(FULL_NOTE) == Exercise.objects.filter(bone_density_caution=True).count()
    assert len(one.captured_queries) == len(every.captured_queries)
