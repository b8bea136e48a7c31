"""Every page and htmx fragment runs at most its budget of queries, and no more with more data.

The URLs and roles come from the access matrix (tests/security/matrix.py, cast.py): each GET
URL is asked for by the first role it answers (patient A for a patient's pages, A's
clinician for the clinic's, staff for staff pages), whole and as an htmx request. The same
requests are made twice: with patient A's small history (one session, one check-in) and the
clinician's one patient, then after A has 52 weeks of history and the clinician 40 patients
with histories of their own. Each count must be at most the URL's budget below and the same
both times: a count that grows with the data is an N+1 or a missing prefetch.

The budgets are the counts measured when they were written; a page that needs a query more
for a good reason raises its budget here, in one place. (django-zeal, enabled for the whole
test run by the settings, names the relation of an N+1 as it happens.)
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import CareLink
from apps.checklist.models import Item, Run
from apps.clinic import demo as clinic_demo
from apps.clinic.models import Alert, AlertKind, Note
from apps.exercises.models import Exercise
from apps.progress.models import (
    CheckIn,
    FunctionActivity,
    FunctionScore,
    Session,
    SessionEntry,
    week_start,
)
from apps.screening.models import Question, Screening
from apps.screening.triage import Urgency
from backpain import content_cache
from tests.factories import UserFactory
from tests.security.cast import HTMX, Cast, build_cast, routes, send
from tests.security.matrix import GET_ROWS, IGNORED_PREFIXES

# Who asks for each URL: the first of these the matrix lets in.
ASKERS = ("patient_a", "clinician", "staff", "anonymous")

# Queries per URL (the most of its whole page and its htmx fragment). URLs not named here
# get DEFAULT_BUDGET.
DEFAULT_BUDGET = 6
BUDGETS: dict[str, int] = {
    "account_reauthenticate": 8,
    # Pages kept per person (backpain/page_cache.py) read the content version for their key,
    # once a second per process; counted here as on every request.
    "checklist:result": 7,
    "clinic:csv": 7,
    # With the patients' data versions, the key of the kept page.
    "clinic:dashboard": 8,
    "clinic:prescribe": 9,
    "clinic:report": 12,
    # Everything about one patient, each part one query (the audit event is a write), and the
    # content version for the kept page's key; its timeline fragment (one month, HX-Target
    # "timeline") takes 13.
    "clinic:review": 16,
    # With its article not in the content cache yet: the name, then the exercise to render it
    # (6 once it is kept).
    "exercises:detail": 7,
    "home": 9,
    "mfa_reauthenticate": 8,
    "progress:home": 8,
    "progress:log": 7,
    "progress:log_edit": 7,
    "progress:plan": 7,
    "screening:start": 6,
    # Kept too (for an account): the content version for the key, then the unfinished check
    # with its answers and the gate in one query.
    "screening:step": 5,
}

# htmx requests the pages make with a target that picks a different fragment.
HTMX_TARGETS = {"clinic:review": ["timeline"], "progress:log": ["log-results"]}


def asker(name: str) -> str | None:
    row = GET_ROWS[name]
    return next((role for role in ASKERS if row[role] == "200"), None)


def requests(cast: Cast) -> list[tuple[str, str, str, dict[str, str]]]:
    """(URL name, role, URL, headers) for every GET page and fragment someone can see."""
    found = []
    for name, route in sorted(routes().items()):
        if name.startswith(IGNORED_PREFIXES) or (role := asker(name)) is None:
            continue
        url = route.url(cast)
        found.append((name, role, url, {}))
        found.append((name, role, url, {"headers": HTMX}))
        for target in HTMX_TARGETS.get(name, []):
            found.append((name, role, url, {"headers": {**HTMX, "HX-Target": target}}))
    return found


def count_queries(cast: Cast) -> dict[tuple[str, str], tuple[int, int]]:
    """Queries and status of each request, keyed by (URL name, what was asked)."""
    counts = {}
    for name, role, url, kwargs in requests(cast):
        client = cast.client(role)
        # The worst case: content pages render what they would otherwise take from the
        # content cache (tests/exercises/test_content_cache_pages.py counts the warm pages).
        caches["content"].clear()
        # And no kept page (tests/test_page_cache.py), with the content version read again,
        # as by a process whose last reading is older than a second.
        caches["pages"].clear()
        content_cache.forget()
        with CaptureQueriesContext(connection) as queries:
            response, _ = send(client, "get", url, **kwargs)
        # The savepoint send() opens and releases is not the page's.
        page = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
        what = "htmx " + kwargs["headers"].get("HX-Target", "") if kwargs else "page"
        counts[(name, what.strip())] = (len(page), response.status_code)
    return counts


def add_weeks(cast: Cast, weeks: range) -> None:
    """Give patient A a check-in and four logged sessions for each of these past weeks."""
    rng = random.Random(15)
    patient = cast.objects["patient"]
    this_week = week_start(timezone.localdate())
    exercises = list(Exercise.objects.order_by("slug")[:6])
    activities = list(FunctionActivity.objects.filter(patient=patient)) or (
        FunctionActivity.objects.bulk_create(
            FunctionActivity(patient=patient, name=f"Activity {i}", order=i) for i in range(3)
        )
    )
    mondays = [this_week - dt.timedelta(weeks=n) for n in weeks]
    check_ins = CheckIn.objects.bulk_create(
        CheckIn(
            patient=patient,
            week_start=monday,
            pain_average=(average := rng.randint(1, 8)),
            pain_worst=average + 1,
            sleep_nights=rng.randint(0, 7),
            days_active=rng.randint(0, 7),
        )
        for monday in mondays
    )
    FunctionScore.objects.bulk_create(
        FunctionScore(check_in=c, activity=a, score=rng.randint(0, 10))
        for c in check_ins
        for a in activities
    )
    sessions = Session.objects.bulk_create(
        Session(
            patient=patient,
            performed_on=monday + dt.timedelta(days=day),
            client_token=uuid.uuid4(),
            pain_during=rng.randint(0, 8),
        )
        for monday in mondays
        for day in (0, 2, 4, 6)
    )
    SessionEntry.objects.bulk_create(
        SessionEntry(session=s, exercise=e, sets=1, reps=10, hold_seconds=5)
        for s in sessions
        for e in exercises
    )


def add_more_of_everything(cast: Cast) -> None:
    """More results, notes and alerts for A, and a caseload of 40 for A's clinician."""
    patient, clinician = cast.objects["patient"], cast.users["clinician"]
    # Past checks of each kind, confirmed emergencies among them: the care gate and the
    # latest check are one query each however many there are.
    for n in range(6):
        screening = Screening.objects.create(user=patient, kind="recheck" if n % 2 else "full")
        for question in Question.objects.active():
            screening.record(question, "no")
        screening.complete()
        if n % 3 == 0:
            Screening.objects.filter(pk=screening.pk).update(
                urgency=Urgency.EMERGENCY, acknowledged_at=timezone.now()
            )
        run = Run.objects.create(user=patient)
        for item in Item.objects.active():
            run.record(item, "yes")
        run.complete()
    Note.objects.bulk_create(
        Note(clinician=clinician, patient=patient, text=f"Note {n}") for n in range(20)
    )
    Alert.objects.bulk_create(
        Alert(patient=patient, kind=AlertKind.INACTIVE, source=f"more-{n}") for n in range(10)
    )
    # The demo's caseload (30 patients with weeks of history, alerts, plans) and ten more.
    clinic_demo.seed(patient=patient, clinician=clinician)
    for n in range(10):
        CareLink.objects.create(
            patient=UserFactory(email=f"more{n}@example.org"), clinician=clinician
        )
    assert CareLink.objects.filter(clinician=clinician).count() >= 40


