"""Every state-changing request needs the CSRF token; views answer only their methods.

Each URL is posted to by the role that may use it (`right_role`), with a client that
enforces CSRF checks: without a token the answer is 403 from the CSRF check, and the same
post with a token gets the POST table's answer (tests/security/matrix.py), which shows the
403 came from the missing token and not from access control.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from tests.security.cast import Cast, build_cast, routes, send
from tests.security.matrix import (
    GET_ROWS,
    POST_ONLY,
    POST_ROWS,
    STATE_CHANGING,
    matches,
    outcome,
)

ROOT = Path(__file__).resolve().parents[2]
# The roles tried first for a URL: its owner, then whoever else may use it.
PREFERENCE = ("patient_a", "clinician", "anonymous", "staff", "no_mfa")
REFUSED = ("404", "405", "login", "mfa", "reauth")


@pytest.fixture
def cast(content) -> Cast:
    return build_cast()


def right_role(name: str) -> str:
    """The role whose post to this URL gets furthest: past log-in, access and method."""
    if name.startswith("admin:"):
        return "staff"
    row = POST_ROWS[name]
    return next((role for role in PREFERENCE if row[role] not in REFUSED), "patient_a")


def with_token(client: Client) -> dict[str, str]:
    """Give the client a CSRF cookie; return the header that carries the same token."""
    assert not settings.CSRF_USE_SESSIONS, "the token would live in the session"
    secret = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    return {settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-"): secret}


def test_no_view_is_exempt_from_csrf_checks():
    needle = "csrf" + "_exempt"  # spelled apart so this file does not find itself
    skip = {".venv", "node_modules", "staticfiles", ".git", ".data"}
    found = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*")
        if path.suffix in {".py", ".html", ".txt", ".toml", ".cfg"}
        and not skip & set(path.relative_to(ROOT).parts)
        and needle in path.read_text(errors="replace")
    ]

    assert found == []
    exempt = [name for name, r in routes().items() if getattr(r.view, needle, False)]
    assert exempt == []


def test_every_post_without_a_token_is_refused(cast):
    """Every URL, state-changing or not: the CSRF check comes before the view."""
    problems = []
    for name, route in routes().items():
        url = route.url(cast)
        role = right_role(name)
        client = cast.client(role, enforce_csrf_checks=True)

        refused, _ = send(client, "post", url, data={})
        put, _ = send(client, "put", url)
        accepted, _ = send(client, "post", url, data={}, headers=with_token(client))

        if refused.status_code != 403 or put.status_code != 403:
            problems.append(f"{name} as {role}: {refused.status_code}, PUT {put.status_code}")
        if name in POST_ROWS and not matches(POST_ROWS[name][role], outcome(accepted)):
            problems.append(f"{name} as {role} with a token: {outcome(accepted)}")
        if name not in POST_ROWS and accepted.status_code == 403:
            problems.append(f"{name} as {role}: 403 with a token")

    assert not problems, "\n".join(problems)


def test_the_state_changing_endpoints_are_the_ones_listed():
    """A new POST view changes this list on purpose, so its CSRF test is seen to run."""
    assert STATE_CHANGING == [
        "account_change_password",
        "account_confirm_email",
        "account_confirm_login_code",
        "account_email",
        "account_login",
        "account_logout",
        "account_reauthenticate",
        "account_reset_password",
        "account_reset_password_from_key",
        "account_set_password",
        "account_signup",
        "accounts:delete",
        "accounts:export",
        "accounts:sharing",
        "accounts:sharing_confirm",
        "accounts:sharing_revoke",
        "checklist:new",
        "checklist:step",
        "clinic:alert_seen",
        "clinic:invite",
        "clinic:note",
        "clinic:preferences",
        "clinic:prescribe",
        "mfa_activate_totp",
        "mfa_authenticate",
        "mfa_deactivate_totp",
        "mfa_download_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_reauthenticate",
        "progress:calendar_link",
        "progress:calendar_revoke",
        "progress:check_in",
        "progress:log",
        "progress:log_delete",
        "progress:log_edit",
        "progress:plan_days",
        "progress:plan_item_remove",
        "progress:plan_item_restore",
        "progress:plan_item_swap",
        "progress:plan_rebuild",
        "progress:reminder",
        "screening:acknowledge",
        "screening:new",
        "screening:step",
    ]


def test_post_only_views_refuse_get_and_head(cast):
    assert POST_ONLY == sorted(
        name for name in STATE_CHANGING if set(GET_ROWS[name].values()) == {"405"}
    )
    for name in POST_ONLY:
        url = routes()[name].url(cast)
        client = cast.client(right_role(name))
        for response in (client.get(url), client.head(url)):
            assert response.status_code == 405, name
            assert response["Allow"] == "POST", name


def test_our_views_refuse_put_patch_and_delete(cast):
    """Django's form views (allauth's) treat PUT as POST, CSRF check included; ours refuse."""
    problems = []
    for name, route in routes().items():
        ours = route.view.__module__.startswith(("apps.", "backpain."))
        if not ours or name.startswith("admin:"):
            continue
        url = route.url(cast)
        role = right_role(name)
        for method in ("put", "patch", "delete"):
            response, _ = send(cast.client(role), method, url)
            if response.status_code not in (405, 302) or outcome(response) not in ("405", "login"):
                problems.append(f"{method.upper()} {name} as {role}: {outcome(response)}")

    assert not problems, "\n".join(problems)
