"""Browser journeys through the red-flag screening.

axe runs after every page load and every htmx swap: each step of the wizard (and its error
state), the result for every level, the emergency confirmation, and the history.
"""

from __future__ import annotations

import json

from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from apps.screening.models import Question, Screening
from tests.e2e.conftest import PageGuard
from tests.e2e.journeys import confirm_email, sign_in
from tests.factories import PASSWORD

QUESTIONS = json.loads((settings.BASE_DIR / "fixtures" / "screening_questions.json").read_text())
TOTAL = len(QUESTIONS)
NUMBER = {question["key"]: question["order"] for question in QUESTIONS}
PHONE = {"width": 375, "height": 667}


def progress(page: Page):
    return page.locator(".progress__label")


def start(page: Page, axe) -> None:
    page.goto("/screening/")
    expect(page.get_by_role("heading", name="Check for warning signs")).to_be_visible()
    axe()
    page.get_by_role("button", name="Start the check").click()
    expect(progress(page)).to_have_text(f"Question 1 of {TOTAL}")
    axe()


def answer(page: Page, choice: str, number: int) -> None:
    """Answer step `number` and wait until the next step (or the result) is in place."""
    page.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="See my result" if number == TOTAL else "Next").click()
    if number < TOTAL:
        expect(progress(page)).to_have_text(f"Question {number + 1} of {TOTAL}")


def test_a_guest_says_no_throughout_and_is_told_to_keep_moving(page: Page, axe, guard: PageGuard):
    start(page, axe)

    # Next without a choice: the message appears beside the question and takes the focus.
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#wizard-error")).to_have_text("Choose yes, no or not sure.")
    expect(page.locator("#wizard-error")).to_be_focused()
    axe()

    loads = len(guard.loaded)
    for number in range(1, TOTAL):
        answer(page, "No", number)
        # Swapped in place by htmx: focus on the new question, its own address and title.
        expect(page.locator(".wizard__heading")).to_be_focused()
        expect(page).to_have_url(f"{page.url.split('/screening/')[0]}/screening/step/{number + 1}/")
        title = f"Question {number + 1} of {TOTAL}: check for warning signs · backpain"
        expect(page).to_have_title(title)
        axe()
    assert len(guard.loaded) == loads, "steps should swap in place, not load whole pages"
    assert page.locator("header.site-header").count() == 1

    answer(page, "No", TOTAL)
    expect(page.locator("[data-urgency]")).to_have_attribute("data-urgency", "none")
    expect(page.get_by_role("heading", level=1)).to_contain_text("No warning signs found")
    expect(page.get_by_role("link", name="Start the movement checklist")).to_be_visible()
    axe()


def test_a_yes_to_question_one_shows_the_emergency_result_next_with_tap_to_call(page: Page, axe):
    page.set_viewport_size(PHONE)
    start(page, axe)
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Next").click()

    # No second question: the very next screen is the emergency result.
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Call 999 or go to A&E now")
    expect(alert).to_contain_text("new problems controlling or feeling your bladder or bowel")
    expect(page.locator("[data-urgency]")).to_have_attribute("data-urgency", "emergency")
    call = alert.get_by_role("link", name="Call 999 now")
    expect(call).to_have_attribute("href", "tel:999")
    expect(alert.get_by_role("link", name="Call 999, emergency services").first).to_have_attribute(
        "href", "tel:999"
    )
    # The advice is the first thing in the page's content and starts on the first screen.
    assert page.evaluate(
        """() => {
            const main = document.querySelector("main");
            const content = [...main.children].filter(el => !el.matches(".messages"));
            return content[0].matches("[data-urgency]")
                && content[0].firstElementChild === document.querySelector("[role=alert]");
        }"""
    )
    heading = alert.get_by_role("heading", level=1).bounding_box()
    assert heading is not None and heading["y"] + heading["height"] < PHONE["height"]
    box = call.bounding_box()
    assert box is not None and box["y"] + box["height"] < PHONE["height"], "call button below fold"
    axe()
    screening = Screening.objects.get()
    assert screening.trigger_keys == ["bladder_bowel"]
    assert screening.answers.count() == 1

    # The way on to exercise asks for confirmation first.
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#id_confirmed_error")).to_contain_text("Tick the box")
    axe()
    page.get_by_label("I have called 999").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Continue to the exercises")).to_be_visible()
    axe()
    assert Screening.objects.get().acknowledged_at is not None


