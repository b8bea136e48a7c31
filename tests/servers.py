"""Real app servers for tests that need more than Django's test client: gunicorn, started as
`make run` starts it (DEBUG off, production settings), on a free loopback port.

tests/faults serves the app from a private PostgreSQL cluster; tests/scale serves two
instances from the test database. Both start, wait for and stop their servers here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_ports(count: int) -> list[int]:
    """`count` different free loopback ports (all held open while choosing, so no repeats)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port() -> int:
    return free_ports(1)[0]


def production_env(database_url: str, secret_key: str, **extra: str) -> dict[str, str]:
    """The environment of a production instance, with the faults settings' plain static
    storage (hashed names would need `collectstatic`, which a test run does not do)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
        "SECRET_KEY": secret_key,
        "DEBUG": "false",
        "HTTPS": "false",
        "LOG_LEVEL": "CRITICAL",
        **extra,
    }


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


@contextmanager
def gunicorn(env: dict[str, str], ports: list[int], logs: Path, workers: int = 1) -> Iterator[None]:
    """Serve the app on each of `ports` (one instance each, started together) until the block
    ends; instance N's output goes to `logs`/gunicorn-N.log."""
    servers: list[tuple[subprocess.Popen[bytes], Path]] = []
    try:
        for port in ports:
            log = logs / f"gunicorn-{port}.log"
            with log.open("w") as out:
                command = [
                    str(BIN / "gunicorn"), "backpain.wsgi", "-c", "backpain/gunicorn.conf.py",
                    "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "30",
                ]  # fmt: skip
                server = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
            servers.append((server, log))
        deadline = time.monotonic() + 60
        for port, (server, log) in zip(ports, servers, strict=True):
            while not _healthy(port):
                assert server.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, f"gunicorn never answered /healthz; {log}"
                time.sleep(0.1)
        yield
    finally:
        for server, _ in servers:
            server.terminate()
        for server, _ in servers:
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
