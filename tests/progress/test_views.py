from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.http import HttpRequest
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.exercises.models import Exercise
from apps.progress import services
from apps.progress.models import (
    EDIT_WINDOW,
    CheckIn,
    FunctionActivity,
    FunctionScore,
    Plan,
    Session,
    SessionEntry,
)
from apps.screening.gate import care_gate, latest_screening
from apps.screening.models import Question, Screening
from tests.factories import CheckInFactory, SessionFactory, monday
from tests.screening.factories import ScreeningFactory, answered_screening, step_url

PATIENT_PAGES = ["/plan/", "/progress/", "/progress/log/", "/progress/check-in/"]


# ---- access ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", PATIENT_PAGES)
def test_anonymous_people_are_sent_to_log_in(anon_client, content, url):
    response = anon_client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PATIENT_PAGES)
@pytest.mark.parametrize(
    "who", ["clinician_client", "revoked_clinician_client", "stranger_clinician_client"]
)
def test_clinicians_get_404_on_patient_pages(request, content, url, who):
    assert request.getfixturevalue(who).get(url).status_code == 404


@pytest.mark.parametrize("url", PATIENT_PAGES)
def test_a_patient_sees_their_pages_without_caching(patient_client, content, url):
    response = patient_client.get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_another_patients_session_is_404_for_every_one_else(
    patient,
    content,
    other_patient_client,
    clinician_client,
    stranger_clinician_client,
    anon_client,
    patient_client,
):
    session = SessionFactory(patient=patient)
    url = f"/progress/log/{session.uuid}/"

    assert patient_client.get(url).status_code == 200
    assert other_patient_client.get(url).status_code == 404
    assert other_patient_client.post(url, {"pain_during": 1}).status_code == 404
    assert clinician_client.get(url).status_code == 404
    assert stranger_clinician_client.get(url).status_code == 404
    assert anon_client.get(url).status_code == 302


def test_another_patients_plan_items_cannot_be_changed(
    patient, other_patient_client, patient_client, content
):
    ScreeningFactory(user=patient)
    patient_client.get("/plan/")
    item = Plan.objects.get(patient=patient).items.first()

    assert other_patient_client.post(f"/plan/items/{item.id}/remove/").status_code == 404
    assert (
        other_patient_client.post(f"/plan/items/{item.id}/swap/", {"exercise": "plank"}).status_code
        == 404
    )
    assert Plan.objects.get(patient=patient).items.filter(id=item.id).exists()


def test_pages_show_only_the_patients_own_rows(patient, other_patient, patient_client, content):
    CheckInFactory(patient=other_patient, pain_average=9, pain_worst=10)
    body = patient_client.get("/progress/").content.decode()

    assert "No check-ins yet" in body


# ---- plan -----------------------------------------------------------------------------


def test_the_plan_is_built_on_first_visit_with_a_routine_link(patient_client, patient, content):
    ScreeningFactory(user=patient)

    body = patient_client.get("/plan/").content.decode()
    plan = Plan.objects.get(patient=patient)

    assert plan.items.count() >= 4
    assert "Start today&#x27;s routine" in body or "Start today's routine" in body
    assert f"/exercises/routine/?items={','.join(plan.routine_slugs())}" in body
    assert "Education, not a diagnosis" in body


def test_a_swap_keeps_kind_and_region(patient_client, patient, content):
    ScreeningFactory(user=patient)
    patient_client.get("/plan/")
    item = (
        Plan.objects.get(patient=patient)
        .items.select_related("exercise")
        .get(exercise__slug="cat-cow")
    )
    bad = patient_client.post(f"/plan/items/{item.id}/swap/", {"exercise": "plank"}, follow=True)
    assert "cannot replace" in bad.content.decode()

    choice = services.swap_choices(item, list(Exercise.objects.all()), bone_density=False)[0]
    assert choice.kind == item.exercise.kind and set(choice.regions) & set(item.exercise.regions)
    good = patient_client.post(f"/plan/items/{item.id}/swap/", {"exercise": choice.slug})
    item.refresh_from_db()
    assert good.status_code == 302
    assert item.exercise == choice


def test_removing_an_item(patient_client, patient, content):
    ScreeningFactory(user=patient)
    patient_client.get("/plan/")
    item = Plan.objects.get(patient=patient).items.first()

    patient_client.post(f"/plan/items/{item.id}/remove/")

    assert not Plan.objects.get(patient=patient).items.filter(id=item.id).exists()


def test_a_prescribed_programme_replaces_the_own_plan(patient_client, patient, clinician, content):
    ScreeningFactory(user=patient)
    patient_client.get("/plan/")
    prescribed = Plan.objects.create(
        patient=patient, author=clinician, kind="prescribed", reasons=["From your physio"]
    )
    prescribed.items.create(exercise=Exercise.objects.get(slug="plank"), order=0)

    body = patient_client.get("/plan/").content.decode()

    assert "prescribed by Dr Link" in body
    assert "/exercises/routine/?items=plank" in body
    assert "Remove Plank" not in body