@pytest.mark.django_db
def test_every_page_stays_within_its_query_budget_whatever_the_data(content):
    cast = build_cast()
    for role in ASKERS:
        cast.client(role)  # Logged in before anything is counted.
    # As on a running site, the content version exists (the first request or load_content
    # makes it): otherwise whichever page reads it first pays for making it.
    content_cache.version()
    add_weeks(cast, range(1, 2))
    small = count_queries(cast)
    add_weeks(cast, range(2, 53))
    add_more_of_everything(cast)
    large = count_queries(cast)

    problems = []
    for (name, what), (queries, status) in small.items():
        budget = BUDGETS.get(name, DEFAULT_BUDGET)
        more, status_large = large[(name, what)]
        if status != status_large:
            problems.append(f"{name} ({what}): {status} with little data, {status_large} with more")
        if max(queries, more) > budget:
            problems.append(f"{name} ({what}): {max(queries, more)} queries, budget {budget}")
        if queries != more:
            problems.append(f"{name} ({what}): {queries} queries with 1 week, {more} with 52")
    table = "\n".join(
        f"{name:36} {what:18} {small[(name, what)][0]:3} {large[(name, what)][0]:3}"
        for name, what in small
    )
    assert not problems, "\n".join(problems) + "\n\n" + table


def test_the_n_plus_one_detector_is_on_for_the_test_run(db, settings):
    """A relation loaded once per row inside a request raises, so such a page fails its test."""
    from zeal import NPlusOneError, zeal_context

    assert "backpain.middleware.n_plus_one_check" in settings.MIDDLEWARE
    first, second = UserFactory(), UserFactory()
    for person in (first, second):
        CareLink.objects.create(patient=person, clinician=UserFactory())
    with pytest.raises(NPlusOneError), zeal_context():
        [link.patient.email for link in CareLink.objects.all()]
    with zeal_context():
        [link.patient.email for link in CareLink.objects.select_related("patient")]
