"""The library and exercise pages keep their shared parts in the content cache
(docs/performance.md, "Content fragment cache"): stale only until the content version is
bumped, never one person's variant for another, and fewer queries once kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.exercises.models import Exercise
from apps.screening.triage import Urgency
from backpain import content_cache
from tests.exercises.helpers import guest_screening
from tests.screening.factories import ScreeningFactory

LIBRARY = "/exercises/"
FILTERED = "/exercises/?kind=yoga&region=lumbar_spine"
TWIST = "/exercises/supine-twist/"
PAGES = [LIBRARY, FILTERED, TWIST]

MARKER = "<summary>Low bone density: take care</summary>"
FULL_NOTE = '<div class="caution" role="note">'
ROUTINES_CLOSED = "Routines are closed until you confirm"
TIMER_CLOSED = "Closed until you confirm you have sought care"


def body(client: Client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_change_shows_once_the_content_version_is_bumped(client, content, url) -> None:
    assert "Supine twist" in body(client, url)
    Exercise.objects.filter(slug="supine-twist").update(
        name="Lying twist", purpose="A changed purpose."
    )

    # Kept until load_content says the content changed (the exercise page's title is read
    # each time, with its 404 for an unknown slug).
    assert "Lying twist" not in body(client, url).split("<main")[1]
    content_cache.bump()
    page = body(client, url)
    assert "Lying twist" in page and "A changed purpose." in page


def test_the_htmx_results_follow_the_bump_too(client, content) -> None:
    htmx = {"headers": {"HX-Request": "true"}}
    body(client, FILTERED, **htmx)
    Exercise.objects.filter(slug="supine-twist").update(name="Lying twist")
    assert "Lying twist" not in body(client, FILTERED, **htmx)
    content_cache.bump()
    assert "Lying twist" in body(client, FILTERED, **htmx)


@pytest.mark.parametrize("url", PAGES)
def test_each_person_gets_their_own_bone_density_variant(
    client, patient_client, patient, other_patient_client, content, url
) -> None:
    ScreeningFactory(user=patient, bone_density_caution=True)
    flagged_guest = Client()
    guest_screening(flagged_guest, bone_density_caution=True)

    # One after another from the same process, each from a cache the one before filled.
    for _ in range(2):
        for flagged, someone in [
            (True, patient_client),
            (False, other_patient_client),
            (False, client),
            (True, flagged_guest),
        ]:
            page = body(someone, url)
            assert (FULL_NOTE in page) is flagged, url
            assert (MARKER in page) is not flagged, url


@pytest.mark.parametrize("url", PAGES)
def test_one_persons_care_gate_does_not_close_anothers_page(
    client, patient_client, patient, content, url
) -> None:
    ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)
    closed = ROUTINES_CLOSED if "supine" not in url else TIMER_CLOSED

    for _ in range(2):
        assert closed in body(patient_client, url)
        assert closed not in body(client, url)


def test_the_exercise_page_keeps_no_persons_token_or_nonce(client, patient_client, content):
    """Nonces and form tokens differ per response: the kept article carries neither."""
    first, second = body(client, TWIST), body(patient_client, TWIST)
    article = first.split('<article class="exercise">')[1].split("</article>")[0]
    assert article == second.split('<article class="exercise">')[1].split("</article>")[0]
    assert "nonce" not in article and "csrfmiddlewaretoken" not in article


def test_a_search_word_is_never_kept_for_the_next_person(client, content) -> None:
    searched = body(client, "/exercises/?q=twist&kind=yoga")
    assert 'value="twist"' in searched and searched.count('class="exercise-card"') == 1
    page = body(Client(), "/exercises/?kind=yoga")
    assert "twist" not in page.split('id="filters"')[1].split("</form>")[0]
    # Nor the search's results for the filter alone.
    assert page.count('class="exercise-card"') == Exercise.objects.for_kind("yoga").count() > 1


def test_each_filter_choice_keeps_its_own_form_and_count(client, content) -> None:
    spine, hip = body(client, FILTERED), body(client, "/exercises/?kind=yoga&region=hip")
    assert '<option value="lumbar_spine" selected>' in spine
    assert '<option value="hip" selected>' in hip
    assert spine.count('class="exercise-card"') != hip.count('class="exercise-card"')
    count = Exercise.objects.for_kind("yoga").for_region("hip").count()
    assert f"{count} exercises match your search" in hip


def test_an_unknown_exercise_is_still_not_found(client, content) -> None:
    body(client, TWIST)
    assert client.get("/exercises/no-such-exercise/").status_code == 404


@pytest.mark.parametrize(
    ("url", "cold", "warm"), [(LIBRARY, 2, 1), (FILTERED, 2, 1), (TWIST, 3, 2)]
)
def test_a_kept_fragment_runs_fewer_queries(client, content, url, cold, warm, fresh_page) -> None:
    """A guest: the content version, then the exercises (the exercise page its name first)
    only while the cache does not have the fragment yet (the whole page not kept)."""
    fresh_page()
    with CaptureQueriesContext(connection) as first:
        body(client, url)
    fresh_page()
    with CaptureQueriesContext(connection) as second:
        body(client, url)
    assert (len(first), len(second)) == (cold, warm)