def test_without_a_finished_check_the_plan_asks_for_one_and_builds_nothing(
    patient_client, patient, content
):
    Screening.objects.create(user=patient)  # started, not finished

    response = patient_client.get("/plan/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "First, check for warning signs" in body
    assert f'href="{reverse("screening:start")}"' in body
    assert "/exercises/routine/" not in body
    assert Plan.objects.count() == 0


@pytest.mark.parametrize(("urgency", "held"), [("urgent", True), ("soon", False), ("none", False)])
def test_after_an_urgent_check_the_plan_says_to_hold_off_new_exercises(
    patient_client, patient, content, urgency, held
):
    ScreeningFactory(user=patient, urgency=urgency)

    body = patient_client.get("/plan/").content.decode()

    assert ("Hold off on new" in body) is held
    assert "First, check for warning signs" not in body


def test_an_unacknowledged_emergency_closes_plan_and_log(patient_client, patient, content):
    ScreeningFactory(user=patient, urgency="emergency")

    for url in ["/plan/", "/progress/log/"]:
        body = patient_client.get(url).content.decode()
        assert 'role="alert"' in body
        assert "Start today" not in body and "Save session" not in body
    response = patient_client.post("/progress/log/", {"pain_during": 2})
    assert Session.objects.count() == 0 and response.status_code == 200


def test_low_bone_density_is_respected_in_the_plan(patient_client, patient, content):
    ScreeningFactory(user=patient, bone_density_caution=True)

    patient_client.get("/plan/")

    slugs = Plan.objects.get(patient=patient).routine_slugs()
    assert not Exercise.objects.filter(slug__in=slugs, bone_density_caution=True).exists()


# ---- session log ----------------------------------------------------------------------


def session_post(token, **overrides):
    """The log's post, as the page and the routine player send it."""
    data = {
        "client_token": str(token),
        "performed_on": timezone.localdate().isoformat(),
        "pain_during": "3",
        "note": "felt fine",
        "entries-TOTAL_FORMS": "2",
        "entries-INITIAL_FORMS": "0",
        "entries-0-exercise": "bridge",
        "entries-0-done": "on",
        "entries-0-sets": "1",
        "entries-0-reps": "10",
        "entries-0-hold_seconds": "",
        "entries-1-exercise": "plank",
        "entries-1-sets": "2",
        "entries-1-reps": "",
        "entries-1-hold_seconds": "20",
    }
    data.update(overrides)
    return data


def lines(body: str) -> list[str]:
    return re.findall(r'data-line="([^"]*)"', body)


def test_the_log_is_prefilled_from_the_routine_one_line_each(patient_client, content):
    body = patient_client.get("/progress/log/?items=bridge,plank,walking-break").content.decode()

    assert lines(body) == ["bridge", "plank", "walking-break"]
    assert "<select" not in body, "names as text, no dropdown per line"
    # Ticked, with only the amounts that apply: sets × reps, sets × a hold, a time.
    assert body.count('class="log-line__done" checked') == 3
    assert 'name="entries-0-sets"' in body and 'name="entries-0-reps"' in body
    assert 'name="entries-0-hold_seconds"' not in body
    assert 'name="entries-1-hold_seconds"' in body and 'name="entries-1-reps"' not in body
    assert 'name="entries-2-hold_seconds" value="300"' in body
    assert 'name="entries-2-sets"' not in body
    assert "One score for the whole session" in body


def test_an_empty_log_has_no_lines_and_offers_the_search(patient_client, content):
    body = patient_client.get("/progress/log/").content.decode()

    assert lines(body) == []
    assert 'name="entries-TOTAL_FORMS" value="0"' in body
    assert "Nothing in this log yet" in body
    assert 'name="search-q"' in body


def test_only_ticked_lines_are_saved(patient_client, patient, content):
    response = patient_client.post("/progress/log/", session_post(uuid.uuid4()))

    assert response.status_code == 302
    entry = SessionEntry.objects.get(session__patient=patient)
    assert (entry.exercise.slug, entry.sets, entry.reps, entry.hold_seconds) == (
        "bridge",
        1,
        10,
        None,
    )


def test_a_timed_line_saves_its_seconds(patient_client, patient, content):
    patient_client.post("/progress/log/", session_post(uuid.uuid4(), **{"entries-1-done": "on"}))

    plank = SessionEntry.objects.get(session__patient=patient, exercise__slug="plank")
    assert (plank.sets, plank.reps, plank.hold_seconds) == (2, None, 20)


def test_a_session_with_nothing_ticked_says_so(patient_client, content):
    response = patient_client.post(
        "/progress/log/", session_post(uuid.uuid4(), **{"entries-0-done": ""})
    )
    body = response.content.decode()

    assert response.status_code == 200
    assert "Tick Done beside at least one exercise you did." in body
    assert lines(body) == ["bridge", "plank"], "the lines stay"
    assert Session.objects.count() == 0


def test_a_ticked_line_without_an_exercise_says_so_and_an_unticked_one_is_skipped(
    patient_client, patient, content
):
    ticked = session_post(uuid.uuid4(), **{"entries-1-exercise": "", "entries-1-done": "on"})
    response = patient_client.post("/progress/log/", ticked)

    assert response.status_code == 200
    assert "A ticked line names no exercise" in response.content.decode()
    assert Session.objects.count() == 0

    skipped = session_post(uuid.uuid4(), **{"entries-1-exercise": ""})
    assert patient_client.post("/progress/log/", skipped).status_code == 302
    assert [e.exercise.slug for e in Session.objects.get().entries.all()] == ["bridge"]


def test_a_session_with_no_lines_says_so(patient_client, content):
    response = patient_client.post(
        "/progress/log/", session_post(uuid.uuid4(), **{"entries-TOTAL_FORMS": "0"})
    )

    assert response.status_code == 200
    assert "Add an exercise you did" in response.content.decode()
    assert Session.objects.count() == 0


def test_a_resent_form_saves_one_session(patient_client, patient, content):
    token = uuid.uuid4()
    first = patient_client.post("/progress/log/", session_post(token))
    second = patient_client.post("/progress/log/", session_post(token))

    assert first.status_code == second.status_code == 302
    assert Session.objects.filter(patient=patient).count() == 1
    assert SessionEntry.objects.filter(session__patient=patient).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pain_during": "11"}, "pain_during", "Choose a number from 0 to 10."),
        ({"pain_during": ""}, "pain_during", "Choose a number from 0 to 10."),
        ({"performed_on": "2999-01-01"}, "performed_on", "cannot be in the future"),
        ({"performed_on": "yesterday-ish"}, "performed_on", "Enter a valid date."),
        ({"entries-0-reps": "-3"}, "entries-0-reps", "Enter reps from 1 to 200."),
        ({"entries-0-reps": "201"}, "entries-0-reps", "Enter reps from 1 to 200."),
        ({"entries-0-sets": "21"}, "entries-0-sets", "Enter sets from 1 to 20."),
        ({"entries-1-hold_seconds": "3601"}, "entries-1-hold_seconds", "from 1 to 3600."),
        ({"entries-0-exercise": "no-such-exercise"}, "entries-0-exercise", "not in the library"),
        ({"entries-0-reps": ""}, "entries-0-reps", "Give the reps, or the time in seconds."),
        (
            {"entries-1-done": "on", "entries-1-hold_seconds": ""},
            "entries-1-hold_seconds",
            "Give the reps, or the time in seconds.",
        ),
    ],
)
def test_bad_session_input_rerenders_by_the_field(
    patient_client, content, overrides, field, message
):
    response = patient_client.post("/progress/log/", session_post(uuid.uuid4(), **overrides))
    body = response.content.decode()

    assert response.status_code == 200
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert "felt fine" in body, "what was typed is kept"
    assert Session.objects.count() == 0


