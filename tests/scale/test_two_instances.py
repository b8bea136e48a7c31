"""Two app instances on one database behave as one: what a load balancer needs.

Two gunicorn instances (DEBUG off, production settings, one worker each, as `make run`
starts them) serve the test database on two ports, with one secret key. One person, with one
cookie jar, sends each request to the other instance than the last: A, B, A, B ... The form
tokens one instance hands out are accepted by the other, a sign-in on one is a sign-in on
both, a screening started on one is carried on by the other, and a log-out on one ends the
session on both. Login throttling counts failures in the shared database cache: wrong
passwords spread over both instances lock the account at the same count as on one. A new
content version, set in the shared cache by a third process, makes both serve fresh content.
(docs/performance.md, "Scaling out".) About 15 s, most of it starting the two servers.
"""

from __future__ import annotations

import http.cookiejar
import re
import secrets
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils.html import escape

from apps.exercises.models import Exercise
from apps.progress import services
from apps.progress.models import CheckIn
from apps.screening.models import Question, Screening
from backpain import content_cache
from tests.factories import PASSWORD, UserFactory
from tests.servers import free_ports, gunicorn, production_env

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]


@dataclass
class Page:
    status: int
    location: str
    body: str

    def csrf(self) -> str:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.body)
        assert found, f"no form token on the page:\n{self.body[:2000]}"
        return found.group(1)

    def field(self, name: str) -> str:
        found = re.search(rf'name="{name}" value="([^"]*)"', self.body)
        assert found, f"no {name} field on the page:\n{self.body[:2000]}"
        return found.group(1)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # Each redirect is followed by hand, so the test says which instance serves it.
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Person:
    """One browser: one cookie jar for both instances, as behind one host name."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )

    def _send(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=20) as response:
                return Page(response.status, "", response.read().decode())
        except urllib.error.HTTPError as answer:
            return Page(answer.code, answer.headers.get("Location", ""), answer.read().decode())

    def get(self, port: int, path: str) -> Page:
        return self._send(urllib.request.Request(f"http://127.0.0.1:{port}{path}"))

    def post(self, port: int, path: str, data: dict[str, str]) -> Page:
        body = urllib.parse.urlencode(data).encode()
        return self._send(urllib.request.Request(f"http://127.0.0.1:{port}{path}", body))

    def session_id(self) -> str | None:
        cookies = {cookie.name: cookie.value for cookie in self.jar}
        return cookies.get(settings.SESSION_COOKIE_NAME)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture
def instances(transactional_db, content) -> Iterator[tuple[int, int]]:
    """Ports of two instances serving this test's database (committed data, as in production)."""
    env = production_env(_database_url(), secrets.token_urlsafe(50))
    logs = Path(tempfile.mkdtemp(prefix="backpain-scale-"))
    a, b = free_ports(2)
    with gunicorn(env, [a, b], logs):
        yield a, b


def log_in(person: Person, form_from: int, post_to: int, email: str, password: str) -> Page:
    token = person.get(form_from, "/accounts/login/").csrf()
    return person.post(
        post_to,
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": email, "password": password},
    )


def test_two_instances_behave_as_one(instances):
    # One test, so a run starts one pair of servers, whichever worker takes it.
    a, b = instances
    a_person_moves_between_instances_as_if_there_were_one(a, b)
    login_throttling_counts_failures_on_every_instance_together(a, b)
    a_new_content_version_reaches_every_instance(a, b)


