from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils.html import escape

from apps.exercises.models import SOURCES, Exercise
from backpain import content_cache
from tests.exercises.helpers import RENDERED_NOTE, days_ago, guest_screening
from tests.factories import ExerciseFactory
from tests.screening.factories import ScreeningFactory


def count_text(response) -> str:
    return re.search(r'id="result-count"[^>]*>([^<]*)<', response.content.decode()).group(1)


def listed_slugs(response) -> list[str]:
    return re.findall(r'name="items" value="([^"]+)"', response.content.decode())


def test_the_library_lists_every_exercise(client, content):
    response = client.get("/exercises/")

    assert response.status_code == 200
    assert len(listed_slugs(response)) == Exercise.objects.count()
    assert count_text(response) == f"{Exercise.objects.count()} exercises in the library"
    assert "education, not a diagnosis" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "must_include", "must_exclude"),
    [
        ("kind=breathing", "box-breathing", "plank"),
        ("region=ankle", "calf-stretch", "chin-tuck"),
        ("equipment=foam_roller", "thoracic-spine-roll", "bridge"),
        ("difficulty=harder", "side-plank", "childs-pose"),
        ("q=BRIDGE", "bridge", "chin-tuck"),
        ("q=brige", "bridge", "chin-tuck"),  # a typo still finds it
        ("q=hamstring", "hamstring-stretch-belt", "box-breathing"),
        ("kind=strength&difficulty=harder", "side-plank", "bridge"),
    ],
)
def test_filters_and_search_narrow_the_list(client, content, query, must_include, must_exclude):
    slugs = listed_slugs(client.get(f"/exercises/?{query}"))

    assert must_include in slugs
    assert must_exclude not in slugs


def test_search_reaches_into_the_steps(client, content):
    # "sit bones" appears in steps, not in names.
    slugs = listed_slugs(client.get("/exercises/?q=sit+bones"))

    assert "neutral-pelvis-sitting" in slugs


def test_an_empty_result_offers_to_clear_the_filters(client, content):
    response = client.get("/exercises/?q=zzzzqqqq")
    body = response.content.decode()

    assert response.status_code == 200
    assert "No exercises match" in body
    assert 'href="/exercises/">Clear filters and show every exercise' in body
    assert count_text(response) == "0 exercises match your search"


def test_unknown_filter_values_are_ignored_with_a_note(client, content):
    response = client.get("/exercises/?kind=nope&difficulty=%3Cscript%3E&region=hip")
    body = response.content.decode()

    assert response.status_code == 200
    assert "We ignored the kind filter" in body
    assert "We ignored the difficulty filter" in body
    assert "<script>" not in body.split("</head>")[1].replace("<script type", "")
    assert "calf-stretch" not in listed_slugs(response)  # region=hip still applies
    assert '<option value="hip" selected>' in body


def test_an_over_long_search_is_ignored_not_an_error(client, content):
    response = client.get("/exercises/?q=" + "x" * 500)

    assert response.status_code == 200
    assert "We ignored the search filter" in response.content.decode()
    assert len(listed_slugs(response)) == Exercise.objects.count()