def test_a_line_is_added_from_the_search_keeping_what_was_typed(patient_client, content):
    data = session_post(uuid.uuid4(), note="kept", **{"entries-0-reps": "7", "search-q": "dead"})
    body = patient_client.post("/progress/log/", {**data, "find": "1"}).content.decode()

    assert lines(body) == ["bridge", "plank", "dead-bug"]
    assert 'name="entries-0-reps" value="7"' in body
    assert "kept</textarea>" in body
    assert 'name="entries-TOTAL_FORMS" value="3"' in body
    assert "Added Dead bug." in body
    assert "error" not in re.sub(r"\s+", " ", body).split("What you did")[1].split("How it")[0]
    assert Session.objects.count() == 0


def test_a_search_with_several_matches_lists_them_to_add(patient_client, content):
    data = session_post(uuid.uuid4(), **{"search-q": "breathing"})
    body = patient_client.post("/progress/log/", {**data, "find": "1"}).content.decode()

    assert lines(body) == ["bridge", "plank"]
    assert "exercises match: choose one below." in body
    assert 'name="add" value="box-breathing"' in body

    body = patient_client.post("/progress/log/", {**data, "add": "box-breathing"}).content.decode()
    assert lines(body) == ["bridge", "plank", "box-breathing"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"find": "1", "search-q": ""}, "Type a name to find an exercise."),
        ({"find": "1", "search-q": "zzzzqqq"}, "No exercise matches"),
        ({"find": "1", "search-q": "bridge " * 20}, "We ignored the search filter"),
        ({"add": "bridge"}, "Bridge is already in this session."),
        ({"add": "no-such"}, "That exercise is not in the library."),
    ],
)
def test_adding_explains_what_it_could_not_do(patient_client, content, extra, message):
    body = patient_client.post(
        "/progress/log/", {**session_post(uuid.uuid4()), **extra}
    ).content.decode()

    assert message in body
    assert lines(body) == ["bridge", "plank"]


def test_a_line_is_removed_by_its_own_button(patient_client, content):
    data = session_post(uuid.uuid4(), **{"entries-1-hold_seconds": "33"})
    body = patient_client.post("/progress/log/", {**data, "remove": "0"}).content.decode()

    assert lines(body) == ["plank"]
    assert 'name="entries-0-hold_seconds" value="33"' in body
    assert "Removed Bridge." in body
    assert Session.objects.count() == 0


