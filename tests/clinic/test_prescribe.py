from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import CareLink, User
from apps.clinic.models import AuditAction, AuditEvent
from apps.exercises.models import Exercise
from apps.progress.models import Plan, PlanItem, PlanKind
from tests.factories import ClinicianFactory, ExerciseFactory
from tests.screening.factories import ScreeningFactory

HTMX = {"HTTP_HX_REQUEST": "true"}

pytestmark = pytest.mark.django_db


def prescribe_url(patient: User) -> str:
    return reverse("clinic:prescribe", args=[patient.uuid])


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def programme(*rows: dict, note: str = "", **extra: str) -> dict[str, str]:
    """The prescription form's POST data for these rows."""
    data = {
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": str(len(rows)),
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "20",
        "note": note,
        **extra,
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"rows-{index}-{name}"] = "" if value is None else str(value)
    return data


def row(exercise: Exercise, sets=3, reps=10, hold_seconds=5, days_per_week=5) -> dict:
    return {
        "exercise": exercise.slug,
        "sets": sets,
        "reps": reps,
        "hold_seconds": hold_seconds,
        "days_per_week": days_per_week,
    }


def save(*rows: dict, note: str = "") -> dict[str, str]:
    return programme(*rows, note=note, save="1")


@pytest.fixture
def bridge() -> Exercise:
    return ExerciseFactory(slug="glute-bridge", name="Glute bridge", purpose="Strong hips.")


@pytest.fixture
def twist() -> Exercise:
    return ExerciseFactory(
        slug="seated-twist",
        name="Seated twist",
        purpose="Turn the upper back.",
        bone_density_caution=True,
        bone_density_note="Twisting the spine is best avoided with low bone density.",
    )


def test_the_url_has_a_stable_name(patient):
    assert prescribe_url(patient) == f"/clinic/patients/{patient.uuid}/prescribe/"


# ---- access: GET and saving, everybody ------------------------------------------------

ACTIONS = {
    "get": lambda client, patient, exercise: client.get(prescribe_url(patient)),
    "save": lambda client, patient, exercise: client.post(
        prescribe_url(patient), save(row(exercise))
    ),
}


@pytest.mark.parametrize(("action", "status"), [("get", 200), ("save", 302)])
def test_a_linked_clinician_gets_through(clinician_client, patient, bridge, action, status):
    assert ACTIONS[action](clinician_client, patient, bridge).status_code == status


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ["patient_client", "other_patient_client"])
def test_patients_get_a_404(request, patient, bridge, action, who):
    response = ACTIONS[action](request.getfixturevalue(who), patient, bridge)

    assert response.status_code == 404
    assert not Plan.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("who", ["stranger_clinician", "revoked_clinician"])
def test_unlinked_and_revoked_clinicians_get_a_404_recorded_as_denied(
    request, patient, bridge, action, who
):
    doctor = request.getfixturevalue(who)

    response = ACTIONS[action](client_for(doctor), patient, bridge)

    assert response.status_code == 404
    assert not Plan.objects.exists()
    assert list(AuditEvent.objects.values_list("action", "actor", "patient_uuid")) == [
        (AuditAction.DENIED, doctor.pk, patient.uuid)
    ]


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_people_are_sent_to_log_in(anon_client, patient, bridge, action):
    response = ACTIONS[action](anon_client, patient, bridge)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not Plan.objects.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_a_linked_clinician_without_mfa_is_sent_to_set_it_up(patient, bridge, action):
    doctor = ClinicianFactory(mfa=False)
    CareLink.objects.create(patient=patient, clinician=doctor)

    response = ACTIONS[action](client_for(doctor), patient, bridge)

    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))
    assert not Plan.objects.exists()
    assert not AuditEvent.objects.exists()


# ---- searching and building the programme ---------------------------------------------


def test_the_page_lists_the_library_with_an_add_button_each(clinician_client, patient, bridge):
    page = clinician_client.get(prescribe_url(patient)).content.decode()

    assert f'data-result="{bridge.slug}"' in page
    assert f'name="add" value="{bridge.slug}"' in page
    assert list(AuditEvent.objects.values_list("action", "object_ref")) == [
        (AuditAction.VIEW, "prescribe")
    ]


