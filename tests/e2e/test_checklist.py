"""Browser journeys through the movement checklist.

axe runs after every page load and every htmx swap: each step of the wizard (and its error
state), the result with its body map, the exercises it links to, and the history.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from apps.checklist.models import Run
from tests.checklist.factories import completed_run
from tests.e2e.journeys import sign_in

TOTAL = 11
# A mix, in step order: three noes and two not sures.
MIX = [
    "No",
    "Yes",
    "Yes",
    "Not sure",
    "Yes",
    "Not sure",
    "Yes",
    "No",
    "Yes",
    "No",
    "Yes",
]
MIX_PRIORITIES = "hip_mobility hips_over_heels relaxed_core spinal_mobility movement_breaks"


def progress(page: Page):
    return page.locator(".progress__label")


def start(page: Page, axe) -> None:
    page.goto("/checklist/")
    expect(page.get_by_role("heading", level=1, name="Movement checklist")).to_be_visible()
    axe()
    page.get_by_role("button", name="Start the checklist").click()
    expect(progress(page)).to_have_text(f"Question 1 of {TOTAL}")
    axe()


def note_box(page: Page):
    """The step's note box, unfolding its "Add a note" disclosure first if it is closed."""
    box = page.locator("details.wizard__note-box")
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return page.get_by_label("Your note (optional)")


def answer(page: Page, choice: str, number: int, note: str = "") -> None:
    """Answer step `number` and wait until the next step (or the result) is in place."""
    page.get_by_label(choice, exact=True).check()
    if note:
        note_box(page).fill(note)
    page.get_by_role("button", name="See my result" if number == TOTAL else "Next").click()
    if number < TOTAL:
        expect(progress(page)).to_have_text(f"Question {number + 1} of {TOTAL}")
    else:
        expect(page.locator("[data-priorities]")).to_be_attached()