def test_with_htmx_add_and_remove_answer_with_the_lines_only(patient_client, content):
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "log-rows"}
    response = patient_client.post(
        "/progress/log/", {**session_post(uuid.uuid4()), "add": "dead-bug"}, **htmx
    )
    body = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in body and "Save session" not in body
    assert body.lstrip().startswith('<div id="log-rows">')
    assert lines(body) == ["bridge", "plank", "dead-bug"]
    assert 'hx-swap-oob="innerHTML">Added Dead bug.' in body
    assert "HX-Request" in response["Vary"]

    search = patient_client.post(
        "/progress/log/",
        {**session_post(uuid.uuid4()), "search-q": "bird"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="log-results",
    ).content.decode()
    assert search.lstrip().startswith('<div id="log-results"')
    assert 'value="bird-dog"' in search


def test_a_session_can_be_changed_and_deleted_for_seven_days(patient_client, patient, content):
    token = uuid.uuid4()
    patient_client.post("/progress/log/", session_post(token))
    session = Session.objects.get(client_token=token)

    response = patient_client.post(
        f"/progress/log/{session.uuid}/", session_post(token, pain_during="6")
    )
    session.refresh_from_db()
    assert response.status_code == 302
    assert session.pain_during == 6
    assert Session.objects.count() == 1

    # One minute inside the week, then one minute past it.
    just_in = timezone.now() - EDIT_WINDOW + dt.timedelta(minutes=1)
    Session.objects.filter(pk=session.pk).update(created_at=just_in)
    assert patient_client.get(f"/progress/log/{session.uuid}/").status_code == 200
    assert patient_client.get(f"/progress/log/{session.uuid}/delete/").status_code == 200
    body = patient_client.get("/progress/log/").content.decode()
    assert f"/progress/log/{session.uuid}/delete/" in body

    Session.objects.filter(pk=session.pk).update(created_at=just_in - dt.timedelta(minutes=2))
    for url in (f"/progress/log/{session.uuid}/", f"/progress/log/{session.uuid}/delete/"):
        response = patient_client.post(url, session_post(token, pain_during="9"), follow=True)
        assert "can no longer be changed or deleted" in response.content.decode()
    session.refresh_from_db()
    assert session.pain_during == 6
    body = patient_client.get("/progress/log/").content.decode()
    assert f"/progress/log/{session.uuid}/delete/" not in body
    assert f'href="/progress/log/{session.uuid}/"' not in body


def test_the_edit_page_shows_the_sessions_lines(patient_client, patient, content):
    session = SessionFactory(patient=patient, pain_during=4)
    session.entries.create(exercise=Exercise.objects.get(slug="bridge"), sets=2, reps=12)
    body = patient_client.get(f"/progress/log/{session.uuid}/").content.decode()

    assert lines(body) == ["bridge"]
    assert 'name="entries-0-reps" value="12"' in body
    assert f'name="client_token" value="{session.client_token}"' in body


def test_deleting_asks_first_then_deletes_and_the_progress_page_changes(
    patient_client, patient, content
):
    session = SessionFactory(patient=patient, performed_on=timezone.localdate())
    session.entries.create(exercise=Exercise.objects.get(slug="bridge"), reps=10)
    progress = patient_client.get("/progress/").content.decode()
    assert re.search(r"data-sessions-this-week>1\b", progress)
    assert "1 day with a session" in progress
    assert f"/progress/log/{session.uuid}/delete/?back=progress" in progress

    confirm = patient_client.get(f"/progress/log/{session.uuid}/delete/?back=progress")
    assert confirm.status_code == 200
    assert "Delete this session" in confirm.content.decode()
    assert Session.objects.filter(pk=session.pk).exists(), "a GET only asks"

    response = patient_client.post(
        f"/progress/log/{session.uuid}/delete/", {"back": "progress"}, follow=True
    )
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/progress/"
    assert "Deleted the session of" in body
    assert not Session.objects.filter(pk=session.pk).exists()
    assert not SessionEntry.objects.filter(session_id=session.pk).exists()
    assert re.search(r"data-sessions-this-week>0\b", body)
    assert "0 days with a session" in body


@pytest.mark.parametrize("suffix", ["", "delete/"])
def test_a_session_is_404_for_everyone_but_its_patient(
    patient,
    content,
    suffix,
    patient_client,
    other_patient_client,
    clinician_client,
    stranger_clinician_client,
    revoked_clinician_client,
    anon_client,
):
    session = SessionFactory(patient=patient)
    url = f"/progress/log/{session.uuid}/{suffix}"

    for client in (
        other_patient_client,
        clinician_client,
        stranger_clinician_client,
        revoked_clinician_client,
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, session_post(uuid.uuid4(), pain_during="9")).status_code == 404
    response = anon_client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert patient_client.get(url).status_code == 200
    session.refresh_from_db()
    assert session.pain_during == 3


@pytest.mark.parametrize("rows", [1, 9])
def test_log_queries_do_not_grow_with_lines(
    patient_client, patient, content, rows, django_assert_max_num_queries
):
    slugs = ",".join(Exercise.objects.order_by("slug").values_list("slug", flat=True)[:rows])
    with django_assert_max_num_queries(LOG_QUERIES):
        body = patient_client.get(f"/progress/log/?items={slugs}").content.decode()
    assert len(lines(body)) == rows
    post = {
        **session_post(uuid.uuid4(), **{"entries-TOTAL_FORMS": str(rows)}),
        **{f"entries-{n}-exercise": slug for n, slug in enumerate(slugs.split(","))},
        **{f"entries-{n}-done": "on" for n in range(rows)},
        **{f"entries-{n}-hold_seconds": "30" for n in range(rows)},
        "find": "1",
        "search-q": "Dead bug",
    }
    with django_assert_max_num_queries(LOG_QUERIES + 1):
        body = patient_client.post("/progress/log/", post).content.decode()
    assert len(lines(body)) == rows + 1


# Session, user, care gate, library, recent sessions (+ entries), the search.
LOG_QUERIES = 9


@pytest.mark.parametrize("sessions", [1, 50])
def test_log_queries_do_not_grow_with_past_sessions(
    patient_client, patient, content, sessions, django_assert_max_num_queries
):
    exercises = list(Exercise.objects.all()[:3])
    for n in range(sessions):
        session = SessionFactory(
            patient=patient, performed_on=timezone.localdate() - dt.timedelta(days=n % 60)
        )
        for exercise in exercises:
            session.entries.create(exercise=exercise, reps=5)
    with django_assert_max_num_queries(LOG_QUERIES):
        body = patient_client.get("/progress/log/?items=bridge").content.decode()
    assert body.count('<li data-session="') == min(sessions, 10)


def test_the_database_bounds_every_amount(patient, content):
    from django.db import IntegrityError, transaction

    session = SessionFactory(patient=patient)
    exercise = Exercise.objects.first()
    for bad in ({"sets": 0}, {"sets": 21}, {"reps": 0}, {"reps": 201}, {"hold_seconds": 3601}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SessionEntry.objects.create(session=session, exercise=exercise, **bad)


# ---- check-in -------------------------------------------------------------------------

# Every emergency and urgent sign, asked again every week (apps/progress/services.py).
RECHECK_EMERGENCY = [
    "bladder_bowel",
    "saddle_numbness",
    "sexual_function",
    "both_legs",
    "leg_weakness",
    "chest_pain",
    "serious_accident",
]
RECHECK_URGENT = [
    "possible_fracture",
    "fragility_pain",
    "cancer_history",
    "weight_loss",
    "fever_unwell",
    "infection_risk",
    "visceral",
    "night_pain",
    "back_lump",
    "between_shoulder_blades",
    "cough_sneeze",
]


def check_in_post(**overrides):
    data = {
        "pain_average": "5",
        "pain_worst": "7",
        "sleep_nights": "2",
        "days_active": "4",
        "note": "a busy week",
        "activity_0_name": "Putting on socks",
        "activity_0_score": "4",
        "activity_1_name": "",
        "activity_1_score": "",
        "activity_2_name": "",
        "activity_2_score": "",
        **{f"recheck_{key}": "no" for key in RECHECK_EMERGENCY + RECHECK_URGENT},
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def newest_screening(patient) -> Screening:
    return Screening.objects.filter(user=patient).completed().latest("completed_at")


def request_for(user) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    return request


def test_one_check_in_per_week_edited_in_place(patient_client, patient, content):
    ScreeningFactory(user=patient)
    first = patient_client.post("/progress/check-in/", check_in_post())
    patient_client.post(
        "/progress/check-in/", check_in_post(pain_average="4", activity_0_score="6")
    )

    assert first["Location"] == "/progress/"
    check_in = CheckIn.objects.get(patient=patient)
    assert check_in.week_start == monday()
    assert check_in.pain_average == 4
    assert FunctionActivity.objects.get(patient=patient).name == "Putting on socks"
    assert FunctionScore.objects.get(check_in=check_in).score == 6


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"pain_average": "12"}, "pain_average", "Choose a number from 0 to 10."),
        ({"pain_worst": "3"}, "pain_worst", "cannot be lower than your average"),
        ({"sleep_nights": "8"}, "sleep_nights", "less than or equal to 7"),
        ({"days_active": "-1"}, "days_active", "greater than or equal to 0"),
        (
            {"activity_0_name": "", "activity_0_score": "5"},
            "activity_0_name",
            "Name the activity you scored.",
        ),
        ({"activity_0_score": "99"}, "activity_0_score", "Choose a number from 0 to 10."),
        ({"recheck_chest_pain": None}, "recheck_chest_pain", "Choose yes, no or not sure."),
        ({"recheck_night_pain": "maybe"}, "recheck_night_pain", "Choose yes, no or not sure."),
    ],
)
def test_bad_check_in_input_rerenders_by_the_field(
    patient_client, patient, content, overrides, field, message
):
    ScreeningFactory(user=patient)
    response = patient_client.post("/progress/check-in/", check_in_post(**overrides))
    body = response.content.decode()

    assert response.status_code == 200
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert "a busy week" in body
    assert CheckIn.objects.count() == 0
    assert Screening.objects.count() == 1, "no re-check is recorded from a bad form"


