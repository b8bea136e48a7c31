from __future__ import annotations

import datetime as dt
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
from django.utils import timezone

from apps.accounts.models import CareLink, User
from backpain import content_cache
from tests.factories import ClinicianFactory, UserFactory

# The rows migrate's post_migrate handler writes, and Django's flush writes again.
_MIGRATE_TABLES = ("django_content_type", "auth_permission")
_django_flush = TransactionTestCase._fixture_teardown
_migrate_rows: dict[str, dict[str, int]] = {}
# Above this many rows in all, one TRUNCATE is cheaper than deleting them row by row.
_DELETE_UP_TO = 20_000


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
    each browser journey spent half a second on it; the tables written are emptied with
    DELETE instead (below). This ends in the same database: the first test of a worker is
    flushed by Django and the counts of what post_migrate wrote recorded; later tests keep
    those rows, or are flushed by Django again when they changed them.
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
        if not written:
            continue
        with transaction.atomic(using=alias), db.cursor() as cursor:
            if sum(counts.values()) > _DELETE_UP_TO:
                # CASCADE reaches only tables that point at these ones, empty or listed.
                cursor.execute(f"TRUNCATE {', '.join(written)} CASCADE")
                continue
            # DELETE, not TRUNCATE: a TRUNCATE of a dozen tables makes new files for each and
            # took 0.4 to 1 s; deleting their few hundred rows takes milliseconds. Foreign
            # keys are checked at commit, when every row pointing at a deleted one is gone
            # too; the data-version triggers would only raise versions of deleted people.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("SELECT set_config('backpain.bulk_load', 'on', true)")
            for table in written:
                cursor.execute(f"DELETE FROM {table}")


TransactionTestCase._fixture_teardown = _empty_written_tables


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """pytest-django's test database, with commits that do not wait for the disk.

    Browser journeys, live-server and race tests commit each write, and each commit waited
    for its WAL flush (about 5 ms here). A throwaway database needs no durability: with
    `synchronous_commit = off` a commit is as visible to every other connection as before,
    only a crash of PostgreSQL itself could lose the last few. Set on the database, so the
    servers tests start on it (tests/scale, tests/security) get it too.
    """
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"ALTER DATABASE {name} SET synchronous_commit = off")
        cursor.execute("SET synchronous_commit = off")


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


Rows = list[tuple[str, bytes]]


class _Undo(Exception):
    """Raised to roll back the transaction a command's rows were written in."""


def _count(cursor, table: str) -> int:
    cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
    return cursor.fetchone()[0]


def _copy_out(cursor, table: str) -> bytes:
    with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT") as copy:
        return b"".join(bytes(block) for block in copy)


def _put_rows(cursor, rows: Rows) -> None:
    """Copy rows from `_rows_written` back in, with the id sequences moved past them."""
    tables = {table for table, _ in rows}
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.db_table in tables
    ]
    with transaction.atomic():
        # The data-version triggers skip these rows, as they skip seed_scale's: the copied
        # rows already hold the versions the command's writes gave them.
        cursor.execute("SELECT current_setting('backpain.bulk_load', true)")
        bulk_load = cursor.fetchone()[0] or ""
        cursor.execute("SELECT set_config('backpain.bulk_load', 'on', true)")
        for table, data in rows:
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} FROM STDIN") as copy:
                copy.write(data)
        cursor.execute("SELECT set_config('backpain.bulk_load', %s, true)", [bulk_load])
        # The rows keep their ids; move each id sequence past them, as the command leaves it.
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _rows_written(cursor, command: str, *, on_top_of: Rows = ()) -> Rows:
    """Run a management command (after putting `on_top_of` in) in a transaction that is
    rolled back; return every row it wrote, table by table, for `_put_rows`.

    Only new rows in tables that were empty can be copied back as they are: the command may
    not change a table that had rows (compared row by row), or this fails.
    """
    tables = connection.introspection.django_table_names(only_existing=True)
    try:
        with transaction.atomic():
            _put_rows(cursor, list(on_top_of))
            before = {table: _copy_out(cursor, table) for table in tables if _count(cursor, table)}
            call_command(command, verbosity=0)
            written = []
            for table in tables:
                if table in before:
                    same = sorted(_copy_out(cursor, table).split(b"\n")) == sorted(
                        before[table].split(b"\n")
                    )
                    assert same, f"{command} changed {table}, which had rows before"
                elif _count(cursor, table):
                    written.append((table, _copy_out(cursor, table)))
            raise _Undo(written)
    except _Undo as undo:
        rows = undo.args[0]
    assert rows, f"{command} wrote nothing"
    return rows


@pytest.fixture(scope="session")
def _content_rows(django_db_setup, django_db_blocker) -> Rows:
    """Run `load_content` once per worker and keep every row it wrote, table by table.

    The command checks and saves row by row (about a second on a busy machine); a copy of its
    result goes back in with COPY in milliseconds, so 180 tests do not each pay that second.
    The load is rolled back: tests that do not ask for `content` still start from empty tables.
    """
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        return _rows_written(cursor, "load_content")


@pytest.fixture
def content(db, _content_rows) -> None:
    """The app's content (exercises, questions, checklist items) as `make run` loads it.

    These are the rows `load_content` wrote at the start of this worker's session, copied
    back; tests of the command itself call it directly.
    """
    with connection.cursor() as cursor:
        _put_rows(cursor, _content_rows)


@pytest.fixture(scope="session")
def _demo_rows(_content_rows, django_db_blocker) -> tuple[dt.date, Rows]:
    """Run `seed_demo` on the content once per worker (when a test first asks for the demo)
    and keep every row it wrote, as `_content_rows` keeps load_content's."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        return timezone.localdate(), _rows_written(cursor, "seed_demo", on_top_of=_content_rows)


@pytest.fixture
def demo_data(content, _demo_rows) -> None:
    """The demo accounts and their history, as `make run` seeds them on the content.

    `seed_demo` writes a few thousand rows one by one and hashes two passwords: about 1.5 s,
    paid by each of twenty tests. These are the rows it wrote at this worker's first demo,
    copied back; its history ends yesterday, so past midnight the command runs again. Tests
    of the command itself (running it twice, on changed data) call it directly.
    """
    seeded_on, rows = _demo_rows
    if timezone.localdate() != seeded_on:
        call_command("seed_demo", verbosity=0)
        return
    with connection.cursor() as cursor:
        _put_rows(cursor, rows)


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
