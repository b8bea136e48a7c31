"""Time run.sh's pages in-process, one after another: `pages.py [FILTER] [TIMES]`.

A quick check while optimising, steadier than wrk on a machine other jobs share: each page is
requested TIMES times (default 50) through Django's test client, one at a time, and the median
wall time is compared with the bare view's. Only pages whose name contains FILTER run (the bare
view always does). Same environment as run.sh (its database, after bench/prepare.py); people
are signed in with force_login; run collectstatic first (run.sh does). wrk through gunicorn
(run.sh) is the measurement of record.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpain.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.checklist.models import Run  # noqa: E402
from apps.screening.models import Screening  # noqa: E402

PATIENT = "bench-patient@example.com"
CLINICIAN = "bench-clinician@example.com"


def pages() -> list[tuple[str, str, str | None]]:
    patient = User.objects.get(email=PATIENT)
    result = Run.objects.filter(user=patient, completed_at__isnull=False).latest("completed_at")
    # A step is shown only during a check under way: start one of each if there is none.
    for wizard in (Screening, Run):
        if not wizard.objects.filter(user=patient).in_progress().exists():
            wizard.objects.create(user=patient)
    return [
        ("bare view", "/bench/bare/", None),
        ("bare view (signed in)", "/bench/bare/", PATIENT),
        ("/ (guest)", "/", None),
        ("/exercises/", "/exercises/", None),
        ("/exercises/ filtered", "/exercises/?kind=mobility&region=hip", None),
        ("exercise page", "/exercises/cat-cow/", None),
        ("screening start", "/screening/", PATIENT),
        ("screening step", "/screening/step/1/", PATIENT),
        ("checklist step", "/checklist/step/1/", PATIENT),
        ("checklist result", result.get_absolute_url(), PATIENT),
        ("Today", "/", PATIENT),
        ("/plan/", "/plan/", PATIENT),
        ("/progress/ (52 weeks)", "/progress/", PATIENT),
        ("/progress/log/", "/progress/log/", PATIENT),
        ("/progress/check-in/", "/progress/check-in/", PATIENT),
        ("/clinic/ (200 patients)", "/clinic/", CLINICIAN),
        ("review page (52 weeks)", f"/clinic/patients/{patient.uuid}/", CLINICIAN),
    ]


def main(name_filter: str = "", times: int = 50) -> None:
    clients: dict[str | None, Client] = {}
    bare_ms = None
    print(f"{'page':28} {'ms':>8} {'ratio':>6} {'KB':>6}")
    for name, path, email in pages():
        if not name.startswith("bare view") and name_filter not in name:
            continue
        if email not in clients:
            # Not setup_test_environment(): its template-rendered signal would be timed too.
            clients[email] = Client(HTTP_HOST="127.0.0.1")
            if email:
                clients[email].force_login(User.objects.get(email=email))
        client = clients[email]
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        timings = []
        for _ in range(times):
            start = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        ms = statistics.median(timings)
        bare_ms = bare_ms or ms
        print(f"{name:28} {ms:8.2f} {bare_ms / ms:6.2f} {len(response.content) / 1024:6.0f}")


if __name__ == "__main__":
    main(*(sys.argv[1:2] or [""]), *(int(a) for a in sys.argv[2:3]))