def test_a_missing_recheck_answer_is_asked_for_beside_the_sign_keeping_the_other_answers(
    patient_client, patient, content
):
    ScreeningFactory(user=patient)
    data = check_in_post(recheck_back_lump="unsure", recheck_both_legs=None)

    response = patient_client.post("/progress/check-in/", data)

    body = response.content.decode()
    assert response.status_code == 200
    assert CheckIn.objects.count() == 0
    invalid = re.findall(r'<div class="field field--invalid">(.*?)</fieldset>', body, re.DOTALL)
    assert len(invalid) == 1
    assert '<fieldset aria-describedby="id_recheck_both_legs_error">' in invalid[0]
    assert "<legend>Pain, numbness, tingling or weakness in both legs</legend>" in invalid[0]
    assert "Choose yes, no or not sure." in invalid[0]
    assert re.search(r'name="recheck_back_lump" value="unsure"[^>]*checked', body)
    assert re.search(r'name="recheck_chest_pain" value="no"[^>]*checked', body)
    assert 'value="Putting on socks"' in body


def test_the_recheck_asks_every_emergency_and_urgent_sign_every_week(
    patient_client, patient, content
):
    # Even straight after a full check: a sign can start on any day.
    ScreeningFactory(user=patient)

    body = patient_client.get("/progress/check-in/").content.decode()

    asked = re.findall(r'name="recheck_(\w+)" value="yes"', body)
    assert asked == RECHECK_EMERGENCY + RECHECK_URGENT
    assert body.count('name="recheck_chest_pain"') == 3  # yes, no, not sure
    assert "<legend>Chest pain as well as back pain</legend>" in body
    assert body.index("<legend>Signs that need emergency care</legend>") < body.index(
        'name="recheck_bladder_bowel"'
    )
    assert body.index("<legend>Signs that need a GP today or tomorrow</legend>") < body.index(
        'name="recheck_possible_fracture"'
    )


def test_an_all_no_recheck_saves_the_check_in_and_thanks_the_patient(
    patient_client, patient, content
):
    ScreeningFactory(user=patient)

    response = patient_client.post("/progress/check-in/", check_in_post(), follow=True)

    assert response.redirect_chain == [("/progress/", 302)]
    assert "Check-in saved. Thank you." in response.content.decode()
    recheck = newest_screening(patient)
    assert recheck.kind == "recheck"
    assert recheck.urgency == "none"


@pytest.mark.parametrize("answer", ["yes", "unsure"])
@pytest.mark.parametrize(
    ("key", "urgency"), [("serious_accident", "emergency"), ("cough_sneeze", "urgent")]
)
def test_a_sign_in_the_recheck_leads_straight_to_its_result(
    patient_client, patient, content, key, urgency, answer
):
    ScreeningFactory(user=patient)

    response = patient_client.post(
        "/progress/check-in/", check_in_post(**{f"recheck_{key}": answer})
    )

    recheck = newest_screening(patient)
    assert response.status_code == 302
    assert response["Location"] == recheck.get_absolute_url()
    assert (recheck.kind, recheck.urgency, recheck.trigger_keys) == ("recheck", urgency, [key])
    assert CheckIn.objects.filter(patient=patient).exists(), "the check-in is kept too"
    result = patient_client.get(response["Location"]).content.decode()
    assert f'data-urgency="{urgency}"' in result
    assert "This result comes from your weekly re-check." in result


def test_a_resent_check_in_answers_as_the_first_without_writing_anything(
    patient_client, patient, content
):
    """A phone resending the form (the same token) gets the first answer back: the same
    redirect and thanks, one check-in and one re-check. One read of the token's re-check
    (and the digest of the form it keeps) tells that it is the same form; nothing is
    written, and neither the form's activities nor its questions are read."""
    ScreeningFactory(user=patient)
    data = check_in_post(client_token=str(uuid.uuid4()))
    first = patient_client.post("/progress/check-in/", data, follow=True)
    version = User.objects.get(pk=patient.pk).data_version

    with CaptureQueriesContext(connection) as queries:
        again = patient_client.post("/progress/check-in/", data)

    assert again["Location"] == first.redirect_chain[0][0] == "/progress/"
    thanks = patient_client.get("/progress/").content.decode()
    assert "Check-in saved. Thank you." in thanks
    assert CheckIn.objects.filter(patient=patient).count() == 1
    assert Screening.objects.filter(user=patient, kind="recheck").count() == 1
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [q for q in sql if q.startswith(("INSERT", "UPDATE", "DELETE"))], sql
    assert not [q for q in sql if "FOR UPDATE" in q], "a resend waits on no lock"
    assert User.objects.get(pk=patient.pk).data_version == version, "nothing written"
    assert not [q for q in sql if "progress_functionactivity" in q or "screening_question" in q]
    # The session with its account, the token's re-check (and the content version, read
    # from the shared cache once a second).
    assert len(sql) <= 3, sql