def test_searching_with_htmx_answers_with_the_results_alone(
    clinician_client, patient, bridge, twist
):
    response = clinician_client.get(prescribe_url(patient), {"search-q": "bridge"}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="results"')
    assert f'data-result="{bridge.slug}"' in page
    assert f'data-result="{twist.slug}"' not in page
    assert "HX-Request" in response["Vary"]


def test_searching_marks_what_is_already_in_the_programme(clinician_client, patient, bridge):
    data = {**programme(row(bridge)), "search-q": "bridge"}

    page = clinician_client.get(prescribe_url(patient), data, **HTMX).content.decode()

    assert "In the programme." in page
    assert f'name="add" value="{bridge.slug}"' not in page


def test_searching_without_javascript_keeps_what_was_typed(
    clinician_client, patient, bridge, twist
):
    data = programme(row(bridge, sets=4), note="Slowly.", **{"search-q": "twist", "search": "1"})

    response = clinician_client.post(prescribe_url(patient), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-result="{twist.slug}"' in page
    assert f'data-result="{bridge.slug}"' not in page
    assert 'name="search-q" value="twist"' in page
    assert 'name="rows-0-sets" value="4"' in page
    assert "Slowly." in page
    assert not Plan.objects.exists()


def test_adding_an_exercise_keeps_the_rows_and_note_and_saves_nothing(
    clinician_client, patient, bridge, twist
):
    data = programme(row(bridge, sets=4, reps=12), note="Little and often.", add=twist.slug)

    response = clinician_client.post(prescribe_url(patient), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="rows-0-sets" value="4"' in page
    assert 'name="rows-0-reps" value="12"' in page
    assert f'name="rows-1-exercise" value="{twist.slug}"' in page
    assert "Little and often." in page
    assert not Plan.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [AuditAction.VIEW]


def test_adding_an_exercise_twice_keeps_one_row(clinician_client, patient, bridge):
    data = programme(row(bridge), add=bridge.slug)

    page = clinician_client.post(prescribe_url(patient), data).content.decode()

    assert page.count('name="rows-1-exercise"') == 0
    assert "Glute bridge is already in the programme." in page


def test_removing_a_row_keeps_the_others(clinician_client, patient, bridge, twist):
    data = programme(row(bridge), row(twist, sets=2), remove="0")

    page = clinician_client.post(prescribe_url(patient), data).content.decode()

    assert f'name="rows-0-exercise" value="{twist.slug}"' in page
    assert 'name="rows-0-sets" value="2"' in page
    assert bridge.slug not in page.split('id="library-heading"')[0]


def test_the_page_starts_from_the_programme_in_force(clinician, clinician_client, patient, bridge):
    plan = Plan.objects.create(
        patient=patient, author=clinician, kind=PlanKind.PRESCRIBED, note="Keep going."
    )
    PlanItem.objects.create(plan=plan, exercise=bridge, sets=2, reps=6, days_per_week=4)

    page = clinician_client.get(prescribe_url(patient)).content.decode()

    assert f'name="rows-0-exercise" value="{bridge.slug}"' in page
    assert 'name="rows-0-days_per_week" value="4"' in page
    assert "Keep going." in page


# ---- bone density: the patient's answers, not the clinician's -------------------------


def test_a_patient_with_the_caution_gets_it_in_full_beside_flagged_exercises(
    clinician_client, patient, twist
):
    ScreeningFactory(user=patient, bone_density_caution=True)

    page = clinician_client.post(prescribe_url(patient), programme(add=twist.slug)).content.decode()

    assert "data-patient-bone-density" in page
    # Beside the row and beside the search result: the note in full, not a marker to open.
    assert page.count("Twisting the spine is best avoided with low bone density.") == 2
    assert 'class="caution-marker"' not in page


def test_a_patient_without_the_caution_gets_the_short_marker(clinician_client, patient, twist):
    ScreeningFactory(user=patient, bone_density_caution=False)

    page = clinician_client.get(prescribe_url(patient)).content.decode()

    assert "data-patient-bone-density" not in page
    assert 'class="caution-marker"' in page


# ---- saving ---------------------------------------------------------------------------


def test_saving_makes_the_prescribed_plan_with_its_dosage(
    clinician, clinician_client, patient, bridge, twist
):
    data = save(row(bridge, 3, 10, None, 5), row(twist, 1, None, 30, 2), note="Gently.")

    response = clinician_client.post(prescribe_url(patient), data)

    assert response.status_code == 302
    assert response.url == reverse("clinic:review", args=[patient.uuid])
    plan = Plan.objects.get()
    assert (plan.patient, plan.author, plan.kind, plan.active, plan.note) == (
        patient,
        clinician,
        PlanKind.PRESCRIBED,
        True,
        "Gently.",
    )
    items = list(
        plan.items.values_list("exercise__slug", "sets", "reps", "hold_seconds", "days_per_week")
    )
    assert items == [(bridge.slug, 3, 10, None, 5), (twist.slug, 1, None, 30, 2)]


def test_saving_writes_exactly_one_prescribe_event(clinician, clinician_client, patient, bridge):
    clinician_client.post(prescribe_url(patient), save(row(bridge)))

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.patient) == (
        AuditAction.PRESCRIBE,
        clinician,
        patient,
    )
    assert event.object_ref == f"plan:{Plan.objects.get().uuid}"


def test_a_new_programme_replaces_the_old_one_which_stays_as_history(
    clinician_client, patient, bridge, twist
):
    own = Plan.objects.create(patient=patient, kind=PlanKind.SELF)
    clinician_client.post(prescribe_url(patient), save(row(bridge)))
    first = Plan.objects.get(kind=PlanKind.PRESCRIBED)

    clinician_client.post(prescribe_url(patient), save(row(twist)))

    first.refresh_from_db()
    own.refresh_from_db()
    second = Plan.objects.exclude(pk__in=[first.pk, own.pk]).get()
    assert (first.active, second.active, own.active) == (False, True, True)
    assert list(first.items.values_list("exercise__slug", flat=True)) == [bridge.slug]
    assert Plan.objects.for_patient(patient).current() == second


SETS = "Enter the sets, from 1 to 10."
REPS = "Enter reps from 1 to 50, or leave it empty."
HOLD = "Enter a hold of 1 to 600 seconds, or leave it empty."
DAYS = "Enter the days a week, from 1 to 7."


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sets", 0, SETS),
        ("sets", 11, SETS),
        ("sets", "", SETS),
        ("sets", "three", SETS),
        ("reps", 0, REPS),
        ("reps", 51, REPS),
        ("reps", 2.5, REPS),
        ("hold_seconds", 0, HOLD),
        ("hold_seconds", 601, HOLD),
        ("days_per_week", 0, DAYS),
        ("days_per_week", 8, DAYS),
        ("days_per_week", "", DAYS),
    ],
)
def test_out_of_bounds_dosage_comes_back_with_the_message_and_the_input(
    clinician_client, patient, bridge, field, value, message
):
    data = save({**row(bridge), field: value}, note="Kept note.")

    response = clinician_client.post(prescribe_url(patient), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'name="rows-0-{field}" value="{value}"' in page or value == ""
    assert "Kept note." in page
    assert not Plan.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [AuditAction.VIEW]


def test_the_bounds_themselves_are_accepted(clinician_client, patient, bridge, twist):
    data = save(row(bridge, 1, 1, 1, 1), row(twist, 10, 50, 600, 7))

    assert clinician_client.post(prescribe_url(patient), data).status_code == 302
    assert sorted(
        PlanItem.objects.values_list("sets", "reps", "hold_seconds", "days_per_week")
    ) == [
        (1, 1, 1, 1),
        (10, 50, 600, 7),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda bridge: save(), "Add at least one exercise to the programme."),
        (
            lambda bridge: save(row(bridge), row(bridge)),
            "Each exercise can be in the programme once.",
        ),
        (
            lambda bridge: save({**row(bridge), "exercise": "no-such-move"}),
            "That exercise is not in the library.",
        ),
        (
            lambda bridge: save(row(bridge), note="x" * 2001),
            "The note can be up to 2000 characters.",
        ),
    ],
)
def test_a_bad_programme_is_not_saved(clinician_client, patient, bridge, data, message):
    response = clinician_client.post(prescribe_url(patient), data(bridge))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Plan.objects.exists()


