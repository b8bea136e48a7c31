"""Time the check-in POST, a screening step and the screening start page in-process:
`writes.py [FILTER] [TIMES]`.

As bench/run.sh measures them: the bench patient's check-in form (built the way
bench/session.py builds it: "no" to every re-check question, 3 in the number boxes) posted
TIMES times with the same token, as a phone resending it (and, as a second case, the same
answers with a new token each time: a save every time); and the first step of a screening
started through the form. Prints the median wall and CPU time and the queries per request. Same
environment as bench/pages.py (the bench database after bench/prepare.py).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpain.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from apps.accounts.models import User  # noqa: E402
from apps.checklist.models import Run  # noqa: E402
from bench.session import Form  # noqa: E402

PATIENT = "bench-patient@example.com"


def check_in_body(client: Client) -> list[tuple[str, str]]:
    parser = Form("pain_average")
    parser.feed(client.get("/progress/check-in/").content.decode())
    assert parser.found, "no check-in form"
    return parser.found


def post(client: Client, path: str, body: str):
    """A form post as wrk sends it (urlencoded, with the one cookie it was given): the
    message the last one left is dropped, as wrk never sends it back."""
    client.cookies.pop("messages", None)
    return client.post(path, body, content_type="application/x-www-form-urlencoded")


def time_it(name: str, request, status: int, times: int) -> None:
    response = request()
    assert response.status_code == status, (name, response.status_code)
    # Counted by a wrapper: each request's start empties connection.queries.
    queries = []
    with connection.execute_wrapper(lambda run, sql, *args: queries.append(sql) or run(sql, *args)):
        request()
    timings, cpu = [], []
    for _ in range(times):
        start, start_cpu = time.perf_counter(), time.process_time()
        request()
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    # CPU time too: this process's own work, steadier than wall time on a shared machine.
    print(
        f"{name:28} {statistics.median(timings):8.2f} ms {statistics.median(cpu):8.2f} ms CPU"
        f" {len(queries):4} queries"
    )


def main(name_filter: str = "", times: int = 50) -> None:
    patient = User.objects.get(email=PATIENT)
    client = Client(HTTP_HOST="127.0.0.1", enforce_csrf_checks=True)
    client.force_login(patient)
    fields = check_in_body(client)
    body = urllib.parse.urlencode(fields)

    def fresh() -> str:
        """The same answers from a form shown again: a new token, so a new save."""
        return urllib.parse.urlencode(
            [(n, str(uuid.uuid4()) if n == "client_token" else v) for n, v in fields]
        )

    start = Form("csrfmiddlewaretoken")
    start.feed(client.get("/screening/").content.decode())
    step = client.post("/screening/new/", dict(start.found))["Location"]
    result = Run.objects.filter(user=patient, completed_at__isnull=False).latest("completed_at")
    cases = [
        ("check-in POST", lambda: post(client, "/progress/check-in/", body), 302),
        ("check-in POST (new token)", lambda: post(client, "/progress/check-in/", fresh()), 302),
        ("check-in GET", lambda: client.get("/progress/check-in/"), 200),
        ("screening step", lambda: client.get(step), 200),
        ("screening start", lambda: client.get("/screening/"), 200),
        ("checklist result", lambda: client.get(result.get_absolute_url()), 200),
    ]
    for name, request, status in cases:
        if name_filter in name:
            time_it(name, request, status, times)


if __name__ == "__main__":
    main(*(sys.argv[1:2] or [""]), *(int(a) for a in sys.argv[2:3]))