def resend(client, data):
    """Post the form again, as a phone retrying; return the response and the writes."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/progress/check-in/", data)
    sql = [query["sql"] for query in queries.captured_queries]
    return response, [q for q in sql if q.startswith(("INSERT", "UPDATE", "DELETE"))]


def test_a_resent_emergency_check_in_leads_to_the_same_result_again(
    patient_client, patient, content
):
    ScreeningFactory(user=patient)
    data = check_in_post(client_token=str(uuid.uuid4()), recheck_chest_pain="yes")
    first = patient_client.post("/progress/check-in/", data)

    again, writes = resend(patient_client, data)

    recheck = newest_screening(patient)
    assert again["Location"] == first["Location"] == recheck.get_absolute_url()
    assert recheck.urgency == "emergency"
    assert not writes
    assert Screening.objects.filter(user=patient, kind="recheck").count() == 1


def test_the_changed_form_sent_again_is_answered_by_its_own_recheck_not_checked_again(
    patient_client, patient, content
):
    """Back, a "yes" added, send: a new re-check. That changed form resent (a phone
    retrying it) is the latest form of its token: its re-check answers it, and no third
    re-check is recorded, nor any alert raised again."""
    ScreeningFactory(user=patient)
    token = str(uuid.uuid4())
    patient_client.post("/progress/check-in/", check_in_post(client_token=token))
    changed = check_in_post(client_token=token, recheck_serious_accident="yes")
    sent = patient_client.post("/progress/check-in/", changed)

    for _ in range(2):
        again, writes = resend(patient_client, changed)
        assert again["Location"] == sent["Location"] == newest_screening(patient).get_absolute_url()
        assert not writes

    assert Screening.objects.filter(user=patient, kind="recheck").count() == 2


def test_numbers_changed_and_sent_again_are_saved_once(patient_client, patient, content):
    ScreeningFactory(user=patient)
    token = str(uuid.uuid4())
    patient_client.post("/progress/check-in/", check_in_post(client_token=token))
    changed = check_in_post(client_token=token, pain_average="2")
    patient_client.post("/progress/check-in/", changed)

    again, writes = resend(patient_client, changed)

    assert again["Location"] == "/progress/"
    assert not writes
    assert CheckIn.objects.get(patient=patient).pain_average == 2
    assert Screening.objects.filter(user=patient, kind="recheck").count() == 1


def test_the_first_form_sent_again_after_a_change_is_saved_and_checked_again(
    patient_client, patient, content
):
    """Back twice, to the form as first sent: it is what the patient says now, so its
    numbers are saved again and its answers checked afresh (the sign is gone again)."""
    ScreeningFactory(user=patient)
    token = str(uuid.uuid4())
    first = check_in_post(client_token=token)
    patient_client.post("/progress/check-in/", first)
    patient_client.post(
        "/progress/check-in/",
        check_in_post(client_token=token, pain_average="2", recheck_cough_sneeze="yes"),
    )

    back = patient_client.post("/progress/check-in/", first)

    assert back["Location"] == "/progress/"
    assert CheckIn.objects.get(patient=patient).pain_average == 5
    assert (newest_screening(patient).urgency, Screening.objects.count()) == ("none", 4)
    again, writes = resend(patient_client, first)
    assert again["Location"] == "/progress/"
    assert not writes


@pytest.mark.parametrize("same_form", [True, False])
def test_a_check_in_token_of_another_patient_is_not_found(
    patient_client, other_patient_client, patient, content, same_form
):
    data = check_in_post(client_token=str(uuid.uuid4()))
    other_patient_client.post("/progress/check-in/", data)

    response = patient_client.post(
        "/progress/check-in/", data if same_form else {**data, "pain_average": "3"}
    )

    assert response.status_code == 404
    assert not CheckIn.objects.filter(patient=patient).exists()


def test_the_digest_of_a_check_in_post_is_what_the_form_held(content):
    from django.http import QueryDict

    from backpain import content_cache

    week = monday()
    post = QueryDict("a=1&b=2&b=3&csrfmiddlewaretoken=x")
    digest = services.check_in_digest(post, week)

    assert digest == services.check_in_digest(QueryDict("csrfmiddlewaretoken=y&b=2&b=3&a=1"), week)
    assert digest != services.check_in_digest(QueryDict("a=1&b=3&b=2"), week)
    assert digest != services.check_in_digest(QueryDict("a=1&b=2"), week)
    assert digest != services.check_in_digest(post, week + dt.timedelta(days=7))
    content_cache.bump()
    assert digest != services.check_in_digest(post, week), "new questions, not the same form"


def test_a_sign_added_after_sending_is_checked_not_answered_with_the_first_result(
    patient_client, patient, content
):
    """Back, a "yes" to an emergency sign, send again: the same token, but not the same
    form. The sign leads to its own result, never to the first form's "all clear"."""
    ScreeningFactory(user=patient)
    token = str(uuid.uuid4())
    first = patient_client.post("/progress/check-in/", check_in_post(client_token=token))
    assert first["Location"] == "/progress/"

    again = patient_client.post(
        "/progress/check-in/",
        check_in_post(client_token=token, recheck_serious_accident="yes"),
    )

    recheck = newest_screening(patient)
    assert again["Location"] == recheck.get_absolute_url()
    assert (recheck.urgency, recheck.trigger_keys) == ("emergency", ["serious_accident"])
    assert Screening.objects.filter(user=patient, kind="recheck").count() == 2


def test_numbers_changed_after_sending_are_saved(patient_client, patient, content):
    ScreeningFactory(user=patient)
    token = str(uuid.uuid4())
    patient_client.post("/progress/check-in/", check_in_post(client_token=token))

    again = patient_client.post(
        "/progress/check-in/",
        check_in_post(client_token=token, pain_average="2", activity_0_score="7"),
    )

    assert again["Location"] == "/progress/"
    saved = CheckIn.objects.get(patient=patient)
    assert saved.pain_average == 2
    assert list(saved.function_scores.values_list("score", flat=True)) == [7]
    # The re-check's answers are as they were: the first re-check stands.
    assert Screening.objects.filter(user=patient, kind="recheck").count() == 1