def test_more_than_twenty_rows_are_refused(clinician_client, patient):
    exercises = [ExerciseFactory() for _ in range(21)]
    data = save(*(row(exercise) for exercise in exercises))
    data["rows-MAX_NUM_FORMS"] = "21"

    response = clinician_client.post(prescribe_url(patient), data)

    assert response.status_code == 200
    assert "A programme can hold up to 20 exercises." in response.content.decode()
    assert not Plan.objects.exists()


# ---- the patient's side ---------------------------------------------------------------


def test_the_patient_sees_the_prescription_on_their_plan(
    clinician_client, patient_client, patient, bridge, twist
):
    ScreeningFactory(user=patient)
    clinician_client.post(
        prescribe_url(patient),
        save(row(bridge, 3, 10, None, 5), row(twist, 2, None, 30, 7), note="Build up slowly."),
    )
    plan = Plan.objects.get()

    page = patient_client.get(reverse("progress:plan")).content.decode()

    made = timezone.localtime(plan.created_at)
    assert f"prescribed by Dr Link on {made:%-d %B %Y}." in page
    assert "Build up slowly." in page
    assert "3 sets of 10 reps, 5 days a week" in page
    assert "2 sets, holding 30 seconds, every day" in page
    # A prescription is the clinician's: the patient cannot swap or rebuild it.
    assert "Rebuild my plan" not in page


# ---- query budgets --------------------------------------------------------------------


def count_queries(client: Client, method: str, url: str, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(url, data or {})
    assert response.status_code in (200, 302)
    return len(queries)


def test_saving_and_the_page_run_the_same_queries_for_1_and_20_exercises(
    clinician_client, patient, django_assert_max_num_queries
):
    exercises = [ExerciseFactory() for _ in range(20)]
    ScreeningFactory(user=patient, bone_density_caution=True)
    url = prescribe_url(patient)
    clinician_client.get(url)  # warm the session

    counts = [
        (
            count_queries(clinician_client, "post", url, save(*map(row, chosen))),
            # The page starts from the programme just saved: 1 row, then 20.
            count_queries(clinician_client, "get", url),
        )
        for chosen in (exercises[:1], exercises)
    ]

    assert counts[0] == counts[1]
    with django_assert_max_num_queries(8):  # the patient and the look: one statement
        clinician_client.get(url)
    with django_assert_max_num_queries(15):
        clinician_client.post(url, save(*map(row, exercises)))
