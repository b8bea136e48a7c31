"""The checklist wizard: start, answer with notes, resume, htmx and plain posts, bad input."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.checklist.models import Run
from backpain.wizard import ANSWER_MESSAGE, ITEM_MESSAGE, NOTE_MESSAGE
from tests.checklist.factories import answer_all, step_url
from tests.wizard_helpers import HTMX, checked


def note_text(html: str) -> str:
    return re.search(r'<textarea name="note"[^>]*>\n?(.*?)</textarea>', html, re.S).group(1)


@pytest.fixture
def started(anon_client, items):
    """A guest who pressed Start."""
    anon_client.post(reverse("checklist:new"))
    return anon_client


def test_the_start_page_explains_and_offers_to_start(anon_client, items):
    html = anon_client.get(reverse("checklist:start")).content.decode()

    assert "11 questions covering 13 points" in html
    assert "Start the checklist" in html
    assert "education, not a diagnosis" in html


def test_start_makes_a_guest_run_and_goes_to_the_first_item(anon_client, items):
    response = anon_client.post(reverse("checklist:new"))

    assert response.url == step_url(1)
    run = Run.objects.get()
    assert str(run.guest_id) == anon_client.session["guest_id"]
    assert run.user is None


def test_a_patients_run_belongs_to_their_account(patient_client, patient, items):
    patient_client.post(reverse("checklist:new"))

    assert Run.objects.get().user == patient


def test_a_step_shows_the_item_how_to_check_yes_looks_like_why_choices_and_a_note(started, items):
    item = items[2]

    html = started.get(step_url(3)).content.decode()

    assert "Question 3 of 11" in html
    assert '<progress aria-labelledby="wizard-progress" max="11" value="3"' in html
    assert f'<legend><h1 class="wizard__heading" data-focus-on-swap>{item.question}' in html
    assert "How to check yourself" in html
    for instruction in item.how_to_check:
        assert f"<li>{instruction}</li>" in html
    assert "<strong>What yes looks like:</strong> " + item.yes_looks_like in html
    assert "<summary>Why it matters</summary>" in html
    assert html.index("<details") < html.index(item.why)
    assert ">Not sure</label>" in html
    assert html.count('type="radio"') == 3
    assert '<label for="id_note">Your note (optional)</label>' in html
    assert 'maxlength="280"' in html
    assert f'href="{step_url(2)}"' in html  # Back
    assert "<title>Question 3 of 11: movement checklist · backpain</title>" in html


def test_an_answer_and_note_are_saved_and_lead_to_the_next_item(started, items):
    response = started.post(
        step_url(1), {"item": items[0].key, "answer": "no", "note": "Hips forward in trainers"}
    )

    assert response.url == step_url(2)
    answer = Run.objects.get().answers.get()
    assert (answer.item, answer.value, answer.note) == (items[0], "no", "Hips forward in trainers")


def test_going_back_shows_the_earlier_answer_and_note(started, items):
    started.post(step_url(1), {"item": items[0].key, "answer": "unsure", "note": "Ask a friend"})

    html = started.get(step_url(1)).content.decode()

    assert checked(html) == ["unsure"]
    assert note_text(html) == "Ask a friend"


def test_the_start_page_resumes_at_the_first_unanswered_item(started, items):
    for number in (1, 2, 3):
        started.post(step_url(number), {"item": items[number - 1].key, "answer": "no"})

    html = started.get(reverse("checklist:start")).content.decode()

    assert "You have answered 3 of 11 items." in html
    assert f'href="{step_url(4)}">Continue with item 4' in html


def test_start_again_discards_the_unfinished_answers(started, items):
    started.post(step_url(1), {"item": items[0].key, "answer": "yes"})

    started.post(reverse("checklist:new"))

    assert Run.objects.get().answers.count() == 0


def test_a_step_before_starting_sends_you_to_the_start_page(anon_client, items):
    response = anon_client.get(step_url(1))

    assert response.url == reverse("checklist:start")


def test_answering_every_item_completes_the_run_and_shows_the_result(anon_client, items):
    response = answer_all(anon_client, {"hip_mobility": "no"})

    run = Run.objects.get()
    assert response.url == run.get_absolute_url()
    assert (run.score, run.priority_keys) == (12, ["hip_mobility"])


def test_the_last_step_with_a_gap_goes_back_to_the_first_unanswered_item(started, items):
    started.post(step_url(1), {"item": items[0].key, "answer": "no"})

    response = started.post(step_url(11), {"item": items[10].key, "answer": "no"})

    assert response.url == step_url(2)
    assert not Run.objects.completed().exists()


def test_a_post_after_the_session_lost_its_run_keeps_the_answer(anon_client, items):
    response = anon_client.post(step_url(1), {"item": items[0].key, "answer": "yes"})

    assert response.url == step_url(2)
    assert Run.objects.get().answers.get().value == "yes"


# htmx: the same views answer with the #wizard partial of the same template.


def test_htmx_gets_the_step_fragment_not_the_page(started):
    response = started.get(step_url(2), headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html
    title = "<title>Question 2 of 11: movement checklist · backpain</title>"
    assert html.lstrip().startswith(title)
    assert '<div id="wizard" class="wizard" hx-target="this" hx-swap="outerHTML">' in html
    assert "How to check yourself" in html
    assert 'name="note"' in html
    assert response["HX-Push-Url"] == step_url(2)
    assert "HX-Request" in response["Vary"]


def test_htmx_posts_redirect_to_the_next_step_which_htmx_follows(started, items):
    response = started.post(step_url(1), {"item": items[0].key, "answer": "no"}, headers=HTMX)

    assert (response.status_code, response.url) == (302, step_url(2))


def test_htmx_finishing_loads_the_whole_result_page(started, items):
    for number, item in enumerate(items[:-1], start=1):
        started.post(step_url(number), {"item": item.key, "answer": "no"})

    response = started.post(step_url(11), {"item": items[10].key, "answer": "no"}, headers=HTMX)

    assert response["HX-Redirect"] == Run.objects.get().get_absolute_url()


def test_an_htmx_error_comes_back_as_the_fragment_focused_on_the_message(started, items):
    response = started.post(step_url(4), {"item": items[3].key, "note": "kept"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert ANSWER_MESSAGE in html
    assert note_text(html) == "kept"
    assert response["HX-Replace-Url"] == step_url(4)
    assert 'id="wizard-error" data-focus-on-swap' in html
    assert html.count("data-focus-on-swap") == 1


def test_htmx_back_without_a_run_loads_the_whole_start_page(anon_client, items):
    response = anon_client.get(step_url(2), headers=HTMX)

    assert response["HX-Redirect"] == reverse("checklist:start")


# Bad input: shown again with a message by the field, 200, nothing saved, choices kept.


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, ITEM_MESSAGE),
        ({"item": "hips_over_heels"}, ANSWER_MESSAGE),
        ({"item": "hips_over_heels", "answer": ""}, ANSWER_MESSAGE),
        ({"item": "hips_over_heels", "answer": "maybe"}, ANSWER_MESSAGE),
        ({"item": "hips_over_heels", "answer": "YES"}, ANSWER_MESSAGE),
        ({"item": "no_such_item", "answer": "no"}, ITEM_MESSAGE),
        ({"item": "ribcage_down", "answer": "no"}, ITEM_MESSAGE),  # the second item's key
        ({"item": "x" * 500, "answer": "no"}, ITEM_MESSAGE),
    ],
    ids=[
        "empty",
        "no answer",
        "blank answer",
        "unknown answer",
        "wrong case",
        "unknown item",
        "another item",
        "huge key",
    ],
)
def test_a_bad_post_is_shown_again_with_a_message_and_saves_nothing(started, data, message):
    response = started.post(step_url(1), {**data, "note": "my note"})

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'aria-describedby="wizard-hint wizard-error"' in html
    assert "Question 1 of 11" in html
    assert note_text(html) == "my note"
    assert Run.objects.get().answers.count() == 0


def test_an_over_long_note_is_shown_by_the_note_with_the_answer_kept(started, items):
    long_note = "a" * 281

    response = started.post(step_url(1), {"item": items[0].key, "answer": "no", "note": long_note})

    html = response.content.decode()
    assert response.status_code == 200
    assert NOTE_MESSAGE in html
    assert '<ul class="errorlist" id="id_note_error">' in html
    assert 'aria-invalid="true" aria-describedby="id_note_helptext id_note_error"' in html
    # The question itself was fine: the focus goes to the note's message.
    assert "wizard__question field--invalid" not in html
    assert '<div class="wizard__error" data-focus-on-swap>' in html
    assert checked(html) == ["no"]
    assert note_text(html) == long_note
    assert Run.objects.get().answers.count() == 0


def test_a_note_of_exactly_280_characters_is_fine(started, items):
    response = started.post(step_url(1), {"item": items[0].key, "answer": "no", "note": "b" * 280})

    assert response.status_code == 302
    assert Run.objects.get().answers.get().note == "b" * 280


@pytest.mark.parametrize(("number", "shown"), [(12, 11), (999, 11), (0, 1), (-3, 1)])
def test_a_step_out_of_range_shows_the_nearest_item_with_a_message(started, number, shown):
    response = started.get(step_url(number))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Question {shown} of 11" in html
    assert ("There are only 11" if number > 11 else "There is no question with that number") in html
    assert f'action="{step_url(shown)}"' in html


def test_a_post_to_a_step_beyond_the_end_saves_nothing_and_keeps_the_choice(started, items):
    data = {"item": items[10].key, "answer": "unsure", "note": "hmm"}

    response = started.post(step_url(40), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "There are only 11 questions" in html
    assert checked(html) == ["unsure"]
    assert note_text(html) == "hmm"
    assert Run.objects.get().answers.count() == 0


def test_the_wizard_rejects_other_methods(started):
    assert started.put(step_url(1)).status_code == 405
    assert started.get(reverse("checklist:new")).status_code == 405


def test_a_step_costs_a_fixed_number_of_queries(started, items, django_assert_max_num_queries):
    for number in range(1, 9):
        started.post(step_url(number), {"item": items[number - 1].key, "answer": "no"})

    with django_assert_max_num_queries(6):
        started.get(step_url(9))
    with django_assert_max_num_queries(12):
        started.post(step_url(9), {"item": items[8].key, "answer": "no"})