def test_the_same_answers_from_a_form_shown_again_write_no_check_in_but_a_new_recheck(
    patient_client, patient, content
):
    """Saved again unchanged (a new token: the form was shown again), the check-in is not
    rewritten, so no alert is looked for again; the weekly re-check is still recorded."""
    ScreeningFactory(user=patient)
    patient_client.post("/progress/check-in/", check_in_post())
    saved = CheckIn.objects.get(patient=patient)

    with CaptureQueriesContext(connection) as queries:
        again = patient_client.post("/progress/check-in/", check_in_post())

    assert again["Location"] == "/progress/"
    assert CheckIn.objects.get(patient=patient).updated_at == saved.updated_at
    assert Screening.objects.filter(user=patient, kind="recheck").count() == 2
    sql = [query["sql"] for query in queries.captured_queries]
    assert not [q for q in sql if q.startswith('UPDATE "progress_checkin"')]
    assert not [q for q in sql if "accounts_carelink" in q or "clinic_alert" in q]


def test_an_all_no_recheck_does_not_open_an_unconfirmed_emergency_gate(
    patient_client, patient, content
):
    emergency = ScreeningFactory(
        user=patient, urgency="emergency", completed_at=timezone.now() - dt.timedelta(days=1)
    )

    response = patient_client.post("/progress/check-in/", check_in_post())

    assert newest_screening(patient).urgency == "none"
    assert response["Location"] == "/progress/"
    assert care_gate(request_for(patient)) == emergency
    assert 'id="gate-heading"' in patient_client.get("/plan/").content.decode()


def test_an_emergency_in_the_recheck_keeps_unfinished_answers_and_the_bone_density_caution(
    patient_client, patient, other_patient, content
):
    """The re-check once replaced the patient's screening with its own few answers: it
    deleted their unfinished check and dropped the low bone density caution, so after
    confirming care the plan offered exercises that are unsafe with thin bones."""
    answered_screening(patient, {"osteoporosis": "yes"})
    patient_client.post(reverse("screening:new"))
    for number, key in enumerate(["bladder_bowel", "saddle_numbness", "sexual_function"], 1):
        patient_client.post(step_url(number), {"item": key, "answer": "no"})
    unfinished = Screening.objects.in_progress().get(user=patient)

    response = patient_client.post("/progress/check-in/", check_in_post(recheck_leg_weakness="yes"))

    recheck = newest_screening(patient)
    assert response["Location"] == recheck.get_absolute_url()
    assert (recheck.kind, recheck.urgency) == ("recheck", "emergency")
    assert recheck.bone_density_caution is True
    unfinished.refresh_from_db()
    assert unfinished.completed_at is None
    assert unfinished.answer_map() == dict.fromkeys(
        ["bladder_bowel", "saddle_numbness", "sexual_function"], "no"
    )

    patient_client.post(reverse("screening:acknowledge", args=[recheck.uuid]), {"confirmed": "on"})

    assert care_gate(request_for(patient)) is None
    patient_client.get("/plan/")
    unsafe = set(Exercise.objects.filter(bone_density_caution=True).values_list("slug", flat=True))
    assert not unsafe & set(Plan.objects.get(patient=patient).routine_slugs())
    assert not unsafe & set(services.plan_build(patient=patient).routine_slugs())
    # The same plan without the caution does hold such exercises: the check above can fail.
    ScreeningFactory(user=other_patient)
    assert unsafe & set(services.plan_build(patient=other_patient).routine_slugs())
    start = patient_client.get(reverse("screening:start")).content.decode()
    assert "You have answered 3 of 25 questions." in start


def test_a_check_finished_after_the_recheck_is_the_latest_one(patient_client, patient, content):
    """A full check started before a weekly re-check and finished after it holds the newest
    answers: its bone density answer must reach the plan."""
    answered_screening(patient, {})
    patient_client.post(reverse("screening:new"))
    keys = list(Question.objects.active().values_list("key", flat=True))
    patient_client.post(step_url(1), {"item": keys[0], "answer": "no"})
    Screening.objects.in_progress().update(started_at=timezone.now() - dt.timedelta(hours=1))
    patient_client.post("/progress/check-in/", check_in_post())

    for number, key in enumerate(keys[1:], start=2):
        answer = "yes" if key == "osteoporosis" else "no"
        patient_client.post(step_url(number), {"item": key, "answer": answer})

    finished = newest_screening(patient)
    assert (finished.kind, finished.bone_density_caution) == ("full", True)
    patient_client.get("/plan/")
    unsafe = set(Exercise.objects.filter(bone_density_caution=True).values_list("slug", flat=True))
    assert not unsafe & set(Plan.objects.get(patient=patient).routine_slugs())
    assert latest_screening(patient) == finished


