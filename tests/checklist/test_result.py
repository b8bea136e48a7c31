"""The result: score, priorities, start here, body map, notes, cautions, changes, queries."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from apps.checklist import notes
from apps.checklist.models import Run
from apps.checklist.results import latest_priorities
from backpain.guest import SESSION_KEY
from tests.checklist.factories import KEYS, answer_all, completed_run
from tests.screening.factories import ScreeningFactory

MIX = {
    "relaxed_core": "no",
    "hips_over_heels": "no",
    "hip_mobility": "no",
    "spinal_mobility": "unsure",
    "breathing_360": "unsure",
}
MIX_ORDER = ["hip_mobility", "hips_over_heels", "relaxed_core", "spinal_mobility", "breathing_360"]


def result_html(client) -> str:
    response = client.get(Run.objects.get().get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def priorities(html: str) -> list[str]:
    return re.search(r'data-priorities="([^"]*)"', html).group(1).split()


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def mixed(anon_client, items):
    answer_all(anon_client, MIX)
    return result_html(anon_client)


def test_the_score_counts_the_points_answered_yes(mixed):
    # 13 points, less hips over heels (1), relaxed core (3), hip mobility (1), spine (1), breath (1)
    assert '<span class="score">6 out of 13 points</span>' in mixed
    assert "<title>Your movement checklist: 6 out of 13 points · backpain</title>" in mixed


def test_the_priorities_list_no_before_not_sure_in_the_sources_order(mixed):
    assert priorities(mixed) == MIX_ORDER
    listed = re.findall(r'<li data-key="(\w+)">', section(mixed, "priorities-heading"))
    assert listed == MIX_ORDER


def test_start_here_shows_the_first_priority_with_three_exercises_and_a_routine(mixed):
    start = section(mixed, "start-heading")

    assert "Start here: Hip mobility" in start
    links = re.findall(r'<a href="/exercises/([\w-]+)/">', start)
    assert links == ["hip-mobility-lunge", "piriformis-stretch", "hip-flexor-stretch"]
    items = "hip-mobility-lunge,piriformis-stretch,hip-flexor-stretch"
    routine = f"{reverse('exercises:routine')}?items={items}"
    assert f'<a class="button" href="{routine}">Start a routine with these</a>' in start


def test_every_priority_links_its_exercises(mixed):
    listed = section(mixed, "priorities-heading")

    assert 'href="/exercises/ribcage-360-breathing/"' in listed  # relaxed core and breathing
    assert 'href="/exercises/isometric-holds/"' in listed
    assert 'href="/exercises/cat-cow/"' in listed


def test_the_body_map_highlights_the_priorities_regions_with_a_text_equivalent(mixed):
    body = section(mixed, "bodymap-heading")

    assert '<svg class="bodymap"' in body and 'role="img"' in body
    assert "style=" not in mixed
    work = re.findall(r"bodymap__joint--(mobile|stable) bodymap__joint--work", body)
    # Hip, ankle, lumbar and thoracic spine (the neck is not in the chain).
    assert len(work) == 4
    assert body.count('class="bodymap__joint ') == 7
    assert "Knee: needs to be stable</li>" in body
    assert "Hip: needs to be mobile. <strong>Work on this.</strong>" in body
    assert "Areas to work on: Upper back and ribcage (thoracic spine)" in body


def test_the_result_says_education_not_diagnosis_and_gives_the_pain_science(mixed):
    assert "education, not a diagnosis" in mixed
    pain = section(mixed, "pain-heading")
    for point in notes.pain_science():
        assert point in pain


def test_the_answers_table_shows_each_answer_and_note(anon_client, items):
    anon_client.post(reverse("checklist:new"))
    for number, item in enumerate(items, start=1):
        note = "Left side stiffer" if item.key == "hip_mobility" else ""
        anon_client.post(
            reverse("checklist:step", args=[number]),
            {"item": item.key, "answer": "no" if note else "yes", "note": note},
        )

    answers = section(result_html(anon_client), "answers-heading")

    assert "Your answers" in answers
    assert "<td>Left side stiffer</td>" in answers
    assert answers.count("<tr data-key=") == 11
    assert "Last time" not in answers


def test_all_yes_says_keep_it_up_with_no_priorities(anon_client, items):
    answer_all(anon_client, default="yes")

    html = result_html(anon_client)

    assert priorities(html) == []
    assert notes.message_text(notes.Message.KEEP_IT_UP).replace("'", "&#x27;") in html
    assert "Start here" not in html
    assert "13 out of 13 points" in html
    assert "bodymap__joint--work" not in html


def test_all_not_sure_starts_with_spinal_mobility(anon_client, items):
    answer_all(anon_client, default="unsure")

    html = result_html(anon_client)

    assert priorities(html)[0] == "spinal_mobility"
    assert "Start here: Spinal mobility" in html
    assert "Not sure where to begin?" in html
    assert "0 out of 13 points" in html


# Bone density: cautioned exercises always say so; a screening that raised it adds a callout.


def test_without_the_screenings_caution_flagged_exercises_still_carry_their_note(
    anon_client, items
):
    answer_all(anon_client, default="unsure")

    html = result_html(anon_client)

    assert "Take care: low bone density" not in html
    start = section(html, "start-heading")
    # cat-cow, angry cat, thoracic spine roll (its weight rests on a roller under the spine)
    assert start.count("<summary>Low bone density: take care</summary>") == 3
    assert 'class="caution" role="note"' not in start


def test_the_patients_bone_density_caution_is_shown_with_the_exercises(
    patient_client, patient, items
):
    ScreeningFactory(user=patient, bone_density_caution=True)
    answer_all(patient_client, {"spinal_mobility": "no"})

    html = result_html(patient_client)

    callout = section(html, "bone-heading")
    assert 'href="/exercises/cat-cow/"' in callout and 'href="/exercises/angry-cat/"' in callout
    assert 'href="/exercises/thoracic-spine-roll/"' in callout  # weight on a roller under the spine
    assert 'href="/exercises/cat-cow/"' in section(html, "start-heading")  # shown, not hidden


def test_a_guests_own_screening_raises_the_caution_too(anon_client, items):
    answer_all(anon_client, {"spinal_mobility": "no"})
    ScreeningFactory(
        guest_id=uuid.UUID(anon_client.session[SESSION_KEY]), bone_density_caution=True
    )

    assert "Take care: low bone density" in result_html(anon_client)


def test_no_callout_when_no_priority_links_a_flagged_exercise(patient_client, patient, items):
    ScreeningFactory(user=patient, bone_density_caution=True)
    answer_all(patient_client, {"breathing_360": "no"})

    assert "Take care: low bone density" not in result_html(patient_client)


# A new run compared with the previous one.


def test_a_second_run_shows_per_item_what_changed_and_the_score_trend(
    patient_client, patient, items
):
    completed_run(
        patient,
        {"hip_mobility": "no", "spinal_mobility": "unsure", "arms_overhead": "no"},
        default="yes",
        days_ago=14,
    )
    answer_all(
        patient_client,
        {"hip_mobility": "unsure", "spinal_mobility": "yes", "ribcage_down": "no"},
    )
    latest = Run.objects.completed().order_by("-completed_at").first()

    html = patient_client.get(latest.get_absolute_url()).content.decode()

    changes = section(html, "answers-heading")
    assert "What changed since last time" in changes
    found = dict(re.findall(r'<tr data-key="(\w+)" data-change="(\w+)">', changes))
    assert found == dict.fromkeys(KEYS, "same") | {
        "hip_mobility": "improved",
        "spinal_mobility": "improved",
        "arms_overhead": "improved",
        "ribcage_down": "worse",
    }
    assert '<span class="change change--worse">Worse</span>' in changes
    trend = " ".join(re.search(r'<p class="trend">(.*?)</p>', html, re.S).group(1).split())
    assert trend.endswith("you scored 10 out of 13: <strong>up 1 point</strong>.")


def test_the_first_run_has_no_comparison(patient_client, items):
    answer_all(patient_client)

    html = result_html(patient_client)

    assert "What changed" not in html
    assert 'class="trend"' not in html


# Queries: a fixed number, however many runs and answers there are.


def test_the_result_costs_the_same_queries_with_1_or_20_earlier_runs(
    patient_client, patient, items, django_assert_max_num_queries, fresh_page
):
    ScreeningFactory(user=patient, bone_density_caution=True)
    completed_run(patient, default="no", days_ago=30)
    answer_all(patient_client, default="no")
    latest = Run.objects.completed().order_by("-completed_at").first()
    with django_assert_max_num_queries(9) as few:
        patient_client.get(latest.get_absolute_url())

    for days in range(1, 20):
        completed_run(patient, default="unsure", days_ago=30 + days)
    fresh_page()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = patient_client.get(latest.get_absolute_url())
    assert response.status_code == 200


def test_latest_priorities_are_the_items_of_the_newest_completed_run(patient, other_patient, items):
    assert latest_priorities(patient) == []
    completed_run(patient, {"relaxed_core": "no"}, days_ago=9)
    completed_run(patient, {"hip_mobility": "no", "spinal_mobility": "unsure"}, days_ago=1)
    completed_run(other_patient, {"arms_overhead": "no"})
    Run.objects.create(user=patient)  # unfinished

    found = latest_priorities(patient)

    assert [item.key for item in found] == ["hip_mobility", "spinal_mobility"]
    assert found[0].exercise_slugs[0] == "hip-mobility-lunge"


def test_an_unconfirmed_emergency_puts_the_banner_first_and_offers_no_routine(
    patient_client, patient, items
):
    answer_all(patient_client, MIX)
    emergency = ScreeningFactory(user=patient, urgency="emergency")

    html = result_html(patient_client)

    assert 'id="gate-heading"' in html
    assert html.index('id="gate-heading"') < html.index('id="start-heading"')
    assert "Start a routine with these" not in html
    emergency.acknowledge()
    assert "Start a routine with these" in result_html(patient_client)
