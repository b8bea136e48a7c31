"""backpain.prepared: a query compiled once gives, for every value, the rows the ORM gives."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from apps.screening.models import Screening
from apps.screening.triage import Urgency
from backpain import prepared
from backpain.prepared import Prepared
from tests.factories import UserFactory
from tests.screening.factories import ScreeningFactory


def urgent_of(person: int, caution: bool = True):
    # The fixed values (the urgency, True) stay as compiled; only the person varies.
    return Screening.objects.filter(
        user_id=person, urgency=Urgency.URGENT, bone_density_caution=caution
    ).order_by("id")


def test_each_call_runs_with_its_own_values(db):
    first, second, nobody = UserFactory(), UserFactory(), UserFactory()
    mine = [
        ScreeningFactory(user=first, urgency=Urgency.URGENT, bone_density_caution=True),
        ScreeningFactory(user=first, urgency=Urgency.URGENT, bone_density_caution=True),
    ]
    ScreeningFactory(user=first, urgency=Urgency.NONE, bone_density_caution=True)
    ScreeningFactory(user=first, urgency=Urgency.URGENT, bone_density_caution=False)
    theirs = ScreeningFactory(user=second, urgency=Urgency.URGENT, bone_density_caution=True)
    query = Prepared(urgent_of, person=prepared.ID)

    for person in (first, second, nobody, first):
        assert query(person=person.pk) == list(urgent_of(person.pk))
    assert query(person=first.pk) == mine
    assert query(person=second.pk) == [theirs]
    assert query(person=nobody.pk) == []


def test_a_true_is_not_taken_for_a_stand_in_of_one(db):
    person = UserFactory()
    ScreeningFactory(user=person, urgency=Urgency.URGENT, bone_density_caution=True)
    query = Prepared(lambda person: urgent_of(person), person=1)

    assert query(person=person.pk) == list(urgent_of(person.pk))


def test_a_value_not_passed_on_as_a_parameter_is_refused(db):
    query = Prepared(lambda person: urgent_of(UserFactory().pk), person=prepared.ID)

    with pytest.raises(ImproperlyConfigured, match="person"):
        query(person=1)


def test_rows_are_the_tuples_values_list_gives(db):
    first, nobody = UserFactory(), UserFactory()
    ScreeningFactory(user=first, urgency=Urgency.URGENT, bone_density_caution=True)
    ScreeningFactory(user=first, urgency=Urgency.URGENT, bone_density_caution=True)
    query = Prepared(
        lambda person: urgent_of(person).values_list("pk", "urgency"), person=prepared.ID
    )

    for person in (first, nobody):
        assert query.rows(person=person.pk) == list(
            urgent_of(person.pk).values_list("pk", "urgency")
        )


def test_instances_hold_every_field_as_the_orm_reads_it(db):
    """Rows become instances without raw(): each field as the ORM gives it (JSON decoded,
    moments aware, ids as ids), and saved instances, not new ones."""
    person = UserFactory()
    ScreeningFactory(
        user=person, urgency=Urgency.URGENT, bone_density_caution=True, trigger_keys=["a", "b"]
    )
    query = Prepared(urgent_of, person=prepared.ID)

    fields = [field.attname for field in Screening._meta.concrete_fields]
    [got], [orm] = query(person=person.pk), list(urgent_of(person.pk))
    assert [getattr(got, name) for name in fields] == [getattr(orm, name) for name in fields]
    assert [type(getattr(got, name)) for name in fields] == [
        type(getattr(orm, name)) for name in fields
    ]
    assert got.trigger_keys == ["a", "b"]
    assert (got._state.adding, got._state.db) == (False, "default")
    assert query._columns is not None, "the model's own columns: no raw()"


def test_a_query_with_more_than_its_own_columns_still_gives_instances(db):
    person = UserFactory()
    ScreeningFactory(user=person, urgency=Urgency.URGENT, bone_density_caution=True)
    query = Prepared(lambda person: urgent_of(person).defer("trigger_keys"), person=prepared.ID)

    assert query(person=person.pk) == list(urgent_of(person.pk))
    assert query._columns is None


def test_its_sql_run_as_part_of_another_statement_gives_the_same_instances(db):
    """`sql()` for a larger statement (the clinic's look-up that writes its audit event), and
    `instances()` for that statement's rows: the same as calling the query."""
    person = UserFactory()
    ScreeningFactory(
        user=person, urgency=Urgency.URGENT, bone_density_caution=True, trigger_keys=["a"]
    )
    query = Prepared(urgent_of, person=prepared.ID)
    sql, params = query.sql(person=person.pk)

    with connection.cursor() as cursor:
        cursor.execute(f"WITH found AS ({sql}) SELECT * FROM found", params)
        got = query.instances(cursor.fetchall())

    assert got == query(person=person.pk) == list(urgent_of(person.pk))
    assert got[0].trigger_keys == ["a"]


def test_instances_are_only_for_a_query_of_its_models_own_columns(db):
    query = Prepared(lambda person: urgent_of(person).values_list("pk"), person=prepared.ID)

    with pytest.raises(ImproperlyConfigured):
        query.instances([])
