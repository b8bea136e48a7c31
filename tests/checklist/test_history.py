"""Past runs for patients: dates, scores and the trend, in a fixed number of queries."""

from __future__ import annotations

import re

from django.urls import reverse

from apps.checklist.models import Run
from tests.checklist.factories import completed_run


def test_the_history_lists_completed_runs_newest_first_with_score_and_trend(
    patient_client, patient, items
):
    older = completed_run(patient, default="no", days_ago=20)  # 0 points
    newer = completed_run(patient, {"relaxed_core": "yes"}, default="no", days_ago=5)  # 3
    latest = completed_run(patient, {"relaxed_core": "yes"}, default="no")  # 3
    Run.objects.create(user=patient)  # unfinished: not listed

    html = patient_client.get(reverse("checklist:history")).content.decode()

    urls = [run.get_absolute_url() for run in (latest, newer, older)]
    assert [html.index(url) for url in urls] == sorted(html.index(url) for url in urls)
    assert html.count("See the result") == 3
    rows = re.findall(r"<td>(\d+) out of 13 points</td>\s*<td>([^<]+)</td>", html)
    assert rows == [("3", "the same score"), ("3", "up 3 points"), ("0", "–")]


def test_the_history_says_when_there_is_nothing_yet(patient_client, items):
    html = patient_client.get(reverse("checklist:history")).content.decode()

    assert "You have not finished a checklist yet." in html
    assert "Start a new checklist" in html


def test_a_guest_is_asked_to_log_in_for_the_history(anon_client):
    response = anon_client.get(reverse("checklist:history"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_history_costs_the_same_queries_with_1_or_20_runs(
    patient_client, patient, items, django_assert_max_num_queries
):
    completed_run(patient)
    with django_assert_max_num_queries(3) as few:
        patient_client.get(reverse("checklist:history"))

    for days in range(1, 20):
        completed_run(patient, default="no", days_ago=days)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = patient_client.get(reverse("checklist:history"))
    assert response.content.decode().count("See the result") == 20
