"""Requests that create a patient's one-of-a-kind row, sent ten at a time on real threads.

Each thread has its own database connection, so the requests race in PostgreSQL as two
browser tabs or a double click would: the unique constraints must never surface as a 500.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from apps.progress.models import Plan, PlanKind, Reminder
from tests.screening.factories import ScreeningFactory

THREADS = 10


def run_together(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run every call on its own thread, all released at once; return results and errors."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker(call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return results, errors


def clients_for(user, count: int = THREADS) -> list[Client]:
    clients = []
    for _ in range(count):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


@pytest.fixture
def screened_patient(transactional_db, patient, content):
    ScreeningFactory(user=patient)
    return patient


def test_concurrent_first_visits_to_the_plan_build_one_plan(screened_patient):
    clients = clients_for(screened_patient)

    responses, errors = run_together([lambda c=c: c.get("/plan/") for c in clients])

    assert errors == []
    assert [r.status_code for r in responses] == [200] * THREADS
    plans = Plan.objects.filter(patient=screened_patient)
    assert plans.count() == 1
    # Every request shows that one plan.
    routine = f"/exercises/routine/?items={','.join(plans.get().routine_slugs())}"
    assert all(routine in r.content.decode() for r in responses)


def test_concurrent_rebuilds_leave_one_active_plan(screened_patient):
    clients = clients_for(screened_patient)
    clients[0].get("/plan/")

    responses, errors = run_together([lambda c=c: c.post("/plan/rebuild/") for c in clients])

    assert errors == []
    assert [r.status_code for r in responses] == [302] * THREADS
    active = Plan.objects.filter(patient=screened_patient, kind=PlanKind.SELF, active=True)
    assert active.count() == 1


def test_concurrent_first_reminder_posts_make_one_reminder(transactional_db, patient, content):
    clients = clients_for(patient)
    data = {"enabled": "on", "weekday": "3", "hour": "18"}

    responses, errors = run_together(
        [lambda c=c: c.post("/progress/reminder/", data) for c in clients]
    )

    assert errors == []
    assert [r.status_code for r in responses] == [302] * THREADS
    reminder = Reminder.objects.get(patient=patient)
    assert (reminder.enabled, reminder.weekday) == (True, 3)
