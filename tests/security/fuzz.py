"""Generated hostile form posts, and the checks every fuzzed request must pass.

A post starts from values the form accepts (so the success path is reached too), then is
bent in one or many ways: a field swapped for junk (NUL bytes, huge strings, numbers out of
range or of the wrong type, unknown choices, other scripts), dropped, duplicated or emptied,
unknown fields added; then sent as multipart, URL-encoded UTF-8, under another charset,
as raw bytes, or without its CSRF token.

Two checks follow every request:

- no response of 500 or more (the test client re-raises a view's exception, so the
  failing input and its traceback are what hypothesis reports);
- no partial write: when the request did not succeed, no table but the ones the endpoint
  may always touch (the audit trail, sessions) changed; whatever happened, `invariants`
  holds over the whole database (every session has its exercises, and so on).
"""

from __future__ import annotations

import json
import os
import string
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = 200
# Derandomised so a figure in docs/security.md is reproduced by the same command.
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

CSRF_SECRET = "a" * 16 + "B" * 16  # any 32 characters of the token alphabet

# Text of any script (no lone surrogates: no client can encode them).
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "%00",
    "-1",
    "0",
    "11",
    "-0",
    "1e3",
    "2.5",
    "NaN",
    "inf",
    "0x10",
    " 3 ",
    "３",  # a full-width digit: int() takes it
    "٣",
    "99999999999999999999999",
    "-99999999999999999999999",
    "32768",
    "2147483648",
    "true",
    "on",
    "null",
    "None",
    "[]",
    "{}",
    '{"a": 1}',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "99999-01-01",
    "00000000-0000-0000-0000-000000000000",
    str(uuid.UUID(int=1)),
    "\u202etxt.exe",
    "\ufeff",
    "😀" * 3,
    "Ω≈ç√∫",
    "ＡＢＣＤ-ＥＦ２３",
    "\r\n\r\n--boundary",
]
HUGE = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["A", "é", "\x00", "😀", "1", "-"]),
    st.sampled_from([281, 501, 2_001, 4_001, 70_000]),
)
JUNK = st.one_of(st.sampled_from(NASTY), ANY_TEXT, HUGE, st.integers().map(str))
FIELD_NAME = st.one_of(
    st.text(string.ascii_letters + "_-", min_size=1, max_size=12),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12),
)

ENCODINGS = [
    # Mostly what browsers send, so valid posts get through often enough to save.
    *["urlencoded"] * 8,
    *["multipart"] * 4,
    "charset:latin-1",
    "charset:utf-16",
    "charset:shift_jis",
    "charset:x-no-such-charset",
    "raw:latin-1",
    "raw:utf-16",
    "bytes",
    "json",
    "no-csrf",
]


@dataclass
class Post:
    """One generated request body: ordered (name, value) pairs and how to send them."""

    pairs: list[tuple[str, str]]
    encoding: str = "urlencoded"
    htmx: bool = False
    raw: bytes = b""
    mutations: list[str] = field(default_factory=list)

    @property
    def pristine(self) -> bool:
        return not self.mutations and self.encoding in {"urlencoded", "multipart"}

    def as_dict(self) -> dict[str, list[str]]:
        merged: dict[str, list[str]] = {}
        for name, value in self.pairs:
            merged.setdefault(name, []).append(value)
        return merged

    def query_string(self) -> str:
        return urlencode(self.pairs)


