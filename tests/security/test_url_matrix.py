"""Every URL × every role × patient A's objects: nobody gets what is not theirs.

The tables are in tests/security/matrix.py, the cast and A's objects in cast.py. Each request
runs in a savepoint that is rolled back, with a fresh cookie jar, so every cell starts from
the same state whatever the cells before it did (logging out, revoking, deleting).

Besides the status, every 2xx answer to someone other than A and A's linked clinician is
searched for A's name, e-mail and the ids of A's objects: a page that is allowed must still
not show A's data. tests/clinic/test_access_matrix.py holds the clinic's narrower matrix.
"""

from __future__ import annotations

import uuid

import pytest

from tests.security.cast import HTMX, ROLES, Cast, build_cast, routes, send
from tests.security.matrix import (
    GET_ROWS,
    HTMX_ROWS,
    IGNORED_PREFIXES,
    OWNED_BY,
    POST_ONLY,
    POST_ROWS,
    matches,
    outcome,
)

# Who may see patient A's data at all.
ENTITLED = {"patient_a", "clinician"}


@pytest.fixture
def cast(content) -> Cast:
    return build_cast()


def matrix_routes() -> dict:
    return {name: r for name, r in routes().items() if not name.startswith(IGNORED_PREFIXES)}


def a_markers(cast: Cast) -> list[str]:
    a = cast.objects
    return [
        a["patient"].email,
        a["patient"].display_name,
        *(str(a[key].uuid) for key in ("patient", "screening", "run", "session", "alert")),
        str(a["care_link"].uuid),
    ]


def walk(cast: Cast, method: str, rows: dict, **kwargs) -> tuple[list[str], int]:
    """Send `method` to every URL as every role; return the problems and the cells checked."""
    problems, checked = [], 0
    markers = a_markers(cast)
    for name, route in matrix_routes().items():
        url = route.url(cast)
        for role in ROLES:
            response, content = send(cast.client(role), method, url, **kwargs)
            checked += 1
            expected, actual = rows[name][role], outcome(response)
            if not matches(expected, actual):
                problems.append(f"{method.upper()} {name} as {role}: {expected} != {actual}")
            if 200 <= response.status_code < 300 and role not in ENTITLED:
                text = content.decode(errors="replace")
                leaked = [marker for marker in markers if marker in text]
                if leaked:
                    problems.append(f"{method.upper()} {name} as {role} shows A's {leaked}")
    return problems, checked


def test_every_url_has_a_row_and_every_row_a_url():
    names = set(matrix_routes())

    assert set(GET_ROWS) == names, "add a row to GET in tests/security/matrix.py"
    assert set(POST_ROWS) == names, "add a row to POST in tests/security/matrix.py"
    assert set(HTMX_ROWS) == names


def test_foreign_objects_are_404_in_every_table():
    """Whoever does not own the object gets a 404, once past log-in, MFA and the method."""
    for rows in (GET_ROWS, HTMX_ROWS, POST_ROWS):
        for name, owner in OWNED_BY.items():
            for role in ROLES:
                if role != owner:
                    assert rows[name][role] in ("404", "405", "login", "mfa"), (name, role)


def test_the_object_urls_are_the_ones_with_parameters():
    with_objects = {
        name
        for name, route in matrix_routes().items()
        if {"uuid", "item_id", "alert_uuid"} & set(route.kwargs)
    }

    assert with_objects == set(OWNED_BY)


def test_get(cast):
    problems, checked = walk(cast, "get", GET_ROWS)

    assert not problems, "\n".join(problems)
    assert checked == len(GET_ROWS) * len(ROLES)


def test_get_with_htmx(cast):
    problems, _ = walk(cast, "get", HTMX_ROWS, headers=HTMX)

    assert not problems, "\n".join(problems)


def test_post(cast):
    problems, _ = walk(cast, "post", POST_ROWS, data={})

    assert not problems, "\n".join(problems)


def test_a_missing_object_is_a_404_like_a_foreign_one(cast):
    """The owner asking for an id that does not exist gets what others get for A's."""
    for name, owner in OWNED_BY.items():
        route = matrix_routes()[name]
        missing = {key: uuid.uuid4() for key in route.kwargs if key.endswith("uuid")}
        if "item_id" in route.kwargs:
            missing["item_id"] = 2**31 - 1
        url = route.url(cast, **missing)
        method = "post" if name in POST_ONLY else "get"

        response, _ = send(cast.client(owner), method, url)

        assert response.status_code == 404, name


def test_the_admin_is_for_staff_only(cast):
    """Every admin URL, patient A's account as the object: no 2xx for anyone but staff
    (who have MFA set up). The admin's login sends everyone to allauth's, so it is no
    exception."""
    problems = []
    admin = {name: r for name, r in routes().items() if name.startswith("admin:")}
    for name, route in admin.items():
        url = route.url(cast)
        for role in ROLES:
            # Posts by a few who are not staff: the admin decides on is_staff alone.
            posts = role in ("anonymous", "patient_a", "clinician")
            methods = ("get", "post") if posts else ("get",)
            for method in methods:
                response, _ = send(cast.client(role), method, url)
                status = response.status_code
                if role == "staff" and status >= 500:
                    problems.append(f"{method.upper()} {name} as staff: {status}")
                if role != "staff" and 200 <= status < 300:
                    problems.append(f"{method.upper()} {name} as {role}: {status}")

    assert not problems, "\n".join(problems)
    assert len(admin) > 20
