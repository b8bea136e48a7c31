"""Start `make run` as a newcomer would, check what it serves, stop it, and start it again.

1. `make run` on a free loopback port; `/healthz` must answer within 3 minutes (a fresh
   clone installs packages and collects static files on this first start).
2. `/`, `/exercises/`, `/screening/` and one hashed static file answer 200; the static file
   carries a one-year immutable cache header; an unknown URL gets the project's own 404 page.
3. Stop the server by its own process group, start it again: `/healthz` within 15 seconds.

Prints both start times; exits 1 with one line saying what failed. Standard library only,
so it runs before anything is installed.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_START_LIMIT = 180.0
SECOND_START_LIMIT = 15.0
PAGES = ("/", "/exercises/", "/screening/")
ONE_YEAR = 365 * 24 * 60 * 60


class Failure(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


def start(port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PORT": str(port)}
    with log.open("ab") as out:
        # A session of its own, so stopping it stops make, gunicorn and its workers together.
        return subprocess.Popen(
            ["make", "run"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def wait_healthy(server: subprocess.Popen[bytes], port: int, limit: float, log: Path) -> float:
    began = time.monotonic()
    while time.monotonic() - began < limit:
        if server.poll() is not None:
            raise Failure(f"make run exited with {server.returncode}; see {log}")
        try:
            if fetch(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                return time.monotonic() - began
        except OSError:
            pass
        time.sleep(0.25)
    raise Failure(f"/healthz did not answer within {limit:.0f} s; see {log}")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def check_pages(port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    home = ""
    for path in PAGES:
        status, _, body = fetch(base + path)
        if status != 200:
            raise Failure(f"{path} answered {status}, not 200")
        home = home or body
    match = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', home)
    if not match:
        raise Failure("/ links no hashed stylesheet: static files are not served as in production")
    status, headers, _ = fetch(base + match.group(1))
    cache = headers.get("Cache-Control", "")
    if status != 200 or f"max-age={ONE_YEAR}" not in cache or "immutable" not in cache:
        raise Failure(f"{match.group(1)} answered {status} with Cache-Control {cache!r}")
    status, _, body = fetch(base + "/no-such-page/")
    if status != 404 or "We could not find that page" not in body:
        raise Failure(f"an unknown URL answered {status} without the project's own 404 page")


def main() -> int:
    port = free_port()
    log = ROOT / ".data" / "check_run.log"
    log.parent.mkdir(exist_ok=True)
    log.write_text("")
    timings = []
    try:
        for attempt, limit in enumerate((FIRST_START_LIMIT, SECOND_START_LIMIT), start=1):
            server = start(port, log)
            try:
                took = wait_healthy(server, port, limit, log)
                timings.append(took)
                print(f"start {attempt}: /healthz after {took:.1f} s (limit {limit:.0f} s)")
                if attempt == 1:
                    check_pages(port)
                    print(f"pages: {', '.join(PAGES)}, a hashed stylesheet and the 404 page OK")
            finally:
                stop(server)
    except Failure as failure:
        print(f"check_run: {failure}", file=sys.stderr)
        sys.stderr.write(log.read_text()[-3000:])
        return 1
    print(f"make run start times: first {timings[0]:.1f} s, second {timings[1]:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
