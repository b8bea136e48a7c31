"""Make sure a PostgreSQL database is there for `make run` and `make test`; print its URL.

Order of preference:
1. DATABASE_URL (or the default local server at 127.0.0.1:5432) when it answers;
2. otherwise, when Debian's PostgreSQL binaries are installed, a private cluster
   under .data/postgres on a free loopback port (started again on later runs);
3. otherwise one clear line saying what to install, and exit status 1.

Only the URL goes to standard output, so a Makefile can capture it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/backpain"
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
CLUSTER = DATA / "postgres"
PORT_FILE = DATA / "postgres.port"


class Failure(Exception):
    """A problem the person can fix, told in one line."""


def say(message: str) -> None:
    print(message, file=sys.stderr)


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def ensure_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "backpain"
    try:
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password,
            dbname="postgres",
            connect_timeout=5,
            autocommit=True,
        ) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                say(f"Created database {name}.")
    except psycopg.Error as error:
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        raise Failure(
            f"PostgreSQL at {parts.hostname}:{parts.port} refused us: {first_line}"
        ) from None


def pg_bindir() -> Path | None:
    if not shutil.which("pg_config"):
        return None
    bindir = Path(
        subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
    )
    return bindir if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists() else None


def as_postgres(command: list[str]) -> list[str]:
    # initdb and pg_ctl refuse to run as root, so the cluster belongs to the postgres user.
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise Failure(
            "Running as root needs a 'postgres' system user to own the private database."
        ) from None
    return ["runuser", "-u", "postgres", "--", *command]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_private_cluster(bindir: Path) -> int:
    DATA.mkdir(exist_ok=True)
    if not (CLUSTER / "PG_VERSION").exists():
        say(f"Creating a private PostgreSQL cluster in {CLUSTER} ...")
        CLUSTER.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(CLUSTER, "postgres", "postgres")
        subprocess.run(
            as_postgres(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(CLUSTER),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    port = int(PORT_FILE.read_text()) if PORT_FILE.exists() else 0
    if port and answers("127.0.0.1", port):
        return port  # Started by an earlier run.
    if not port or not _port_free(port):
        port = free_port()
    PORT_FILE.write_text(str(port))
    say(f"Starting the private PostgreSQL on 127.0.0.1:{port} ...")
    subprocess.run(
        as_postgres(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(CLUSTER),
                "-l",
                str(CLUSTER / "server.log"),
                "-o",
                f"-p {port} -c listen_addresses=127.0.0.1 -k {CLUSTER}",
                "-w",
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return port


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def main() -> int:
    explicit = os.environ.get("DATABASE_URL")
    url = explicit or DEFAULT_URL
    parts = urlsplit(url)
    try:
        if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
            raise Failure(f"DATABASE_URL must be a postgres:// URL, not {parts.scheme}://.")
        host, port = parts.hostname or "127.0.0.1", parts.port or 5432
        if not answers(host, port):
            if explicit:
                raise Failure(
                    f"PostgreSQL does not answer at {host}:{port} (from DATABASE_URL): "
                    "start it or fix DATABASE_URL."
                )
            bindir = pg_bindir()
            if bindir is None:
                raise Failure(
                    "PostgreSQL is not running at 127.0.0.1:5432 and is not installed: "
                    "install it (Debian/Ubuntu: sudo apt-get install postgresql) "
                    "or set DATABASE_URL."
                )
            url = f"postgres://postgres@127.0.0.1:{start_private_cluster(bindir)}/backpain"
        ensure_database(url)
    except Failure as failure:
        say(f"error: {failure}")
        return 1
    except subprocess.CalledProcessError as error:
        say(f"error: {' '.join(error.cmd[:1])} failed; see {CLUSTER / 'server.log'}.")
        return 1
    print(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
