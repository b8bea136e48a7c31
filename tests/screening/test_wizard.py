"""The step-by-step wizard: start, answer, resume, htmx and plain posts, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.screening.models import Screening
from backpain.wizard import ANSWER_MESSAGE, ITEM_MESSAGE
from tests.screening.factories import ScreeningFactory, answer_all, step_url
from tests.wizard_helpers import HTMX, checked

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def started(anon_client, questions):
    """A guest who pressed Start."""
    anon_client.post(reverse("screening:new"))
    return anon_client


def test_start_page_offers_to_start_and_names_the_emergency_signs_first(anon_client, questions):
    response = anon_client.get(reverse("screening:start"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Start the check" in html
    call_now = 'call <a href="tel:999" aria-label="Call 999, emergency services">999</a>'
    assert html.index(call_now) < html.index("Start the check")
    assert "25 short questions" in html


def test_start_makes_a_guest_screening_and_goes_to_the_first_question(anon_client, questions):
    response = anon_client.post(reverse("screening:new"))

    assert response.status_code == 302
    assert response.url == step_url(1)
    screening = Screening.objects.get()
    assert str(screening.guest_id) == anon_client.session["guest_id"]
    assert screening.user is None


def test_a_patients_screening_belongs_to_their_account(patient_client, patient, questions):
    patient_client.post(reverse("screening:new"))

    assert Screening.objects.get().user == patient


def test_a_step_shows_one_question_with_progress_why_and_three_choices(started, questions):
    response = started.get(step_url(3))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert "Question 3 of 25" in html
    assert '<progress aria-labelledby="wizard-progress" max="25" value="3"' in html
    assert f'<legend><h1 class="wizard__heading" data-focus-on-swap>{questions[2].text}' in html
    assert questions[2].why in html
    assert html.count('type="radio"') == 3
    assert ">Not sure</label>" in html
    assert f'href="{step_url(2)}"' in html  # Back


def test_the_first_steps_back_link_goes_to_the_start_page_without_htmx(started):
    html = started.get(step_url(1)).content.decode()

    start = reverse("screening:start")
    assert f'<a class="button button--secondary" href="{start}">Back</a>' in html


def test_a_step_before_starting_sends_you_to_the_start_page(anon_client, questions):
    response = anon_client.get(step_url(1))

    assert response.status_code == 302
    assert response.url == reverse("screening:start")


def test_an_answer_is_saved_and_leads_to_the_next_step(started, questions):
    response = started.post(step_url(1), {"item": questions[0].key, "answer": "no"})

    assert response.status_code == 302
    assert response.url == step_url(2)
    assert Screening.objects.get().answer_map() == {questions[0].key: "no"}


def test_going_back_shows_the_earlier_answer_selected(started, questions):
    started.post(step_url(8), {"item": questions[7].key, "answer": "unsure"})

    html = started.get(step_url(8)).content.decode()

    assert checked(html) == ["unsure"]


def test_the_start_page_resumes_at_the_first_unanswered_question(started, questions):
    for number in (1, 2, 3):
        started.post(step_url(number), {"item": questions[number - 1].key, "answer": "no"})

    html = started.get(reverse("screening:start")).content.decode()

    assert "You have answered 3 of 25 questions." in html
    assert f'href="{step_url(4)}">Continue with question 4' in html
    assert "Start again" in html


def test_start_again_discards_the_unfinished_answers(started, questions):
    started.post(step_url(1), {"item": questions[0].key, "answer": "no"})

    started.post(reverse("screening:new"))

    assert Screening.objects.get().answer_map() == {}


def test_answering_every_question_no_reaches_the_none_result(anon_client, questions):
    response = answer_all(anon_client)

    screening = Screening.objects.get()
    assert response.url == screening.get_absolute_url()
    assert screening.urgency == "none"
    page = anon_client.get(response.url).content.decode()
    assert 'data-urgency="none"' in page


def test_the_last_step_with_a_gap_goes_back_to_the_first_unanswered_question(started, questions):
    started.post(step_url(1), {"item": questions[0].key, "answer": "no"})

    response = started.post(step_url(25), {"item": questions[24].key, "answer": "no"})

    assert response.url == step_url(2)
    assert not Screening.objects.completed().exists()


def test_a_post_after_the_session_lost_its_screening_keeps_the_answer(anon_client, questions):
    response = anon_client.post(step_url(1), {"item": questions[0].key, "answer": "no"})

    assert response.url == step_url(2)
    assert Screening.objects.get().answer_map() == {questions[0].key: "no"}


def test_an_emergency_answer_after_the_session_lost_its_screening_still_ends_the_check(
    anon_client, questions
):
    response = anon_client.post(step_url(1), {"item": questions[0].key, "answer": "yes"})

    screening = Screening.objects.get()
    assert response.url == screening.get_absolute_url()
    assert screening.urgency == "emergency"
    assert screening.answer_map() == {questions[0].key: "yes"}


# htmx: the same views answer with the #wizard partial of the same template.


def test_htmx_gets_the_step_fragment_not_the_page(started):
    response = started.get(step_url(2), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    title = "<title>Question 2 of 25: check for warning signs · backpain</title>"
    assert html.lstrip().startswith(title)
    assert '<div id="wizard" class="wizard" hx-target="this" hx-swap="outerHTML">' in html
    assert response["HX-Push-Url"] == step_url(2)
    assert "HX-Request" in response["Vary"]


def test_the_full_page_also_varies_on_htmx(started):
    assert "HX-Request" in started.get(step_url(2))["Vary"]


def test_htmx_posts_redirect_to_the_next_step_which_htmx_follows(started, questions):
    response = started.post(step_url(1), {"item": questions[0].key, "answer": "no"}, headers=HTMX)

    assert response.status_code == 302
    assert response.url == step_url(2)


def test_an_htmx_error_comes_back_as_the_fragment_with_the_message_and_the_same_url(
    started, questions
):
    response = started.post(step_url(4), {"item": questions[3].key}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert ANSWER_MESSAGE in html
    assert response["HX-Replace-Url"] == step_url(4)
    # Focus goes to the message rather than the heading, so it is read out first.
    assert 'id="wizard-error" data-focus-on-swap' in html
    assert 'wizard__heading" data-focus-on-swap' not in html


def test_htmx_finishing_loads_the_whole_result_page(anon_client, questions):
    anon_client.post(reverse("screening:new"))
    for number, question in enumerate(questions[:-1], start=1):
        anon_client.post(step_url(number), {"item": question.key, "answer": "no"})

    last = {"item": questions[-1].key, "answer": "no"}

    response = anon_client.post(step_url(25), last, headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"] == Screening.objects.get().get_absolute_url()


def test_htmx_back_without_a_screening_loads_the_whole_start_page(anon_client, questions):
    response = anon_client.get(step_url(2), headers=HTMX)

    assert response["HX-Redirect"] == reverse("screening:start")


# Bad input: re-shown with a message beside the question, never a 500 or a 404.


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, ITEM_MESSAGE),
        ({"item": "bladder_bowel"}, ANSWER_MESSAGE),
        ({"item": "bladder_bowel", "answer": ""}, ANSWER_MESSAGE),
        ({"item": "bladder_bowel", "answer": "maybe"}, ANSWER_MESSAGE),
        ({"item": "bladder_bowel", "answer": "YES"}, ANSWER_MESSAGE),
        ({"item": "no_such_question", "answer": "no"}, ITEM_MESSAGE),
        ({"item": "saddle_numbness", "answer": "no"}, ITEM_MESSAGE),  # the second question's key
        ({"item": "x" * 500, "answer": "no"}, ITEM_MESSAGE),
    ],
    ids=[
        "empty",
        "no answer",
        "blank answer",
        "unknown answer",
        "wrong case",
        "unknown question",
        "another question",
        "huge key",
    ],
)
def test_a_bad_post_is_shown_again_with_a_message_and_saves_nothing(started, data, message):
    response = started.post(step_url(1), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert 'aria-describedby="wizard-hint wizard-error"' in html
    assert "Question 1 of 25" in html
    assert Screening.objects.get().answer_map() == {}


def test_what_the_person_chose_stays_selected_after_an_error(started):
    html = started.post(step_url(1), {"item": "no_such_question", "answer": "yes"}).content.decode()

    assert checked(html) == ["yes"]


@pytest.mark.parametrize(("number", "shown"), [(26, 25), (999, 25), (0, 1), (-3, 1)])
def test_a_step_out_of_range_shows_the_nearest_question_with_a_message(
    started, questions, number, shown
):
    response = started.get(step_url(number))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Question {shown} of 25" in html
    too_far = number > 25
    assert ("There are only 25" if too_far else "There is no question with that number") in html
    assert f'action="{step_url(shown)}"' in html


def test_a_post_to_a_step_beyond_the_end_saves_nothing_and_keeps_the_choice(started, questions):
    response = started.post(step_url(40), {"item": questions[-1].key, "answer": "unsure"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "There are only 25 questions" in html
    assert checked(html) == ["unsure"]
    assert Screening.objects.get().answer_map() == {}


def test_the_wizard_rejects_other_methods(started):
    assert started.put(step_url(1)).status_code == 405
    assert started.get(reverse("screening:new")).status_code == 405


def test_a_step_costs_a_fixed_number_of_queries(started, questions, django_assert_max_num_queries):
    for number in range(1, 9):
        started.post(step_url(number), {"item": questions[number - 1].key, "answer": "no"})

    with django_assert_max_num_queries(6):
        started.get(step_url(9))
    with django_assert_max_num_queries(12):
        started.post(step_url(9), {"item": questions[8].key, "answer": "no"})

    # Past checks, confirmed emergencies among them, do not make the care gate cost more.
    guest = started.session["guest_id"]
    ScreeningFactory.create_batch(10, guest_id=guest, completed_at=timezone.now() - HOUR)
    ScreeningFactory.create_batch(
        10,
        guest_id=guest,
        urgency="emergency",
        completed_at=timezone.now() - HOUR,
        acknowledged_at=timezone.now(),
    )
    with django_assert_max_num_queries(6):
        assert started.get(step_url(10)).status_code == 200
    with django_assert_max_num_queries(12):
        response = started.post(step_url(10), {"item": questions[9].key, "answer": "no"})
    assert response.url == step_url(11)
