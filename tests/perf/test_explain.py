"""Query plans on scale data: the dashboard and the review use indexes, not scans of big tables.

`seed_scale` makes a caseload big enough for PostgreSQL to plan as it does at 10,000 patients
(a few dozen sessions per patient, so one patient's rows are a small slice of each table),
ANALYZE gives the planner the sizes, and every SELECT the pages run, captured through the test
client, is explained. A sequential scan of a table that grows with the number of patients
fails the test, naming the table and the query.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.clinic.management.commands.seed_scale import clinician_email
from apps.clinic.models import Alert

# Tables whose rows grow with patients and weeks; the content tables (exercises, questions,
# checklist items) stay a few dozen rows, where a sequential scan is the right plan.
LARGE_TABLES = {
    "accounts_user",
    "accounts_carelink",
    "account_emailaddress",
    "progress_checkin",
    "progress_session",
    "progress_sessionentry",
    "progress_plan",
    "progress_planitem",
    "screening_screening",
    "screening_answer",
    "checklist_run",
    "checklist_answer",
    "clinic_alert",
    "clinic_note",
    "clinic_auditevent",
}
MANY_ROWS = 100
PATIENTS, WEEKS = 400, 10

pytestmark = pytest.mark.django_db


@pytest.fixture
def scale(content) -> User:
    """Scale data (ANALYZEd by the command); return the first clinician, MFA set up."""
    call_command("seed_scale", patients=PATIENTS, weeks=WEEKS, force=True, verbosity=0)
    return User.objects.get(email=clinician_email(0))


def seq_scans(plan: dict) -> Iterator[str]:
    """Yield the relation of every sequential scan in an EXPLAIN (FORMAT JSON) plan tree."""
    if plan.get("Node Type") == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from seq_scans(child)


def explained_selects(client: Client, url: str) -> list[tuple[str, list[str]]]:
    """Request the page; return each SELECT it ran with the large tables it scans in full."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    found = []
    large = large_tables()
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            # WITH: a look-up that writes its audit event in the same statement (EXPLAIN
            # without ANALYZE plans it, writing nothing).
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
            (plan,) = cursor.fetchone()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            found.append((sql, sorted(set(seq_scans(plan[0]["Plan"])) & large)))
    return found


def written_with_audit(sql: str) -> bool:
    """Whether this is a look-up that also writes the audit event (apps/clinic/models.py)."""
    return sql.startswith("WITH") and 'INSERT INTO "clinic_auditevent"' in sql


def large_tables() -> set[str]:
    """The tables of `LARGE_TABLES` that hold many rows here (an empty one is scanned in no
    time, and the planner rightly does so)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND reltuples >= %s",
            [sorted(LARGE_TABLES), MANY_ROWS],
        )
        return {name for (name,) in cursor.fetchall()}


def assert_no_large_seq_scans(found: list[tuple[str, list[str]]]) -> None:
    scanned = [f"{', '.join(tables)} in: {sql[:300]}" for sql, tables in found if tables]
    assert not scanned, "Sequential scans of large tables:\n" + "\n".join(scanned)


def test_the_dashboard_uses_indexes(scale):
    client = Client()
    client.force_login(scale)
    found = explained_selects(client, "/clinic/")
    # The patient list with its figures, and the paginator's count, at least.
    assert sum("progress_session" in sql for sql, _ in found) >= 1
    assert any(written_with_audit(sql) for sql, _ in found)  # the patients' versions
    assert_no_large_seq_scans(found)
    assert_no_large_seq_scans(explained_selects(client, "/clinic/?q=patient&alerts=on"))


def test_the_review_uses_indexes(scale):
    patient = User.objects.visible_to(scale).filter(clinic_alerts__isnull=False).first()
    assert patient is not None, "the seeded caseload should have someone with an alert"
    assert Alert.objects.filter(patient=patient).exists()
    client = Client()
    client.force_login(scale)
    found = explained_selects(client, f"/clinic/patients/{patient.uuid}/")
    assert len(found) > 10
    assert any(written_with_audit(sql) for sql, _ in found)  # the patient's sharing
    assert_no_large_seq_scans(found)


def test_a_seq_scan_of_a_large_table_is_caught():
    """The checker itself: a plan that scans sessions is reported."""
    plan = {
        "Node Type": "Nested Loop",
        "Plans": [
            {"Node Type": "Index Scan", "Relation Name": "accounts_user"},
            {"Node Type": "Seq Scan", "Relation Name": "progress_session"},
        ],
    }
    assert list(seq_scans(plan)) == ["progress_session"]
