"""`User.data_version`, raised by PostgreSQL triggers on every write to a person's rows
(apps/accounts/data_version.py): what keeps pages per person honest (backpain/page_cache.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from apps.accounts import data_version
from apps.accounts.models import CareLink, User
from apps.clinic.models import Note
from apps.exercises.models import Exercise
from apps.progress.models import CheckIn
from tests.factories import CheckInFactory, SessionFactory

pytestmark = pytest.mark.django_db


def version(user: User) -> int:
    return User.objects.values_list("data_version", flat=True).get(pk=user.pk)


def test_every_listed_table_has_its_three_triggers() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE tgname LIKE '%%_dv_%%'"
        )
        found = set(cursor.fetchall())
    expected = {
        (table, f"{table}_dv_{event}")
        for table in data_version.PEOPLE
        for event in ("insert", "update", "delete")
    }
    assert found == expected


def test_every_table_that_points_at_a_person_is_listed_or_left_out_on_purpose() -> None:
    """A new table with a person's data must be added to PEOPLE (or here, with its reason)."""
    from django.apps import apps

    left_out = {
        "clinic_auditevent",  # written by every review; no kept page shows it
        "django_admin_log",  # staff's own history in the admin
        "accounts_websession",  # a browser's session: written once a minute while in use
        "account_emailconfirmation",  # allauth's own, reached through the address
    }
    pointing = {
        model._meta.db_table
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is User
    }
    assert pointing - left_out <= set(data_version.PEOPLE)


def test_a_write_raises_its_owners_version_and_nobody_elses(
    patient, other_patient, content
) -> None:
    before, other = version(patient), version(other_patient)
    session = SessionFactory(patient=patient)
    after_insert = version(patient)
    assert after_insert > before
    # A child row (an exercise in the session) is traced to the person through its parent.
    session.entries.create(exercise=Exercise.objects.first(), reps=5)
    assert version(patient) > after_insert
    assert version(other_patient) == other


def test_bulk_updates_and_deletes_raise_every_owner(patient, other_patient) -> None:
    CheckInFactory(patient=patient)
    CheckInFactory(patient=other_patient)
    before = (version(patient), version(other_patient))
    CheckIn.objects.update(note="changed in bulk")
    middle = (version(patient), version(other_patient))
    assert middle[0] > before[0] and middle[1] > before[1]
    CheckIn.objects.filter(patient=patient).delete()
    assert version(patient) > middle[0]
    assert version(other_patient) == middle[1]


def test_a_note_and_a_care_link_raise_both_people(patient, clinician, stranger_clinician) -> None:
    before = (version(patient), version(clinician))
    Note.objects.create(clinician=clinician, patient=patient, text="Seen today.")
    assert version(patient) > before[0] and version(clinician) > before[1]
    before = (version(patient), version(stranger_clinician))
    CareLink.objects.create(patient=patient, clinician=stranger_clinician)
    assert version(patient) > before[0] and version(stranger_clinician) > before[1]


def test_saving_a_stale_user_object_never_lowers_the_version(patient) -> None:
    stale = User.objects.get(pk=patient.pk)
    SessionFactory(patient=patient)
    raised = version(patient)
    stale.display_name = "Renamed"
    stale.save()
    assert version(patient) > raised  # the rename raises it again, from the stored value


def test_a_clinicians_new_name_reaches_their_patients_pages(patient, other_patient, clinician):
    before, other = version(patient), version(other_patient)
    clinician.display_name = "Dr Renamed"
    clinician.save()
    assert version(patient) > before
    assert version(other_patient) == other