def test_a_guest_completes_a_mix_and_starts_with_the_first_priority(page: Page, axe, guard):
    start(page, axe)

    # Next without a choice: the message appears by the question and takes the focus.
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#wizard-error")).to_have_text("Choose yes, no or not sure.")
    expect(page.locator("#wizard-error")).to_be_focused()
    axe()

    loads = len(guard.loaded)
    for number, choice in enumerate(MIX[:-1], start=1):
        answer(page, choice, number, note="Hips ahead of my ankles" if number == 1 else "")
        # Swapped in place by htmx: focus on the new item, its own address and title.
        expect(page.locator(".wizard__heading")).to_be_focused()
        expect(page).to_have_url(f"{page.url.split('/checklist/')[0]}/checklist/step/{number + 1}/")
        expect(page).to_have_title(
            f"Question {number + 1} of {TOTAL}: movement checklist · backpain"
        )
        page.get_by_text("Why it matters").click()  # open the details, so axe sees them too
        axe()
    assert len(guard.loaded) == loads, "steps should swap in place, not load whole pages"

    answer(page, MIX[-1], TOTAL)
    expect(page.locator("[data-priorities]")).to_have_attribute("data-priorities", MIX_PRIORITIES)
    expect(page.locator(".priorities > li h3")).to_have_text(
        ["Hip mobility", "Hips over heels", "Relaxed core", "Spinal mobility", "Movement breaks"]
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("6 out of 13 points")
    expect(page.get_by_role("img", name="Body map of the joint-by-joint chain")).to_be_visible()
    expect(page.locator(".bodymap__joint--work")).to_have_count(4)
    expect(page.get_by_role("cell", name="Hips ahead of my ankles")).to_be_visible()
    axe()

    start_here = page.locator(".start-here")
    expect(start_here.get_by_role("heading")).to_have_text("Start here: Hip mobility")
    expect(start_here.get_by_role("listitem")).to_have_count(3)
    start_here.get_by_role("link", name="Hip mobility lunge").click()
    expect(page.get_by_role("heading", level=1, name="Hip mobility lunge")).to_be_visible()
    axe()

    page.go_back()
    page.get_by_role("link", name="Start a routine with these").click()
    expect(page.get_by_role("heading", level=1, name="Guided routine")).to_be_visible()
    expect(page.locator("[data-routine-item] a")).to_have_text(
        ["Hip mobility lunge", "Piriformis stretch", "Hip flexor stretch (half kneeling)"]
    )
    axe()


def test_back_keeps_answers_and_notes_and_a_reload_resumes(page: Page, axe):
    start(page, axe)
    answer(page, "Not sure", 1, note="Ask someone to look")
    answer(page, "No", 2)

    page.get_by_role("link", name="Back", exact=True).click()
    expect(progress(page)).to_have_text(f"Question 2 of {TOTAL}")
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    axe()
    page.get_by_role("link", name="Back", exact=True).click()
    expect(progress(page)).to_have_text(f"Question 1 of {TOTAL}")
    expect(page.get_by_label("Not sure", exact=True)).to_be_checked()
    expect(page.get_by_label("Your note (optional)")).to_have_value("Ask someone to look")
    axe()

    page.get_by_role("button", name="Next").click()
    expect(progress(page)).to_have_text(f"Question 2 of {TOTAL}")
    page.get_by_role("button", name="Next").click()
    expect(progress(page)).to_have_text(f"Question 3 of {TOTAL}")

    page.reload()
    expect(progress(page)).to_have_text(f"Question 3 of {TOTAL}")
    axe()
    page.goto("/checklist/")
    expect(page.get_by_text("You have answered 2 of 11 items.")).to_be_visible()
    page.get_by_role("link", name="Continue with item 3").click()
    expect(progress(page)).to_have_text(f"Question 3 of {TOTAL}")
    axe()


def test_the_checklist_works_without_javascript(nojs):
    page, guard = nojs
    page.goto("/checklist/")
    guard.axe()
    page.get_by_role("button", name="Start the checklist").click()
    guard.axe()

    # A note that is too long: the message stands by the note, the choice is kept.
    page.get_by_label("No", exact=True).check()
    note_box(page).evaluate("box => box.removeAttribute('maxlength')")
    note_box(page).fill("x" * 300)
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#id_note_error")).to_contain_text("280 characters or fewer")
    expect(page.get_by_label("No", exact=True)).to_be_checked()
    guard.axe()
    page.get_by_label("Your note (optional)").fill("")

    for number, choice in enumerate(MIX, start=1):
        expect(page).to_have_url(f"{page.url.split('/checklist/')[0]}/checklist/step/{number}/")
        expect(progress(page)).to_have_text(f"Question {number} of {TOTAL}")
        answer(page, choice, number)
        guard.axe()
        if number == 2:
            page.get_by_role("link", name="Back", exact=True).click()
            expect(page.get_by_label("Yes", exact=True)).to_be_checked()
            guard.axe()
            page.get_by_role("button", name="Next").click()
            guard.axe()

    expect(page.locator("[data-priorities]")).to_have_attribute("data-priorities", MIX_PRIORITIES)


def test_a_patients_second_run_shows_what_changed(page: Page, axe, base_url, patient):
    completed_run(patient, {"hip_mobility": "no", "relaxed_core": "no"}, days_ago=21)
    sign_in(page, base_url, patient)

    start(page, axe)
    for number, choice in enumerate(MIX, start=1):
        answer(page, choice, number)
        if number < TOTAL:
            axe()

    expect(page.get_by_role("heading", name="What changed since last time")).to_be_visible()
    trend = page.locator(".trend")
    expect(trend).to_contain_text("you scored 9 out of 13")
    expect(trend).to_contain_text("down 3 points")
    changes = page.locator("tr[data-change]")
    expect(changes).to_have_count(TOTAL)
    expect(page.locator('tr[data-key="hip_mobility"] .change')).to_have_text("Same")
    expect(page.locator('tr[data-key="hips_over_heels"] .change')).to_have_text("Worse")
    expect(page.locator('tr[data-key="spinal_mobility"] .change')).to_have_text("Worse")
    axe()

    page.get_by_role("link", name="See all your past checklists").click()
    expect(page.get_by_role("link", name="See the result")).to_have_count(2)
    expect(page.get_by_role("cell", name="down 3 points")).to_be_visible()
    axe()
    assert Run.objects.filter(user=patient).completed().count() == 2
