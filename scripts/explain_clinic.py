"""Time /clinic/ and a review page on the scale data, and EXPLAIN ANALYZE what they run.

    DEBUG=true .venv/bin/python manage.py shell -v0 < scripts/explain_clinic.py

Requests the pages as the first scale clinician through Django's test client (no server),
prints each page's query count and time, then every SELECT slower than 1 ms with its
execution time and any sequential scans. Read-only apart from the audit events the pages write.
"""

import json
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import User
from apps.clinic.management.commands.seed_scale import clinician_email


def seq_scans(plan):
    if plan.get("Node Type") == "Seq Scan":
        yield plan["Relation Name"]
    for child in plan.get("Plans", []):
        yield from seq_scans(child)


clinician = User.objects.get(email=clinician_email(0))
patient = User.objects.visible_to(clinician).filter(clinic_alerts__seen_at__isnull=True).first()
client = Client(HTTP_HOST="localhost")
client.force_login(clinician)
print(f"{clinician.email}: {User.objects.visible_to(clinician).count()} patients")
for url in ["/clinic/", "/clinic/?alerts=on", f"/clinic/patients/{patient.uuid}/"]:
    client.get(url)  # warm: connection, templates
    times = []
    for _ in range(5):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200, response.status_code
    print(f"\n{url}: {len(captured)} queries, median {sorted(times)[2]:.0f} ms of 5 requests")
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
            (plan,) = cursor.fetchone()
            plan = json.loads(plan) if isinstance(plan, str) else plan
            ms = plan[0]["Execution Time"]
            scans = sorted(set(seq_scans(plan[0]["Plan"])))
            if ms >= 1 or scans:
                print(f"  {ms:7.1f} ms  seq scans: {scans or 'none'}  {sql[:110]}")