def _as_pairs(valid: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = []
    for name, value in valid.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append((name, "" if item is None else str(item)))
    return pairs


@st.composite
def posts(
    draw: st.DrawFn,
    valid: st.SearchStrategy[dict[str, Any]],
    *,
    junk: dict[str, st.SearchStrategy[str]] | None = None,
    encodings: Iterable[str] = ENCODINGS,
) -> Post:
    """Return a post built from one of `valid`'s dicts and bent in 0 to many ways.

    `junk` gives field-specific wrong values (unknown choices, numbers out of range) on top
    of the generic ones.
    """
    pairs = _as_pairs(draw(valid))
    junk = junk or {}
    mode = draw(st.sampled_from(["valid", "valid", "one", "one", "many"]))
    mutations: list[str] = []
    if mode != "valid":
        count = 1 if mode == "one" else draw(st.integers(2, 6))
        for _ in range(count):
            op = draw(st.sampled_from(["junk", "junk", "junk", "drop", "dup", "empty", "extra"]))
            index = draw(st.integers(0, max(0, len(pairs) - 1))) if pairs else None
            if op == "extra" or index is None:
                pairs.insert(draw(st.integers(0, len(pairs))), (draw(FIELD_NAME), draw(JUNK)))
                mutations.append("extra")
                continue
            name, value = pairs[index]
            if op == "junk":
                wrong = junk.get(_field_kind(name))
                pairs[index] = (name, draw(JUNK if wrong is None else st.one_of(wrong, JUNK)))
            elif op == "drop":
                del pairs[index]
            elif op == "dup":
                other = draw(st.one_of(st.just(value), JUNK))
                pairs.insert(index + draw(st.integers(0, 1)), (name, other))
            elif op == "empty":
                pairs[index] = (name, "")
            mutations.append(f"{op}:{name}")
    encoding = draw(st.sampled_from(list(encodings)))
    raw = draw(st.binary(max_size=200)) if encoding == "bytes" else b""
    return Post(pairs, encoding, draw(st.booleans()), raw, mutations)


def _field_kind(name: str) -> str:
    """Return the part of a field name that names its kind: `entries-3-reps` -> `reps`."""
    return name.rsplit("-", 1)[-1]


def csrf_client(user: Any = None) -> Client:
    """A client that checks CSRF as production does, holding a known token."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.cookies["csrftoken"] = CSRF_SECRET
    return client


def send(client: Client, path: str, post: Post, *, method: str = "POST") -> HttpResponse:
    """Send the post to `path` as its encoding says; return the response."""
    headers: dict[str, str] = {}
    if post.htmx:
        headers["HX-Request"] = "true"
    if post.encoding != "no-csrf":
        headers["X-CSRFToken"] = CSRF_SECRET
    if method == "GET":
        separator = "&" if "?" in path else "?"
        return client.get(f"{path}{separator}{post.query_string()}", headers=headers)
    form = "application/x-www-form-urlencoded"
    kind, _, charset = post.encoding.partition(":")
    if kind == "multipart":
        return client.post(path, post.as_dict(), headers=headers)
    if kind in {"urlencoded", "no-csrf"}:
        body = urlencode(post.pairs).encode()
        return client.generic(method, path, body, content_type=form, headers=headers)
    if kind == "charset":
        # Percent-encoded bytes of that charset (what a browser on such a page sends).
        body = urlencode(post.pairs, encoding=_codec(charset), errors="replace").encode()
        return client.generic(method, path, body, f"{form}; charset={charset}", headers=headers)
    if kind == "raw":
        # Not percent-encoded at all: the bytes of the text in that charset.
        text = "&".join(f"{name}={value}" for name, value in post.pairs)
        body = text.encode(charset, errors="replace")
        return client.generic(method, path, body, f"{form}; charset={charset}", headers=headers)
    if kind == "bytes":
        return client.generic(method, path, post.raw, content_type=form, headers=headers)
    if kind == "json":
        return client.generic(
            method, path, json.dumps(post.as_dict()), "application/json", headers=headers
        )
    raise AssertionError(post.encoding)


def _codec(charset: str) -> str:
    return "utf-8" if charset.startswith("x-") else charset


# Row counts ------------------------------------------------------------------------------

# Tables every request may write whatever its outcome: the login session, the shared cache.
ALWAYS = {"django_session"}


def _tables() -> list[str]:
    skip = {"contenttypes", "auth", "sessions", "admin"}
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in skip and model._meta.managed
    )


def row_counts() -> dict[str, int]:
    """Count the rows of every table the app writes, in one query."""
    tables = _tables()
    sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{table}")' for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {table for table in before if before[table] != after[table]}


INVARIANTS = {
    "a session without exercises": """
        SELECT count(*) FROM progress_session s
        WHERE NOT EXISTS (SELECT 1 FROM progress_sessionentry e WHERE e.session_id = s.id)""",
    "a prescribed plan without exercises": """
        SELECT count(*) FROM progress_plan p
        WHERE p.kind = 'prescribed'
          AND NOT EXISTS (SELECT 1 FROM progress_planitem i WHERE i.plan_id = p.id)""",
    "a prescription without its audit event": """
        SELECT count(*) FROM progress_plan p
        WHERE p.kind = 'prescribed' AND NOT EXISTS (
          SELECT 1 FROM clinic_auditevent a WHERE a.object_ref = 'plan:' || p.uuid::text)""",
    "a completed screening without answers": """
        SELECT count(*) FROM screening_screening s
        WHERE s.completed_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM screening_answer a WHERE a.screening_id = s.id)""",
    "a function score of another patient's activity": """
        SELECT count(*) FROM progress_functionscore f
        JOIN progress_checkin c ON c.id = f.check_in_id
        JOIN progress_functionactivity a ON a.id = f.activity_id
        WHERE a.patient_id <> c.patient_id""",
    "a share whose code is not marked used by its patient": """
        SELECT count(*) FROM accounts_carelink l
        JOIN accounts_invitecode i ON i.id = l.invite_id
        WHERE i.used_at IS NULL OR i.used_by_id <> l.patient_id""",
    "a note without its audit event": """
        SELECT count(*) FROM clinic_note n WHERE NOT EXISTS (
          SELECT 1 FROM clinic_auditevent a WHERE a.object_ref = 'note:' || n.uuid::text)""",
    "two active links between one patient and one clinician": """
        SELECT count(*) FROM (SELECT 1 FROM accounts_carelink WHERE revoked_at IS NULL
          GROUP BY patient_id, clinician_id HAVING count(*) > 1) t""",
}


def broken_invariants() -> list[str]:
    sql = "SELECT " + ", ".join(f"({query})" for query in INVARIANTS.values())
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = cursor.fetchone()
    return [name for name, n in zip(INVARIANTS, counts, strict=True) if n]


def succeeded(response: HttpResponse) -> bool:
    """A form view answers a saved post with a redirect (htmx: an HX-Redirect)."""
    return 300 <= response.status_code < 400 or "HX-Redirect" in response.headers


@dataclass
class Tally:
    """What one fuzzed endpoint saw, for docs/security.md."""

    name: str
    sent: int = 0
    saved: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, response: HttpResponse, *, saved: bool) -> None:
        self.sent += 1
        self.saved += saved
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def done(self) -> None:
        """Check the endpoint had its share of requests; with FUZZ_REPORT=<file>, add a
        line with what it saw to that file (the figures in docs/security.md)."""
        assert self.sent >= EXAMPLES, self
        if path := os.environ.get("FUZZ_REPORT"):
            with open(path, "a", encoding="utf-8") as report:
                report.write(
                    json.dumps(
                        {
                            "name": self.name,
                            "sent": self.sent,
                            "saved": self.saved,
                            "errors": self.errors,
                            "statuses": self.statuses,
                        }
                    )
                    + "\n"
                )


def check(
    client: Client,
    path: str,
    post: Post,
    tally: Tally,
    *,
    method: str = "POST",
    may_change: set[str] = frozenset(),
    success: Callable[[HttpResponse], bool] = succeeded,
) -> HttpResponse:
    """Send one fuzzed request and hold it to the two rules in this module's docstring."""
    before = row_counts()
    client.exc_info = None  # an earlier request's exception must not be raised for this one
    response = send(client, path, post, method=method)
    saved = method != "GET" and success(response)
    tally.add(response, saved=saved)
    assert response.status_code < 500, (response.status_code, post)
    if saved:
        assert not broken_invariants(), (broken_invariants(), post)
    else:
        touched = changed(before, row_counts()) - ALWAYS - may_change
        assert not touched, f"{response.status_code} but {sorted(touched)} changed: {post}"
    return response
