from __future__ import annotations

import re

import pytest

from apps.exercises.models import Exercise
from tests.factories import ExerciseFactory


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
    ExerciseFactory.create_batch(5)
    with django_assert_num_queries(1):
        small = client.get("/exercises/?region=hip")
    ExerciseFactory.create_batch(45)
    with django_assert_num_queries(1):
        large = client.get("/exercises/?region=hip")

    assert len(listed_slugs(small)) == 5 and len(listed_slugs(large)) == 50


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
    assert "What each source suggests" in body


def test_the_exercise_page_costs_one_query(client, content, django_assert_num_queries):
    with django_assert_num_queries(1):
        client.get("/exercises/plank/")


def test_a_bone_density_flag_is_shown_not_hidden(client, content):
    body = client.get("/exercises/supine-twist/").content.decode()

    assert "If you have low bone density" in body


def test_an_unknown_exercise_is_a_404_with_a_way_back(client, content):
    response = client.get("/exercises/no-such-thing/")

    assert response.status_code == 404
    assert 'href="/exercises/"' in response.content.decode()


def test_the_routine_keeps_order_and_drops_unknown_items(client, content):
    response = client.get("/exercises/routine/?items=plank,nope,bridge&items=cat-cow")
    body = response.content.decode()

    assert response.status_code == 200
    names = re.findall(r'<li data-routine-item>\s*<a href="/exercises/([^/]+)/', body)
    assert names == ["plank", "bridge", "cat-cow"]
    assert "1 item in this link is not in the library" in body


def test_an_empty_routine_points_to_the_library(client, content):
    body = client.get("/exercises/routine/").content.decode()

    assert "This routine has no exercises yet" in body


def test_guests_are_told_logging_needs_an_account(client, patient_client, content):
    assert (
        "Create an account to log this session"
        in client.get("/exercises/routine/?items=plank").content.decode()
    )
    assert (
        "Log this session" in patient_client.get("/exercises/routine/?items=plank").content.decode()
    )
