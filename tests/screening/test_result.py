"""The result page for each level, the emergency confirmation, and the history."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.screening.advice import advice_for, disclaimer, note
from apps.screening.models import Screening
from apps.screening.triage import Urgency
from tests.screening.factories import ScreeningFactory, answer_all, answered_screening

CALL_999 = '<a class="tel" href="tel:999" aria-label="Call 999, emergency services">999</a>'
CALL_111 = '<a class="tel" href="tel:111" aria-label="Call NHS 111">111</a>'


def content_of(html: str) -> str:
    """Return what the page puts in <main> after the (empty) messages region."""
    main = html[html.index('<main id="main"') :]
    return main[main.index("</div>", main.index('class="messages"')) + len("</div>") :].lstrip()


def result_html(client) -> str:
    return client.get(Screening.objects.get().get_absolute_url()).content.decode()


def without_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def section(html: str, start: str) -> str:
    """Return the <section> of the page that starts with `start`."""
    part = html[html.index(start) :]
    return part[: part.index("</section>")]


@pytest.mark.parametrize(
    ("answers", "urgency"),
    [
        ({"bladder_bowel": "yes"}, "emergency"),
        ({"weight_loss": "yes"}, "urgent"),
        ({"radiating": "yes"}, "soon"),
        ({"not_improving": "yes"}, "physio"),
        ({}, "none"),
    ],
)
def test_each_level_says_what_to_do_in_the_heading_and_that_it_is_not_a_diagnosis(
    anon_client, questions, answers, urgency
):
    answer_all(anon_client, answers)

    html = result_html(anon_client)
    heading = re.search(r'<h1 id="result-heading">(.*?)</h1>', html).group(1)
    assert f'data-urgency="{urgency}"' in html
    assert without_tags(heading) == advice_for(urgency).heading.replace("&", "&amp;")
    assert disclaimer() in html
    # Until an emergency is confirmed, the way on is to confirm, not to take the check again.
    again = f'action="{reverse("screening:new")}"'
    assert (again in html) is (urgency != "emergency")


def test_the_emergency_advice_comes_first_in_an_alert(anon_client, questions):
    answer_all(anon_client, {"saddle_numbness": "yes"})

    content = content_of(result_html(anon_client))

    assert content.startswith('<div class="result" data-urgency="emergency">')
    first = content[content.index("<section") :]
    assert first.startswith(
        '<section class="alert alert--emergency" role="alert" aria-labelledby="result-heading">'
    )
    assert first.index(f"Call {CALL_999} or go to A&amp;E now") < first.index("</section>")
    assert first.index('href="tel:999">Call 999 now</a>') < first.index("</section>")


def test_only_the_emergency_result_is_an_alert(anon_client, questions):
    answer_all(anon_client, {"possible_fracture": "yes"})

    assert 'role="alert"' not in content_of(result_html(anon_client))


def test_the_result_lists_every_triggering_answer_most_urgent_first(anon_client, questions):
    answer_all(
        anon_client,
        {
            "not_improving": "yes",
            "radiating": "unsure",
            "night_pain": "yes",
            "fever_unwell": "yes",
        },
    )

    html = result_html(anon_client)

    reasons = html[html.index('<ul class="reasons">') :]
    reasons = reasons[: reasons.index("</ul>")]
    assert re.findall(r"<li><strong>(.*?)</strong> <span", reasons) == [
        "Fever, chills or feeling unwell with your back pain",
        "Pain not eased by rest, or worse at night",
        "Pain, numbness or tingling spreading into one leg",
        "No better after 4 to 6 weeks",
    ]
    assert reasons.count("(you answered not sure)") == 1
    assert signs_line(html) == (
        "Because of: <strong>fever, chills or feeling unwell with your back pain</strong>; "
        "<strong>pain not eased by rest, or worse at night</strong>."
    )


def signs_line(html: str) -> str:
    found = re.search(r'<p class="result__signs">(.*?)</p>', html, re.DOTALL)
    assert found, "the result names no sign"
    return " ".join(found.group(1).split())


@pytest.mark.parametrize(("answer", "explained"), [("unsure", True), ("yes", False)])
def test_a_result_decided_by_not_sure_explains_why_not_sure_counts(
    anon_client, questions, answer, explained
):
    answer_all(anon_client, {"radiating": answer})

    html = result_html(anon_client)

    assert 'data-urgency="soon"' in html
    assert (note("unsure")["text"] in html) is explained
    assert "No warning signs found" not in html


# Tap-to-call: every emergency and NHS 111 number is a link with a name a screen reader says.


def test_an_emergency_result_links_every_999_to_call_it(anon_client, questions):
    answer_all(anon_client, {"chest_pain": "yes"})

    html = content_of(result_html(anon_client))

    assert '<a class="button button--danger" href="tel:999">Call 999 now</a>' in html
    assert f'<h1 id="result-heading">Call {CALL_999} or go to A&amp;E now' in html
    assert f"Call {CALL_999}, or go to your nearest A&amp;E now." in html
    assert "or if your legs are weak or numb, call " + CALL_999 + " for an ambulance" in html
    # No bare number is left in the advice: each one sits in a tel: link.
    for start in ('<section class="alert', '<section aria-labelledby="meanwhile-heading"'):
        advice = section(html, start)
        assert without_tags(advice).count("999") == advice.count('href="tel:999"')


def test_an_urgent_result_links_nhs_111_and_keeps_999_for_emergency_signs(anon_client, questions):
    answer_all(anon_client, {"fragility_pain": "unsure"})

    html = content_of(result_html(anon_client))

    assert '<a class="button" href="tel:111">Call NHS 111</a>' in html
    assert f"or call NHS {CALL_111} (or use NHS {CALL_111} online)" in html
    assert f"call {CALL_999} or go to A&amp;E at once" in html
    alert = section(html, "<section")
    assert without_tags(alert).count("111") == alert.count('href="tel:111"') == 5


def test_an_urgent_result_leads_to_a_doctor_not_to_the_exercises(anon_client, questions):
    answer_all(anon_client, {"back_lump": "yes"})

    html = content_of(result_html(anon_client))

    assert 'data-urgency="urgent"' in html
    assert reverse("exercises:library") not in html
    assert reverse("checklist:start") not in html
    assert "When a doctor has checked you, take this check again." in html


def test_the_bone_density_note_shows_only_when_it_applies(anon_client, questions):
    answer_all(anon_client, {"osteoporosis": "unsure"})
    assert note("bone_density")["heading"] in result_html(anon_client)

    Screening.objects.all().delete()
    answer_all(anon_client)
    assert note("bone_density")["heading"] not in result_html(anon_client)


def test_no_warning_sign_leads_on_to_the_checklist_and_the_library(anon_client, questions):
    answer_all(anon_client)

    html = result_html(anon_client)

    assert f'href="{reverse("checklist:start")}">Start the movement checklist</a>' in html
    assert f'href="{reverse("exercises:library")}"' in html


def test_an_emergency_asks_for_confirmation_before_leading_on_to_exercise(anon_client, questions):
    answer_all(anon_client, {"leg_weakness": "yes"})

    html = result_html(anon_client)

    assert 'name="confirmed"' in html
    assert f'href="{reverse("exercises:library")}"' not in content_of(html)


def test_confirming_without_ticking_the_box_shows_why_and_changes_nothing(anon_client, questions):
    answer_all(anon_client, {"leg_weakness": "yes"})
    screening = Screening.objects.get()

    response = anon_client.post(reverse("screening:acknowledge", args=[screening.uuid]), {})

    assert response.status_code == 200
    assert "Tick the box to confirm you have sought care" in response.content.decode()
    screening.refresh_from_db()
    assert screening.acknowledged_at is None


def test_confirming_care_opens_the_way_on(anon_client, questions):
    answer_all(anon_client, {"leg_weakness": "yes"})
    screening = Screening.objects.get()

    response = anon_client.post(
        reverse("screening:acknowledge", args=[screening.uuid]), {"confirmed": "on"}
    )

    assert response.url == f"{screening.get_absolute_url()}#next-steps"
    screening.refresh_from_db()
    assert screening.acknowledged_at is not None
    html = result_html(anon_client)
    assert 'name="confirmed"' not in html
    assert f'href="{reverse("exercises:library")}">Continue to the exercises</a>' in html


def test_only_an_emergency_can_be_confirmed(anon_client, questions):
    answer_all(anon_client, {"weight_loss": "yes"})
    screening = Screening.objects.get()

    response = anon_client.post(
        reverse("screening:acknowledge", args=[screening.uuid]), {"confirmed": "on"}
    )

    assert response.status_code == 404


def test_an_unfinished_screening_has_no_result(patient_client, patient):
    screening = Screening.objects.create(user=patient)

    assert patient_client.get(screening.get_absolute_url()).status_code == 404


def test_take_the_check_again_starts_a_new_screening(patient_client, patient, questions):
    done = ScreeningFactory(user=patient)

    response = patient_client.post(reverse("screening:new"))

    assert response.url == reverse("screening:step", args=[1])
    assert Screening.objects.filter(user=patient).count() == 2
    assert Screening.objects.in_progress().get().user == patient
    assert Screening.objects.completed().get() == done


def test_the_history_lists_past_checks_newest_first_with_links(patient_client, patient):
    older = ScreeningFactory(
        user=patient,
        urgency=Urgency.SOON,
        started_at=timezone.now() - timezone.timedelta(days=9),
        completed_at=timezone.now() - timezone.timedelta(days=9),
    )
    newer = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)
    Screening.objects.create(user=patient)  # unfinished: not listed

    html = patient_client.get(reverse("screening:history")).content.decode()

    assert html.index(newer.get_absolute_url()) < html.index(older.get_absolute_url())
    assert html.count("See the result") == 2
    assert "Emergency: call 999 or go to A&amp;E now" in html
    assert "Soon: see a GP or physiotherapist in the next few days" in html


def test_the_history_query_count_does_not_grow_with_the_screenings(
    patient_client, patient, django_assert_max_num_queries
):
    ScreeningFactory.create_batch(3, user=patient)
    with django_assert_max_num_queries(4) as few:
        patient_client.get(reverse("screening:history"))

    ScreeningFactory.create_batch(30, user=patient)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = patient_client.get(reverse("screening:history"))
    assert response.content.decode().count("See the result") == 33


def test_the_result_page_costs_a_fixed_number_of_queries(
    patient_client, patient, questions, django_assert_max_num_queries
):
    one_sign = answered_screening(patient, {"radiating": "yes"})
    every_sign = answered_screening(patient, {}, default="yes")
    assert len(every_sign.trigger_keys) == len(questions) - 1

    with django_assert_max_num_queries(5) as few:
        patient_client.get(one_sign.get_absolute_url())
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = patient_client.get(every_sign.get_absolute_url())
    assert response.content.decode().count("(you answered yes)") == len(questions) - 1


def test_the_bone_density_note_says_when_to_get_checked(anon_client, questions):
    answer_all(anon_client, {"osteoporosis": "yes"})

    callout = section(result_html(anon_client), '<section class="callout"')

    assert note("bone_density")["heading"] in callout
    assert "When to get checked: new or sudden back pain without an injury" in callout
    assert f"See a GP today or tomorrow, or call NHS {CALL_111}." in callout