def test_htmx_gets_only_the_results_and_the_count(client, content):
    response = client.get("/exercises/?kind=breathing", HTTP_HX_REQUEST="true")
    body = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in body and '<form id="filters"' not in body
    assert body.strip().startswith('<div id="results"')
    assert 'hx-swap-oob="innerHTML:#result-count"' in body
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_full_page(client, content):
    response = client.get(
        "/exercises/?kind=breathing", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<html" in response.content.decode()


def test_queries_per_library_page_do_not_grow(client, db, django_assert_num_queries):
    # New content shows once its version is bumped, as load_content does.
    ExerciseFactory.create_batch(5)
    content_cache.bump()
    # The content version, and the exercises to render what the content cache does not have.
    with django_assert_num_queries(2):
        small = client.get("/exercises/?region=hip")
    ExerciseFactory.create_batch(45, bone_density_caution=True, bone_density_note="Take care.")
    content_cache.bump()
    with django_assert_num_queries(2):
        large = client.get("/exercises/?region=hip")

    assert len(listed_slugs(small)) == 5 and len(listed_slugs(large)) == 50


# A signed-in person: their session with their account (1), the care gate (1), the
# bone-density caution (1), the exercises (1), however many exercises and screenings there
# are. Pages with content fragments read the content version too; the exercise page its name
# first.
PERSON_BUDGET = 4


def test_a_signed_in_persons_library_costs_the_same_for_any_amount_of_data(
    patient_client, patient, django_assert_num_queries
):
    ExerciseFactory.create_batch(5)
    ScreeningFactory(user=patient, bone_density_caution=True)
    content_cache.bump()
    with django_assert_num_queries(PERSON_BUDGET + 1):
        small = patient_client.get("/exercises/?region=hip")
    ExerciseFactory.create_batch(45, bone_density_caution=True, bone_density_note="Take care.")
    ScreeningFactory.create_batch(10, user=patient, bone_density_caution=True)
    content_cache.bump()
    with django_assert_num_queries(PERSON_BUDGET + 1):
        large = patient_client.get("/exercises/?region=hip")

    assert len(listed_slugs(small)) == 5 and len(listed_slugs(large)) == 50
    assert large.content.decode().count(FULL_NOTE) == 45


def test_a_signed_in_persons_exercise_page_and_routine_stay_in_budget(
    patient_client, patient, content, django_assert_num_queries, fresh_page
):
    ScreeningFactory(user=patient, bone_density_caution=True)
    fresh_page()
    with django_assert_num_queries(PERSON_BUDGET + 2):
        patient_client.get("/exercises/supine-twist/")
    every = ",".join(Exercise.objects.values_list("slug", flat=True)[:20])
    fresh_page()
    with django_assert_num_queries(PERSON_BUDGET):
        patient_client.get(f"/exercises/routine/?items={every}")


def test_the_exercise_page_shows_everything(client, content):
    response = client.get("/exercises/plank/")
    body = response.content.decode()
    plank = Exercise.objects.get(slug="plank")

    assert response.status_code == 200
    for text in [
        plank.name,
        plank.purpose,
        plank.dosage_text,
        *plank.steps[:2],
        "Knee plank",
        "Side plank",
    ]:
        assert text.replace("'", "&#x27;") in body
    assert "Education, not a diagnosis" in body
    assert "data-timer-config" in body
    assert "Do it as a guided routine" in body


def test_each_sources_dosage_is_labelled_with_its_title_not_a_code(client, content):
    body = client.get("/exercises/plank/").content.decode()
    table = body.split('<table class="variants">')[1].split("</table>")[0]

    assert "<caption>What each guide suggests</caption>" in table
    for code in ["001", "002"]:
        assert f'<th scope="row">{escape(SOURCES[code])}</th>' in table
    assert "Source" not in table and "00" not in table


def test_the_sources_are_one_line_of_titles(client, content):
    body = client.get("/exercises/childs-pose/").content.decode()

    line = re.search(r'<p class="sources-line">([^<]*)</p>', body).group(1)
    assert line == escape(f"Where this comes from: {SOURCES['001']}; {SOURCES['002']}")
    assert body.count("Where this comes from") == 1


def test_no_page_shows_an_internal_note_about_the_sources(client, content):
    slugs = list(Exercise.objects.values_list("slug", flat=True))
    pages = [
        "/exercises/",
        "/exercises/routine/?items=" + ",".join(slugs[:20]),
        "/exercises/routine/?items=" + ",".join(slugs[20:]),
        *(f"/exercises/{slug}/" for slug in slugs),
    ]

    for url in pages:
        body = client.get(url).content.decode()
        assert not RENDERED_NOTE.search(body), (url, RENDERED_NOTE.search(body).group(0))


def test_the_exercise_page_costs_one_query_once_kept(
    client, content, django_assert_num_queries, fresh_page
):
    fresh_page()
    # Its name, the content version, then the exercise to render the article the first time.
    with django_assert_num_queries(3):
        client.get("/exercises/plank/")
    fresh_page()  # the article kept, the page not
    with django_assert_num_queries(2):
        client.get("/exercises/plank/")


# Bone density: the full note for people whose screening raised it, a marker for others.

MARKER = "<summary>Low bone density: take care</summary>"
FULL_NOTE = '<div class="caution" role="note">'


def test_without_the_caution_a_flagged_exercise_shows_a_marker_that_opens_to_the_note(
    client, content
):
    twist = Exercise.objects.get(slug="supine-twist")

    for url in ["/exercises/supine-twist/", "/exercises/?q=twist",
                "/exercises/routine/?items=supine-twist"]:  # fmt: skip
        body = client.get(url).content.decode()
        assert MARKER in body, url
        assert FULL_NOTE not in body, url
        details = body.split('<details class="caution-marker">')[1].split("</details>")[0]
        assert twist.bone_density_note in details, url


def test_an_unflagged_exercise_has_neither(client, content):
    body = client.get("/exercises/plank/").content.decode()

    assert MARKER not in body and FULL_NOTE not in body


def test_the_patients_bone_density_caution_shows_the_note_in_full(patient_client, patient, content):
    ScreeningFactory(user=patient, bone_density_caution=True)
    twist = Exercise.objects.get(slug="supine-twist")

    for url in ["/exercises/supine-twist/", "/exercises/?q=twist",
                "/exercises/routine/?items=supine-twist"]:  # fmt: skip
        body = patient_client.get(url).content.decode()
        assert FULL_NOTE in body, url
        assert twist.bone_density_note in body.split(FULL_NOTE)[1].split("</div>")[0], url
        assert MARKER not in body, url


def test_a_guests_own_caution_counts_and_only_theirs(client, content):
    with_caution, without = client, Client()
    guest_screening(with_caution, bone_density_caution=True)
    guest_screening(without, bone_density_caution=False)

    assert FULL_NOTE in with_caution.get("/exercises/supine-twist/").content.decode()
    assert MARKER in without.get("/exercises/supine-twist/").content.decode()


def test_a_newer_screening_without_the_caution_turns_the_full_note_back_into_a_marker(
    patient_client, patient, content
):
    ScreeningFactory(user=patient, bone_density_caution=True, started_at=days_ago(3))
    ScreeningFactory(user=patient, bone_density_caution=False, started_at=days_ago(1))

    assert MARKER in patient_client.get("/exercises/supine-twist/").content.decode()


def test_an_unknown_exercise_is_a_404_with_a_way_back(client, content):
    response = client.get("/exercises/no-such-thing/")

    assert response.status_code == 404
    assert 'href="/exercises/"' in response.content.decode()


def test_the_routine_keeps_order_and_drops_unknown_items(client, content):
    response = client.get("/exercises/routine/?items=plank,nope,bridge&items=cat-cow")
    body = response.content.decode()

    assert response.status_code == 200
    names = re.findall(r'<li [^>]*data-routine-item>\s*<h3[^>]*><a href="/exercises/([^/]+)/', body)
    assert names == ["plank", "bridge", "cat-cow"]
    assert "1 item in this link is not in the library" in body


def test_an_empty_routine_points_to_the_library(client, content):
    body = client.get("/exercises/routine/").content.decode()

    assert "This routine has no exercises yet" in body


def test_guests_are_told_to_log_in_to_keep_a_log(client, patient_client, content):
    guest = client.get("/exercises/routine/?items=plank").content.decode()
    assert "To keep a log of your sessions" in guest
    # The form is there only for the offline copy, hidden (tests/exercises/test_player.py).
    assert '<div data-role="log-quick" hidden>' in guest
    patient = patient_client.get("/exercises/routine/?items=plank").content.decode()
    assert 'name="pain_during"' in patient and '<div data-role="log-quick">' in patient
    assert "To keep a log of your sessions" not in patient


def test_the_filters_fold_until_one_is_on_and_the_routine_button_sits_in_its_bar(client, content):
    folded = client.get("/exercises/").content.decode()
    filtered = client.get("/exercises/?kind=breathing").content.decode()

    assert '<details class="filters__more">' in folded
    assert '<details class="filters__more" open>' in filtered
    for body in (folded, filtered):
        bar = body.split('<div class="routine-bar">', 1)[1]
        assert bar.lstrip().startswith('<button type="submit" class="button">Start a routine')
        assert "data-ticked-count" in bar