def test_the_database_bounds_every_score(patient, content):
    from django.db import IntegrityError, transaction

    for values in [
        {"pain_average": 11, "pain_worst": 11},
        {"pain_average": 5, "pain_worst": 4},
        {"sleep_nights": 8},
        {"days_active": 9},
    ]:
        data = {"pain_average": 5, "pain_worst": 6, "sleep_nights": 1, "days_active": 1, **values}
        with pytest.raises(IntegrityError), transaction.atomic():
            CheckIn.objects.create(patient=patient, week_start=monday(), **data)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(
            patient=patient,
            week_start=monday() + dt.timedelta(days=1),
            pain_average=1,
            pain_worst=1,
            sleep_nights=0,
            days_active=0,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(patient=patient, pain_during=11)


# ---- progress page --------------------------------------------------------------------


def test_the_progress_page_shows_charts_tables_and_rules(patient_client, patient, content):
    for weeks_ago, (average, worst) in enumerate([(3, 9), (6, 7), (6, 7), (6, 7), (6, 7), (6, 7)]):
        CheckInFactory(
            patient=patient, week_start=monday(weeks_ago), pain_average=average, pain_worst=worst
        )
    SessionFactory(patient=patient, performed_on=timezone.localdate())

    body = patient_client.get("/progress/").content.decode()

    assert 'class="chart__line chart__line--average"' in body
    assert "data-pain-table" in body
    assert "Average pain went from 6 to 3" in body
    assert 'data-advice="ease_off"' in body
    assert "calendar__day--active" in body
    assert "1 day in a row" in body


def test_pain_waking_the_patient_three_nights_says_get_it_checked_with_a_number_to_call(
    patient_client, patient, content
):
    CheckInFactory(patient=patient, week_start=monday(1), sleep_nights=0)
    CheckInFactory(patient=patient, week_start=monday(), sleep_nights=3)

    body = patient_client.get("/progress/").content.decode()

    advice = body[body.index('data-advice="night_pain"') :]
    advice = advice[: advice.index("</div>")]
    assert "advice--urgent" in body
    assert 'href="tel:111" aria-label="Call NHS 111"' in advice
    assert f'href="{reverse("screening:start")}">Take the warning-signs check again' in advice


def test_the_plan_follows_the_latest_checklist(patient_client, patient, content):
    from apps.checklist.models import Item, Run

    ScreeningFactory(user=patient)
    run = Run.objects.create(user=patient)
    for item in Item.objects.active():
        run.record(item, "no" if item.key == "walking_extension" else "yes")
    run.complete()

    body = patient_client.get("/plan/").content.decode()

    slugs = Plan.objects.get(patient=patient).routine_slugs()
    walking = Item.objects.get(key="walking_extension")
    assert set(walking.exercise_slugs[:2]) <= set(slugs)
    assert f"It starts with your first checklist priority, {walking.title}:" in body


def test_the_progress_page_charts_checklist_scores(patient_client, patient, content):
    from apps.checklist.models import Item, Run

    for answer in ["no", "yes"]:
        run = Run.objects.create(user=patient)
        for item in Item.objects.active():
            run.record(item, answer)
        run.complete()

    body = patient_client.get("/progress/").content.decode()

    dots = re.search(r'<path d="([^"]+)" class="chart__dot chart__dot--checklist"', body)
    assert dots.group(1).count("h0") == 2
    assert "<td>13</td>" in body and "<td>0</td>" in body


# ---- reminders ------------------------------------------------------------------------


def test_a_patient_turns_the_weekly_reminder_on_and_off(patient_client, patient, content):
    from apps.progress.models import Reminder

    patient_client.post("/progress/reminder/", {"enabled": "on", "weekday": "3", "hour": "8"})
    assert Reminder.objects.get(patient=patient).weekday == 3

    response = patient_client.post(
        "/progress/reminder/", {"weekday": "3", "hour": "8"}, follow=True
    )
    assert not Reminder.objects.get(patient=patient).enabled
    assert "reminders are off" in response.content.decode()


def test_a_bad_reminder_day_rerenders_with_a_message(patient_client, patient, content):
    response = patient_client.post(
        "/progress/reminder/", {"enabled": "on", "weekday": "9", "hour": "8"}
    )

    assert response.status_code == 200
    assert 'id="id_weekday_error"' in response.content.decode()


def test_only_patients_set_reminders(clinician_client, anon_client, content):
    assert clinician_client.post("/progress/reminder/", {"weekday": "1"}).status_code == 404
    assert anon_client.post("/progress/reminder/", {"weekday": "1"}).status_code == 302


def test_the_reminder_command_mails_the_right_people_once(
    patient, other_patient, content, mailoutbox
):
    from django.core.management import call_command

    from apps.progress.models import Reminder

    today = timezone.localdate()
    Reminder.objects.create(patient=patient, enabled=True, weekday=today.weekday(), hour=0)
    Reminder.objects.create(
        patient=other_patient, enabled=True, weekday=(today.weekday() + 1) % 7, hour=0
    )

    call_command("send_checkin_reminders", verbosity=0)
    call_command("send_checkin_reminders", verbosity=0)

    assert [mail.to for mail in mailoutbox] == [[patient.email]]
    assert "/progress/check-in/" in mailoutbox[0].body
    assert "999" in mailoutbox[0].body


def test_no_reminder_once_the_week_is_checked_in(patient, content, mailoutbox):
    from django.core.management import call_command

    from apps.progress.models import Reminder

    Reminder.objects.create(
        patient=patient, enabled=True, weekday=timezone.localdate().weekday(), hour=0
    )
    CheckInFactory(patient=patient, week_start=monday())

    call_command("send_checkin_reminders", verbosity=0)

    assert mailoutbox == []


def test_a_deleted_session_is_gone_from_the_clinicians_export(
    patient, patient_client, clinician_client, content
):
    kept = SessionFactory(patient=patient, note="Kept this one")
    gone = SessionFactory(patient=patient, note="Logged by mistake")
    for session in (kept, gone):
        session.entries.create(exercise=Exercise.objects.get(slug="bridge"), reps=10)
    url = f"/clinic/patients/{patient.uuid}/export.csv"
    assert "Logged by mistake" in clinician_client.get(url).content.decode()

    patient_client.post(f"/progress/log/{gone.uuid}/delete/")

    export = clinician_client.get(url).content.decode()
    assert "Logged by mistake" not in export
    assert "Kept this one" in export


@pytest.mark.parametrize("url", ["/progress/", "/progress/log/"])
def test_recent_sessions_list_newest_first_with_their_exercises_in_logged_order(
    patient_client, patient, content, url
):
    today = timezone.localdate()
    older = SessionFactory(patient=patient, performed_on=today - dt.timedelta(days=2))
    newer = SessionFactory(patient=patient, performed_on=today)
    empty = SessionFactory(patient=patient, performed_on=today - dt.timedelta(days=1))
    bridge, cat_cow, plank = (Exercise.objects.get(slug=s) for s in ("bridge", "cat-cow", "plank"))
    for session, exercises in [(newer, [plank, bridge]), (older, [cat_cow])]:
        for exercise in exercises:
            SessionEntry.objects.create(session=session, exercise=exercise, reps=5)

    body = patient_client.get(url).content.decode()

    cards = re.findall(
        r'data-session="([^"]+)".*?recent-session__count">([^<]*)<.*?__names small">([^<]*)<',
        body,
        re.S,
    )
    assert cards == [
        (str(newer.uuid), "2 exercises", f"{plank.name}, {bridge.name}"),
        (str(empty.uuid), "0 exercises", ""),
        (str(older.uuid), "1 exercise", cat_cow.name),
    ]
