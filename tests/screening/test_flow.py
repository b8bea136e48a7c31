"""The check's safety flow: an emergency answer ends it at once, and an unconfirmed emergency
holds the person at their result until they confirm they sought care."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.screening.models import Question, Screening
from tests.screening.factories import answer_all, step_url
from tests.wizard_helpers import HTMX

FIRST_EMERGENCY, LAST_EMERGENCY = 1, 7  # bladder_bowel, serious_accident
SOON_AND_PHYSIO = [
    "radiating",
    "sleep_or_movement",
    "getting_worse",
    "age_onset",
    "inflammatory",
    "not_improving",
]


def signs_line(html: str) -> str:
    """Return the text of the result's line naming the signs, spaces tidied."""
    found = re.search(r'<p class="result__signs">(.*?)</p>', html, re.DOTALL)
    assert found, "the result names no sign"
    return " ".join(found.group(1).split())


def answer_up_to(client, questions, number: int, answer: str, **headers):
    """Start a check, answer no until question `number`, and give it `answer`."""
    client.post(reverse("screening:new"))
    for earlier, question in enumerate(questions[: number - 1], start=1):
        client.post(step_url(earlier), {"item": question.key, "answer": "no"})
    question = questions[number - 1]
    return client.post(step_url(number), {"item": question.key, "answer": answer}, headers=headers)


@pytest.fixture
def emergency(anon_client, questions) -> Screening:
    """A guest whose check ended on an emergency answer they have not confirmed."""
    answer_up_to(anon_client, questions, FIRST_EMERGENCY, "yes")
    return Screening.objects.get()


# An emergency answer ends the check at once.


@pytest.mark.parametrize("number", [FIRST_EMERGENCY, LAST_EMERGENCY])
@pytest.mark.parametrize(
    ("answer", "because"), [("yes", "Because of"), ("unsure", "You were not sure about")]
)
def test_an_emergency_answer_goes_straight_to_the_emergency_result(
    anon_client, questions, number, answer, because
):
    response = answer_up_to(anon_client, questions, number, answer)

    screening = Screening.objects.get()
    key = questions[number - 1].key
    assert response.status_code == 302
    assert response.url == screening.get_absolute_url()
    assert screening.is_complete
    assert screening.urgency == "emergency"
    assert screening.trigger_keys == [key]
    assert list(screening.answer_map()) == [q.key for q in questions[:number]]
    html = anon_client.get(response.url).content.decode()
    trigger = questions[number - 1].trigger.lower()
    assert signs_line(html) == f"{because}: <strong>{trigger}</strong>."


@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_htmx_is_told_to_load_the_emergency_result_as_a_whole_page(anon_client, questions, answer):
    response = answer_up_to(anon_client, questions, FIRST_EMERGENCY, answer, **HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == Screening.objects.get().get_absolute_url()


@pytest.mark.parametrize("answer", ["yes", "unsure"])
def test_an_urgent_answer_does_not_end_the_check(anon_client, questions, answer):
    response = answer_up_to(anon_client, questions, 8, answer)  # possible_fracture

    assert response.url == step_url(9)
    assert not Screening.objects.get().is_complete


# Until the emergency is confirmed, the person stays with their result.


def test_starting_a_new_check_goes_back_to_the_unconfirmed_result(anon_client, emergency):
    response = anon_client.post(reverse("screening:new"))

    assert response.url == f"{emergency.get_absolute_url()}#next-steps"
    assert Screening.objects.get() == emergency


@pytest.mark.parametrize("number", [1, 2, 9])
def test_every_step_goes_back_to_the_unconfirmed_result(anon_client, questions, emergency, number):
    question = questions[number - 1]

    shown = anon_client.get(step_url(number))
    posted = anon_client.post(step_url(number), {"item": question.key, "answer": "no"})
    posted_htmx = anon_client.post(
        step_url(number), {"item": question.key, "answer": "no"}, headers=HTMX
    )

    next_steps = f"{emergency.get_absolute_url()}#next-steps"
    assert shown.status_code == posted.status_code == 302
    assert shown.url == posted.url == next_steps
    assert posted_htmx["HX-Redirect"] == next_steps
    assert Screening.objects.get() == emergency
    assert emergency.answer_map() == {"bladder_bowel": "yes"}


def test_the_start_page_shows_the_gate_instead_of_the_start_button(anon_client, emergency):
    html = anon_client.get(reverse("screening:start")).content.decode()

    assert 'id="gate-heading"' in html
    assert f"{emergency.get_absolute_url()}#next-steps" in html
    assert f'action="{reverse("screening:new")}"' not in html
    assert "Start the check" not in html


def test_the_unconfirmed_result_does_not_offer_to_take_the_check_again(anon_client, emergency):
    html = anon_client.get(emergency.get_absolute_url()).content.decode()

    assert f'action="{reverse("screening:new")}"' not in html
    assert "once you have confirmed above that you sought care" in html


def test_after_confirming_a_new_check_can_start(anon_client, emergency):
    anon_client.post(reverse("screening:acknowledge", args=[emergency.uuid]), {"confirmed": "on"})

    result = anon_client.get(emergency.get_absolute_url()).content.decode()
    response = anon_client.post(reverse("screening:new"))

    assert f'action="{reverse("screening:new")}"' in result
    assert response.url == step_url(1)
    assert Screening.objects.in_progress().count() == 1
    assert anon_client.get(step_url(1)).status_code == 200


# A not-sure to a sign that is not an emergency gives that sign's level, never the all-clear.


@pytest.mark.parametrize("key", SOON_AND_PHYSIO)
def test_not_sure_about_a_soon_or_physio_sign_gives_that_level_and_says_so(
    anon_client, questions, key
):
    response = answer_all(anon_client, {key: "unsure"})

    screening = Screening.objects.get()
    level = Question.objects.get(key=key).level
    html = anon_client.get(response.url).content.decode()
    assert screening.urgency == level
    assert f'data-urgency="{level}"' in html
    trigger = Question.objects.get(key=key).trigger.lower()
    assert signs_line(html) == f"You were not sure about: <strong>{trigger}</strong>."
    assert "No warning signs found" not in html


def test_a_yes_beside_a_not_sure_is_named_as_the_reason(anon_client, questions):
    response = answer_all(anon_client, {"radiating": "yes", "getting_worse": "unsure"})

    html = anon_client.get(response.url).content.decode()

    assert signs_line(html) == (
        "Because of: <strong>pain, numbness or tingling spreading into one leg</strong>; "
        "<strong>pain that is getting worse</strong>."
    )
