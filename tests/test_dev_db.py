"""The database helper behind `make run` and `make test`, run as a newcomer would."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "dev_db.py"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run(env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, str(cwd / "scripts" / "dev_db.py")],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_unreachable_database_url_is_one_clear_line():
    result = run({"DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/backpain"})

    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "does not answer" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_reachable_server_gets_the_database_created(db, django_db_blocker):
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/backpain")
    target = url.rsplit("/", 1)[0] + "/backpain_dev_db_check"
    result = run({"DATABASE_URL": target})

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == target
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS backpain_dev_db_check")


@pytest.mark.skipif(not shutil.which("pg_config"), reason="needs PostgreSQL's binaries")
def test_without_a_server_it_starts_a_private_cluster():
    # A copy of the project in a folder the postgres user may enter, with no server on 5432 seen:
    # the script falls back to its own cluster under .data/postgres.
    home = Path(tempfile.mkdtemp(prefix="backpain-devdb-"))
    home.chmod(0o755)
    (home / "scripts").mkdir()
    source = SCRIPT.read_text().replace(
        'DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/backpain"',
        f'DEFAULT_URL = "postgres://postgres@127.0.0.1:{closed_port()}/backpain"',
    )
    (home / "scripts" / "dev_db.py").write_text(source)
    bindir = subprocess.run(
        ["pg_config", "--bindir"], capture_output=True, text=True
    ).stdout.strip()
    try:
        first = run({}, cwd=home)
        assert first.returncode == 0, first.stderr
        url = first.stdout.strip()
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("backpain",)

        again = run({}, cwd=home)
        assert again.stdout.strip() == url, "a second run reuses the running cluster"
    finally:
        stop = [
            f"{bindir}/pg_ctl",
            "-D",
            str(home / ".data" / "postgres"),
            "-m",
            "immediate",
            "stop",
        ]
        if os.geteuid() == 0:
            stop = ["runuser", "-u", "postgres", "--", *stop]
        subprocess.run(stop, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def test_with_no_postgresql_at_all_it_says_what_to_install():
    home = Path(tempfile.mkdtemp(prefix="backpain-devdb-"))
    (home / "scripts").mkdir()
    (home / "scripts" / "dev_db.py").write_text(
        SCRIPT.read_text().replace(':5432/backpain"', f':{closed_port()}/backpain"', 1)
    )
    try:
        result = run({"PATH": str(home)}, cwd=home)  # no pg_config to be found
    finally:
        shutil.rmtree(home, ignore_errors=True)

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "install it" in lines[0] and "apt-get install postgresql" in lines[0]
