"""Restart PostgreSQL under load: the app recovers by itself and loses nothing it confirmed.

The test starts a private PostgreSQL cluster of its own (Debian's binaries, found and run as
scripts/dev_db.py does: as root, its files belong to the postgres user), migrates it, and
serves the app from it with gunicorn as `make run` does (DEBUG off, two workers). Threads
play patients: each logs sessions (a session and its exercises, saved in one transaction)
and reads its progress page, over and over. Mid-load PostgreSQL is stopped (fast shutdown:
every open connection is cut), left down for two seconds and started again.

Then: some request met the outage (it failed, or with DB_POOL_SIZE set it waited for the pool
until PostgreSQL was back); no request that started 5 seconds or more after PostgreSQL was
back may fail; every session in the database has all its exercises; every session the app
confirmed is there.
Everything runs on loopback and is bounded (about a minute; under two on a busy machine).
Without PostgreSQL's server binaries, or a postgres user to run them as root, it skips.
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from urllib.parse import urlencode

import psycopg
import pytest

from tests.servers import free_port, gunicorn, production_env

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]
CSRF = "f" * 16 + "A" * 16

PATIENTS = 4  # one load thread each
WARM_UP = 3.0  # seconds of load before the restart
DOWN = 2.0  # seconds PostgreSQL stays stopped
SETTLE = 5.0  # seconds after it is back before any failure counts
MEASURED = 8.0  # seconds of load that must not fail
PAUSE = 0.02  # between one thread's requests, so an outage does not spin
# Yesterday in UTC is a past day in the app's time zone too, whatever the hour.
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()


def _dev_db() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_db", ROOT / "scripts" / "dev_db.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster on a free loopback port."""

    bindir: Path
    home: Path
    port: int
    as_postgres: Callable[[list[str]], list[str]]

    @property
    def data(self) -> Path:
        return self.home / "data"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/backpain"

    def _pg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = self.as_postgres([str(self.bindir / args[0]), *args[1:]])
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=60)

    def init(self) -> None:
        self._pg(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N"
        )

    def start(self) -> None:
        # fsync off: a test cluster need not survive a power cut (a stopped server loses
        # nothing it confirmed, as the operating system still holds every write).
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.home} "
            "-c fsync=off -c full_page_writes=off"
        )
        log = str(self.home / "server.log")
        self._pg(
            "pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "-t", "60", "start"
        )

    def stop(self, *, check: bool = True) -> None:
        self._pg(
            "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop", check=check
        )

    def postmaster_pid(self) -> str:
        return (self.data / "postmaster.pid").read_text().splitlines()[0]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    dev_db = _dev_db()
    bindir = dev_db.pg_bindir()
    if bindir is None:
        pytest.skip(
            "PostgreSQL's server binaries (initdb, pg_ctl from pg_config --bindir) are missing"
        )
    try:
        dev_db.as_postgres(["true"])
    except dev_db.Failure as failure:
        pytest.skip(str(failure))
    home = Path(tempfile.mkdtemp(prefix="backpain-faults-"))
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    cluster = Cluster(bindir, home, dev_db.free_port(), dev_db.as_postgres)
    try:
        try:
            cluster.init()
            cluster.start()
        except subprocess.CalledProcessError as error:
            detail = (error.stderr or error.stdout or "").strip().splitlines()
            pytest.skip(
                f"A private PostgreSQL cluster could not be started here: "
                f"{error.cmd[0]} said {detail[-1] if detail else error.returncode}"
            )
        with psycopg.connect(cluster.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
            db.execute("CREATE DATABASE backpain")
        yield cluster
    finally:
        cluster.stop(check=False)
        shutil.rmtree(home, ignore_errors=True)


SETUP = """
from django.conf import settings
from django.test import Client
from tests.factories import ExerciseFactory, UserFactory

ExerciseFactory(slug="bridge")
for n in range({patients}):
    client = Client()
    client.force_login(UserFactory(email=f"load{{n}}@example.org"))
    print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


@dataclass
class App:
    port: int
    session_cookies: list[str]
    cookie_name: str


@pytest.fixture
def app(cluster: Cluster) -> Iterator[App]:
    """The app, migrated and served by gunicorn from the private cluster."""
    env = production_env(cluster.url, secrets.token_urlsafe(50), CONN_MAX_AGE="60")

    def manage(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    manage("migrate", "--noinput", "-v0")
    manage("createcachetable")
    cookies = manage("shell", "-v0", "-c", SETUP.format(patients=PATIENTS)).split()
    name = manage(
        "shell",
        "-v0",
        "-c",
        "from django.conf import settings; print(settings.SESSION_COOKIE_NAME)",
    ).strip()
    port = free_port()
    with gunicorn(env, [port], cluster.home, workers=2):
        yield App(port, cookies, name)


def _status(port: int, method: str, path: str, body: str = "", cookie: str = "") -> int:
    """Send one request; return the status, or 0 when no HTTP answer came."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    headers = {"Cookie": cookie, "X-CSRFToken": CSRF}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body or None, headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except OSError:
        return 0
    finally:
        connection.close()


@dataclass
class Record:
    started: float
    finished: float
    what: str
    status: int
    token: str = ""

    @property
    def ok(self) -> bool:
        return self.status == (302 if self.what == "log" else 200)


@dataclass
class Load:
    """Threads that each log sessions and read progress as one patient, until stopped."""

    app: App
    records: list[Record] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def patient(self, session: str) -> None:
        cookie = f"{self.app.cookie_name}={session}; csrftoken={CSRF}"
        while not self.stop.is_set():
            token = str(uuid.uuid4())
            body = urlencode(
                {
                    "client_token": token,
                    "pain_during": "3",
                    "performed_on": YESTERDAY,
                    "entries-TOTAL_FORMS": "2",
                    "entries-INITIAL_FORMS": "0",
                    "entries-0-exercise": "bridge",
                    "entries-0-done": "on",
                    "entries-0-reps": "10",
                    "entries-1-exercise": "bridge",
                    "entries-1-done": "on",
                    "entries-1-hold_seconds": "20",
                }
            )
            started = time.monotonic()
            status = _status(self.app.port, "POST", "/progress/log/", body, cookie)
            self.records.append(Record(started, time.monotonic(), "log", status, token))
            started = time.monotonic()
            status = _status(self.app.port, "GET", "/progress/", cookie=cookie)
            self.records.append(Record(started, time.monotonic(), "read", status))
            time.sleep(PAUSE)

    def __enter__(self) -> Load:
        self.threads = [
            threading.Thread(target=self.patient, args=(cookie,), daemon=True)
            for cookie in self.app.session_cookies
        ]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_the_app_recovers_from_a_database_restart_without_partial_writes(cluster, app):
    assert _status(app.port, "GET", "/healthz") == 200
    with Load(app) as load:
        time.sleep(WARM_UP)
        before = cluster.postmaster_pid()
        down_at = time.monotonic()
        cluster.stop()
        time.sleep(DOWN)
        cluster.start()
        back_at = time.monotonic()
        time.sleep(SETTLE + MEASURED)

    assert cluster.postmaster_pid() != before, "PostgreSQL was not restarted"
    records = list(load.records)
    during = [r for r in records if down_at <= r.started < back_at]
    settling = [r for r in records if back_at <= r.started < back_at + SETTLE]
    measured = [r for r in records if r.started >= back_at + SETTLE]
    failed_after = [r for r in measured if not r.ok]
    print(
        f"\n{len(records)} requests; failed: {sum(not r.ok for r in during)} of {len(during)} "
        f"while PostgreSQL was down, {sum(not r.ok for r in settling)} of {len(settling)} in "
        f"the {SETTLE:.0f} s after it was back, {len(failed_after)} of {len(measured)} after that"
    )
    # A request met the outage: it failed, or (with DB_POOL_SIZE) waited for the pool until
    # PostgreSQL was back.
    met = [r for r in during if not r.ok or r.finished >= back_at]
    assert met, "no request met the outage"
    assert len(measured) >= 20, "too little load after the restart to tell"
    assert failed_after == []

    with psycopg.connect(cluster.url, autocommit=True) as db:
        partial = db.execute(
            """SELECT count(*) FROM progress_session s WHERE 2 <> (
                 SELECT count(*) FROM progress_sessionentry e WHERE e.session_id = s.id)"""
        ).fetchone()[0]
        stored = {str(row[0]) for row in db.execute("SELECT client_token FROM progress_session")}
    confirmed = {r.token for r in records if r.what == "log" and r.ok}
    sent = {r.token for r in records if r.what == "log"}
    assert partial == 0, f"{partial} sessions without all their exercises"
    assert confirmed <= stored, f"{len(confirmed - stored)} confirmed sessions were lost"
    assert stored <= sent