def test_back_keeps_earlier_answers_and_a_reload_resumes_at_the_same_step(page: Page, axe):
    start(page, axe)
    # Questions 1 to 7 are emergency signs, where a not-sure ends the check: use no there.
    for number in range(1, 8):
        answer(page, "No", number)
    answer(page, "Not sure", 8)
    answer(page, "No", 9)

    page.get_by_role("link", name="Back", exact=True).click()
    expect(progress(page)).to_have_text(f"Question 9 of {TOTAL}")
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    axe()
    page.get_by_role("link", name="Back", exact=True).click()
    expect(progress(page)).to_have_text(f"Question 8 of {TOTAL}")
    expect(page.get_by_label("Not sure", exact=True)).to_be_checked()
    axe()

    page.get_by_role("button", name="Next").click()
    expect(progress(page)).to_have_text(f"Question 9 of {TOTAL}")
    page.get_by_role("button", name="Next").click()
    expect(progress(page)).to_have_text(f"Question 10 of {TOTAL}")

    page.reload()
    expect(progress(page)).to_have_text(f"Question 10 of {TOTAL}")
    axe()
    page.go_back()  # the browser's own Back reaches the address htmx pushed
    expect(progress(page)).to_have_text(f"Question 9 of {TOTAL}")
    axe()

    page.goto("/screening/")
    expect(page.get_by_role("link", name="Continue with question 10")).to_be_visible()
    axe()


def test_the_whole_wizard_works_without_javascript(browser: Browser, base_url: str):
    """Every page visited here (start, steps, an error, the result) is the same template
    that the journeys above check with axe; axe needs JavaScript, so this test checks
    behaviour only."""
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    page.goto("/screening/")
    page.get_by_role("button", name="Start the check").click()

    page.get_by_role("button", name="Next").click()
    expect(page.locator("#wizard-error")).to_have_text("Choose yes, no or not sure.")
    for number in range(1, TOTAL + 1):
        expect(page).to_have_url(f"{base_url}/screening/step/{number}/")
        expect(progress(page)).to_have_text(f"Question {number} of {TOTAL}")
        answer(page, "Yes" if number == NUMBER["radiating"] else "No", number)
        if number == 9:
            page.get_by_role("link", name="Back", exact=True).click()
            expect(page.get_by_label("No", exact=True)).to_be_checked()
            page.get_by_role("button", name="Next").click()

    expect(page.locator("[data-urgency]")).to_have_attribute("data-urgency", "soon")
    context.close()


def _complete(user, answers: dict[str, str]) -> Screening:
    screening = Screening.objects.create(user=user)
    for question in Question.objects.active():
        screening.record(question, answers.get(question.key, "no"))
    screening.complete()
    return screening


def test_every_level_of_result_and_the_history_pass_axe(page: Page, axe, base_url, patient):
    screenings = [
        _complete(patient, {"sexual_function": "unsure", "weight_loss": "yes"}),
        _complete(patient, {"possible_fracture": "yes", "osteoporosis": "yes"}),
        _complete(patient, {"sleep_or_movement": "yes", "not_improving": "yes"}),
        _complete(patient, {"not_improving": "yes", "osteoporosis": "unsure"}),
        _complete(patient, {}),
    ]
    assert [s.urgency for s in screenings] == ["emergency", "urgent", "soon", "physio", "none"]
    sign_in(page, base_url, patient)

    for screening in screenings:
        page.goto(screening.get_absolute_url())
        expect(page.locator("[data-urgency]")).to_have_attribute("data-urgency", screening.urgency)
        axe()

    page.goto("/screening/history/")
    expect(page.get_by_role("link", name="See the result")).to_have_count(5)
    axe()


def test_a_guests_result_survives_sign_up(page: Page, axe):
    start(page, axe)
    for number in range(1, TOTAL + 1):
        answer(page, "Yes" if number == NUMBER["not_improving"] else "No", number)
    expect(page.locator("[data-urgency]")).to_have_attribute("data-urgency", "physio")
    axe()

    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill("guest@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    axe()
    page.get_by_role("button", name="Create account").click()
    confirm_email(page, axe)
    axe()

    page.goto("/screening/history/")
    expect(page.get_by_role("cell", name="See a physiotherapist")).to_be_visible()
    axe()
    page.get_by_role("link", name="See the result").click()
    expect(page.locator("[data-urgency]")).to_have_attribute("data-urgency", "physio")
    axe()
