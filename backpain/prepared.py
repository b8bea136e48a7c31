"""Queries compiled once per process, then run with each request's own values.

Django builds a QuerySet and compiles its SQL again on every call. For the few queries that
every step of a wizard and every exercise page runs (the unfinished check with its answers,
the care gate), that Python work was most of their cost: about 3 ms to build and compile
against well under 1 ms in PostgreSQL. A `Prepared` query is written as an ordinary
QuerySet from stand-in values for what varies (the person's id), compiled the first time it
runs, and from then on run with each call's values in the stand-ins' places. The SQL is the
ORM's own, so the query keeps its one definition in Python.

Only for values the ORM passes on as query parameters unchanged (ids, UUIDs, moments), which is
checked when the query is compiled; and only for queries whose other values are fixed (no
`timezone.now()`): those are compiled in once, as they were first computed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models

M = TypeVar("M", bound=models.Model)

# Values no real row has, each of its own type, so a parameter equal to one is a stand-in.
ID = -918_273_645
UUID = uuid.UUID("00000000-5ca1-4ab1-8e00-00000000f00d")
OTHER_UUID = uuid.UUID("00000000-5ca1-4ab1-8e00-00000000beef")
MOMENT = dt.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=dt.UTC)


class Prepared(Generic[M]):
    """A query made by `build(**stand_ins)`, compiled once; call it with the real values."""

    def __init__(self, build: Callable[..., models.QuerySet[M]], **stand_ins: Any) -> None:
        self.build, self.stand_ins = build, stand_ins
        self._compiled: tuple[type[M], str, list[Any], list[str | None]] | None = None
        # For a query of the model's own columns: their attnames and converters, so rows
        # become instances directly (`raw()` works out the same mapping on every call).
        self._columns: tuple[list[str], dict[int, Any], Any] | None = None

    def _compile(self) -> tuple[type[M], str, list[Any], list[str | None]]:
        queryset = self.build(**self.stand_ins)
        compiler = queryset.query.get_compiler(DEFAULT_DB_ALIAS)
        sql, params = compiler.as_sql()
        self._columns = _own_columns(queryset, compiler)
        # Each parameter's name when it is a stand-in; the type too, as True == 1.
        slots = [
            next(
                (
                    name
                    for name, stand_in in self.stand_ins.items()
                    if type(param) is type(stand_in) and param == stand_in
                ),
                None,
            )
            for param in params
        ]
        if missing := set(self.stand_ins) - set(slots):
            raise ImproperlyConfigured(f"Not passed on as parameters: {sorted(missing)}")
        return queryset.model, sql, list(params), slots

    def _query(self, values: dict[str, Any]) -> tuple[type[M], str, list[Any]]:
        if self._compiled is None:
            self._compiled = self._compile()
        model, sql, params, slots = self._compiled
        actual = [
            param if slot is None else values[slot]
            for param, slot in zip(params, slots, strict=True)
        ]
        return model, sql, actual

    def __call__(self, **values: Any) -> list[M]:
        model, sql, params = self._query(values)
        if self._columns is None:
            return list(model._default_manager.raw(sql, params))
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, params)
            return _instances(model, self._columns, cursor.fetchall())

    def sql(self, **values: Any) -> tuple[str, list[Any]]:
        """The compiled SQL with this call's parameters, to run as part of a larger statement
        (a CTE that also writes, say), so the query still has its one definition here."""
        _, sql, params = self._query(values)
        return sql, params

    def instances(self, rows: Sequence[Any]) -> list[M]:
        """Rows of this query's columns, as the database gives them, made instances as
        `__call__` makes them: only for a query of its model's own columns."""
        if self._compiled is None:
            self._compiled = self._compile()
        if self._columns is None:
            raise ImproperlyConfigured("Not a query of its model's own columns.")
        return _instances(self._compiled[0], self._columns, rows)

    def rows(self, **values: Any) -> list[tuple[Any, ...]]:
        """The rows as tuples, as the database gives them (no field converters): for
        `values_list()` queries of plain columns, counts and sums, where a model instance
        is not needed (`raw()` wants the primary key and builds an instance per row)."""
        _, sql, params = self._query(values)
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()


def _instances(
    model: type[M], columns: tuple[list[str], dict[int, Any], Any], rows: Sequence[Any]
) -> list[M]:
    attnames, converters, compiler = columns
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    return [model.from_db(DEFAULT_DB_ALIAS, attnames, row) for row in rows]


def _own_columns(
    queryset: models.QuerySet[Any], compiler: Any
) -> tuple[list[str], dict[int, Any], Any] | None:
    """The attnames and converters of a query that selects exactly its model's own columns,
    in order (nothing related, annotated, deferred or extra); None for any other query."""
    query = queryset.query
    if query.select_related or query.annotations or query.extra or query.deferred_loading[0]:
        return None
    columns = [column for column, _, _ in compiler.select]
    fields = queryset.model._meta.concrete_fields
    if len(columns) != len(fields) or any(
        getattr(column, "target", None) is not field
        for column, field in zip(columns, fields, strict=True)
    ):
        return None
    return [field.attname for field in fields], compiler.get_converters(columns), compiler