def a_person_moves_between_instances_as_if_there_were_one(a: int, b: int) -> None:
    UserFactory(email="pat@example.org")
    pat = Person()

    # Signed in with the form from A on B: the session B started is A's too.
    signed_in = log_in(pat, a, b, "pat@example.org", PASSWORD)
    assert signed_in.status == 302, signed_in.body[:2000]
    session = pat.session_id()
    assert session
    assert pat.get(a, "/progress/").status == 200
    assert pat.get(b, "/progress/").status == 200

    # The screening wizard: started on A, its steps answered on B and A in turn, its
    # result shown by A.
    started = pat.post(a, "/screening/new/", {"csrfmiddlewaretoken": pat.get(b, "/").csrf()})
    assert started.status == 302, started.body[:2000]
    step, ports, answered = started.location, [b, a], 0
    while "/step/" in step:
        serving, answering = ports[answered % 2], ports[(answered + 1) % 2]
        form = pat.get(serving, step)
        assert form.status == 200, form.body[:2000]
        posted = pat.post(
            answering,
            step,
            {"csrfmiddlewaretoken": form.csrf(), "item": form.field("item"), "answer": "no"},
        )
        assert posted.status == 302, posted.body[:2000]
        step, answered = posted.location, answered + 1
    assert answered == Question.objects.active().count()
    screening = Screening.objects.get()
    assert step == screening.get_absolute_url()
    assert screening.completed_at is not None
    assert pat.get(a, step).status == 200

    # A weekly check-in: the form from B, posted to A.
    form = pat.get(b, "/progress/check-in/")
    assert form.status == 200, form.body[:2000]
    answers = {f"recheck_{q.key}": "no" for q in services.recheck_questions()}
    saved = pat.post(
        a,
        "/progress/check-in/",
        {
            "csrfmiddlewaretoken": form.csrf(),
            "client_token": str(uuid.uuid4()),
            "pain_average": "3",
            "pain_worst": "5",
            "sleep_nights": "1",
            "days_active": "4",
            "note": "",
            **answers,
        },
    )
    assert saved.status == 302, saved.body[:3000]
    assert CheckIn.objects.filter(patient__email="pat@example.org").count() == 1
    assert "Check-in saved" in pat.get(b, saved.location).body

    # The same session throughout (no instance started one of its own), until logged out
    # on B: A no longer knows it either.
    assert pat.session_id() == session
    out = pat.post(b, "/accounts/logout/", {"csrfmiddlewaretoken": pat.get(a, "/").csrf()})
    assert out.status == 302
    for port in (a, b):
        page = pat.get(port, "/progress/")
        assert page.status == 302 and "/accounts/login/" in page.location


LOCKED = "Too many failed login attempts"
WRONG = "password you specified are not correct"


def wrong_passwords_until_locked(person: Person, email: str, ports: list[int]) -> int:
    """Send wrong passwords to `ports` in turn; return the attempt that found the lock."""
    for attempt in range(1, 20):
        port = ports[attempt % len(ports)]
        page = log_in(person, ports[(attempt + 1) % len(ports)], port, email, "wrong-password")
        assert page.status == 200
        if LOCKED in page.body:
            return attempt
        assert WRONG in page.body, page.body[:2000]
    raise AssertionError("twenty wrong passwords and no lock")


def login_throttling_counts_failures_on_every_instance_together(a: int, b: int) -> None:
    UserFactory(email="alone@example.org")
    UserFactory(email="spread@example.org")
    limit = int(settings.ACCOUNT_RATE_LIMITS["login_failed"].split("/")[0])

    on_one = wrong_passwords_until_locked(Person(), "alone@example.org", [a])
    spread = Person()
    on_both = wrong_passwords_until_locked(spread, "spread@example.org", [a, b])
    assert on_one == on_both == limit + 1

    # The lock written on one instance holds on both, for the right password too.
    for port in (a, b):
        page = log_in(spread, port, port, "spread@example.org", PASSWORD)
        assert page.status == 200 and LOCKED in page.body


def a_new_content_version_reaches_every_instance(a: int, b: int) -> None:
    """Content fragments are kept in each process's memory under the shared content version:
    once the version changes elsewhere, neither instance may serve what it kept before."""
    exercise = Exercise.objects.order_by("slug").first()
    path, reader = f"/exercises/{exercise.slug}/", Person()
    for port in (a, b):
        # Each instance renders the page, and keeps the article if it caches it.
        assert f"<h1>{escape(exercise.name)}</h1>" in reader.get(port, path).body
    Exercise.objects.filter(pk=exercise.pk).update(name="Renamed by a new release")
    # What `load_content` does once it has committed, here from a third process. Each server
    # process reads the shared version again once its last reading is a second old
    # (CONTENT_VERSION_CHECK_SECONDS): within that second it may still show the old name.
    content_cache.bump()
    time.sleep(settings.CONTENT_VERSION_CHECK_SECONDS + 0.1)
    for port in (b, a):
        assert "<h1>Renamed by a new release</h1>" in reader.get(port, path).body
