from __future__ import annotations

import os
from collections.abc import Callable

# Playwright's sync API runs an event loop in the test thread; Django's ORM
# refuses to run beside one unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.apps import apps
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.test import Client, TransactionTestCase

from apps.accounts.models import CareLink, User
from backpain import content_cache
from tests.factories import ClinicianFactory, UserFactory

# The rows migrate's post_migrate handler writes, and Django's flush writes again.
_MIGRATE_TABLES = ("django_content_type", "auth_permission")
_django_flush = TransactionTestCase._fixture_teardown
_migrate_rows: dict[str, dict[str, int]] = {}


def _row_counts(alias: str) -> dict[str, int]:
    """Return the number of rows in each of the database's tables that has any."""
    db = connections[alias]
    tables = db.introspection.django_table_names(only_existing=True)
    with db.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT %s, count(*) FROM {db.ops.quote_name(table)} HAVING count(*) > 0"
                for table in tables
            ),
            tables,
        )
        return dict(cursor.fetchall())


def _empty_written_tables(self: TransactionTestCase) -> None:
    """After a transactional test, empty only the tables that have rows.

    Django's flush truncates every table (33) and then writes the content types and
    permissions again; a truncate costs about the same whether a table holds rows or not, so
    each browser journey spent half a second on it. This ends in the same database: the first
    test of a worker is flushed by Django and the counts of what post_migrate wrote recorded;
    later tests keep those rows, or are flushed by Django again when they changed them.
    """
    if self.available_apps is not None or self.serialized_rollback:
        return _django_flush(self)
    for alias in self._databases_names(include_mirrors=False):
        counts = _row_counts(alias)
        kept = {table: counts.get(table, 0) for table in _MIGRATE_TABLES}
        if _migrate_rows.get(alias) != kept:
            _django_flush(self)
            _migrate_rows[alias] = {table: _row_counts(alias).get(table, 0) for table in kept}
            continue
        db = connections[alias]
        written = [db.ops.quote_name(t) for t in counts if t not in _MIGRATE_TABLES]
        if written:
            # CASCADE reaches only tables that point at these ones, which are empty or listed.
            with db.cursor() as cursor:
                cursor.execute(f"TRUNCATE {', '.join(written)} CASCADE")


TransactionTestCase._fixture_teardown = _empty_written_tables


@pytest.fixture(scope="session", autouse=True)
def _committed_content_version(django_db_setup, django_db_blocker) -> None:
    """A content version, committed once per worker, as a running site has one. Made inside a
    test's transaction instead, it would hold the key's row lock: a server the test starts
    (tests/security, tests/scale) would wait on it to make its own."""
    with django_db_blocker.unblock():
        content_cache.forget()
        content_cache.version()


@pytest.fixture(autouse=True)
def _fresh_content_cache(request: pytest.FixtureRequest) -> None:
    # Each worker process keeps its content fragments between tests, as a server does between
    # requests; a test that edits an exercise must not meet a fragment from an earlier test.
    caches["content"].clear()
    # Likewise kept pages, and this process's reading of the content version.
    caches["pages"].clear()
    content_cache.forget()
    if request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        # Read here, so a version some test removed is made again before any query budget
        # counts (making one costs a few writes). The helper is pytest-django's own database
        # set-up, the one its marker and fixtures share.
        request.getfixturevalue("_django_db_helper")
        content_cache.version()
    content_cache.forget()


def fresh_page() -> None:
    """Make the next request render its page: no kept page (backpain/page_cache.py), and
    the content version read again, as by a process whose last reading is a second old."""
    caches["pages"].clear()
    content_cache.forget()


@pytest.fixture(name="fresh_page")
def _fresh_page() -> Callable[[], None]:
    return fresh_page


@pytest.fixture(autouse=True)
def _plain_static_storage(settings) -> None:
    # Manifest storage needs collectstatic; tests serve static files from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class _Undo(Exception):
    """Raised to roll back the transaction the content was loaded in."""


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
    return cursor.fetchone()[0]


@pytest.fixture(scope="session")
def _content_rows(django_db_setup, django_db_blocker) -> list[tuple[str, bytes]]:
    """Run `load_content` once per worker and keep every row it wrote, table by table.

    The command checks and saves row by row (about a second on a busy machine); a copy of its
    result goes back in with COPY in milliseconds, so 180 tests do not each pay that second.
    The load is rolled back: tests that do not ask for `content` still start from empty tables.
    """
    snapshot: list[tuple[str, bytes]] = []
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        tables = connection.introspection.django_table_names(only_existing=True)
        before = {table: _count(cursor, table) for table in tables}
        try:
            with transaction.atomic():
                call_command("load_content", verbosity=0)
                for table in tables:
                    if _count(cursor, table) == before[table]:
                        continue
                    # Only new rows in empty tables can be copied back as they are.
                    assert before[table] == 0, f"load_content changed non-empty {table}"
                    sql = f"COPY {connection.ops.quote_name(table)} TO STDOUT"
                    with cursor.cursor.copy(sql) as copy:
                        snapshot.append((table, b"".join(bytes(block) for block in copy)))
                raise _Undo
        except _Undo:
            pass
    assert snapshot, "load_content wrote nothing"
    return snapshot


@pytest.fixture
def content(db, _content_rows) -> None:
    """The app's content (exercises, questions, checklist items) as `make run` loads it.

    These are the rows `load_content` wrote at the start of this worker's session, copied
    back; tests of the command itself call it directly.
    """
    tables = {table for table, _ in _content_rows}
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table in tables
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for table, data in _content_rows:
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} FROM STDIN") as copy:
                copy.write(data)
        # The rows keep their ids; move each id sequence past them, as the command leaves it.
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


@pytest.fixture
def patient(db) -> User:
    return UserFactory(email="pat@example.org", display_name="Pat")


@pytest.fixture
def other_patient(db) -> User:
    return UserFactory(email="olly@example.org", display_name="Olly")


@pytest.fixture
def clinician(db, patient) -> User:
    """A clinician the patient shares with (an active CareLink), with MFA set up."""
    doctor = ClinicianFactory(email="dr.link@example.org", display_name="Dr Link")
    CareLink.objects.create(patient=patient, clinician=doctor)
    return doctor


@pytest.fixture
def revoked_clinician(db, patient) -> User:
    """A clinician the patient shared with and then stopped sharing with."""
    doctor = ClinicianFactory(email="dr.revoked@example.org", display_name="Dr Revoked")
    CareLink.objects.create(patient=patient, clinician=doctor).revoke()
    return doctor


@pytest.fixture
def stranger_clinician(db) -> User:
    return ClinicianFactory(email="dr.stranger@example.org", display_name="Dr Stranger")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture
def patient_client(patient) -> Client:
    return _client_for(patient)


@pytest.fixture
def other_patient_client(other_patient) -> Client:
    return _client_for(other_patient)


@pytest.fixture
def clinician_client(clinician) -> Client:
    return _client_for(clinician)


@pytest.fixture
def stranger_clinician_client(stranger_clinician) -> Client:
    return _client_for(stranger_clinician)


@pytest.fixture
def revoked_clinician_client(revoked_clinician) -> Client:
    return _client_for(revoked_clinician)
