"""The access matrix: every URL the resolver knows × every role → the answer it must get.

One row per URL name, one column per role (`cast.ROLES`); the URL's parameters name patient
A's objects (`cast.url_kwargs`). `GET` holds the answer to a GET, the same with
`HX-Request: true` unless `HTMX` says otherwise; `POST` holds the answer to a POST with an
empty body (access is decided before any form is read). A cell is one of:

    200 404 405    that status
    login          302 to the login page
    mfa            302 to setting up an authenticator app (clinicians without one)
    reauth         302 to re-authenticate (password, or an authenticator code)
    own            allauth's pages about the person's own account: 200, or a redirect within
                   the account pages (re-authenticate first, set up or verify something
                   first, back to itself). No parameter names anyone else; other parts of
                   issue 12 change these flows, so the cell fixes only who gets in
    ~alias         302 to the page named in REDIRECTS[alias]
    hx~alias       200 with HX-Redirect to that page (htmx is told to load it whole)

Rows are checked against the resolver both ways, so a new URL without a row fails, and so
does a row for a URL that is gone. IGNORED lists what has no row, and why.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpResponse
from django.urls import Resolver404, resolve

from tests.security.cast import ROLES

# The admin's own URLs are generated per model and change whenever a model is registered;
# test_the_admin_is_for_staff_only walks all of them with one rule instead: nobody but
# staff with MFA gets a 2xx.
IGNORED_PREFIXES = ("admin:",)

REDIRECTS = {
    "home": "home",
    "pw": "account_change_password",
    "2fa": "mfa_index",
    "share": "accounts:sharing",
    "scr": "screening:start",
    "scr1": "screening:step",
    "chk": "checklist:start",
    "chk1": "checklist:step",
    "plan": "progress:plan",
    "log": "progress:log",
    "clinic": "clinic:dashboard",
    "invite": "clinic:invite",
    "review": "clinic:review",
    "rem": "progress:reminder",
}

GET = """
# name                               anon   A      B      clin   strngr revoked no_mfa staff
home                                 200    200    200    ~clinic ~clinic ~clinic ~clinic 200
healthz                              200    200    200    200    200    200    200    200
manifest                             200    200    200    200    200    200    200    200
service_worker                       200    200    200    200    200    200    200    200
offline                              200    200    200    200    200    200    200    200
offline_saved                        200    200    200    200    200    200    200    200
account_login                        200    ~home  ~home  ~home  ~home  ~home  ~home  ~home
account_logout                       ~home  200    200    200    200    200    200    200
account_inactive                     200    200    200    200    200    200    200    200
account_signup                       200    ~home  ~home  ~home  ~home  ~home  ~home  ~home
account_reauthenticate               login  200    200    200    200    200    200    200
account_email                        login  own    own    own    own    own    own    own
account_email_verification_sent      200    200    200    200    200    200    200    200
account_change_password              login  own    own    own    own    own    own    own
account_set_password                 login  own    own    own    own    own    own    own
account_reset_password               200    200    200    200    200    200    200    200
account_confirm_login_code           login  ~home  ~home  ~home  ~home  ~home  ~home  ~home
account_confirm_email                200    200    200    200    200    200    200    200
account_reset_password_from_key_done 200    200    200    200    200    200    200    200
account_reset_password_from_key      200    200    200    200    200    200    200    200
account_reset_password_done          200    200    200    200    200    200    200    200
mfa_index                            login  200    200    200    200    200    200    200
mfa_authenticate                     login  ~home  ~home  ~home  ~home  ~home  ~home  ~home
mfa_reauthenticate                   login  reauth reauth 200    200    200    reauth 200
mfa_activate_totp                    login  own    own    own    own    own    own    own
mfa_deactivate_totp                  login  404    404    own    own    own    404    own
mfa_view_recovery_codes              login  404    404    own    404    404    404    404
mfa_generate_recovery_codes          login  own    own    own    own    own    own    own
mfa_download_recovery_codes          login  404    404    own    404    404    404    404
accounts:overview                    login  200    200    200    200    200    200    200
accounts:export                      login  200    200    200    200    200    200    200
accounts:delete                      login  200    200    200    200    200    200    200
accounts:sharing                     login  200    200    404    404    404    404    200
accounts:sharing_confirm             405    405    405    405    405    405    405    405
accounts:sharing_revoke              405    405    405    405    405    405    405    405
screening:start                      200    200    200    200    200    200    200    200
screening:new                        405    405    405    405    405    405    405    405
screening:step                       ~scr   200    ~scr   ~scr   ~scr   ~scr   ~scr   ~scr
screening:history                    login  200    200    200    200    200    200    200
screening:result                     404    200    404    404    404    404    404    404
screening:acknowledge                405    405    405    405    405    405    405    405
checklist:start                      200    200    200    200    200    200    200    200
checklist:new                        405    405    405    405    405    405    405    405
checklist:step                       ~chk   200    ~chk   ~chk   ~chk   ~chk   ~chk   ~chk
checklist:history                    login  200    200    200    200    200    200    200
checklist:result                     404    200    404    404    404    404    404    404
exercises:library                    200    200    200    200    200    200    200    200
exercises:routine                    200    200    200    200    200    200    200    200
exercises:detail                     200    200    200    200    200    200    200    200
exercises:figure_sheet               404    404    404    404    404    404    404    200
progress:plan                        login  200    200    404    404    404    404    200
progress:plan_days                   405    405    405    405    405    405    405    405
progress:plan_rebuild                405    405    405    405    405    405    405    405
progress:plan_item_swap              405    405    405    405    405    405    405    405
progress:plan_item_remove            405    405    405    405    405    405    405    405
progress:plan_item_restore           405    405    405    405    405    405    405    405
progress:home                        login  200    200    404    404    404    404    200
progress:log                         login  200    200    404    404    404    404    200
progress:log_edit                    login  200    404    404    404    404    404    404
progress:log_delete                  login  200    404    404    404    404    404    404
progress:check_in                    login  200    200    404    404    404    404    200
progress:reminder                    login  200    200    404    404    404    404    200
progress:calendar_link               405    405    405    405    405    405    405    405
progress:calendar_revoke             405    405    405    405    405    405    405    405
progress:calendar_feed               200    200    200    200    200    200    200    200
clinic:dashboard                     login  404    404    200    200    200    mfa    404
clinic:preferences                   405    405    405    405    405    405    405    405
clinic:invite                        login  404    404    200    200    200    mfa    404
clinic:review                        login  404    404    200    404    404    mfa    404
clinic:note                          405    405    405    405    405    405    405    405
clinic:alert_seen                    405    405    405    405    405    405    405    405
clinic:prescribe                     login  404    404    200    404    404    mfa    404
clinic:report                        login  404    404    200    404    404    mfa    404
clinic:csv                           login  404    404    200    404    404    mfa    404
clinic:fhir                          login  404    404    200    404    404    mfa    404
"""

# Where htmx gets a different answer: a wizard step without a run in progress tells htmx
# to load the start page whole instead of swapping it in.
HTMX = """
# name                               anon   A      B      clin   strngr revoked no_mfa staff
screening:step                       hx~scr 200    hx~scr hx~scr hx~scr hx~scr hx~scr hx~scr
checklist:step                       hx~chk 200    hx~chk hx~chk hx~chk hx~chk hx~chk hx~chk
"""

POST = """
# name                               anon   A      B      clin   strngr revoked no_mfa staff
home                                 405    405    405    405    405    405    405    405
healthz                              405    405    405    405    405    405    405    405
manifest                             405    405    405    405    405    405    405    405
service_worker                       405    405    405    405    405    405    405    405
offline                              405    405    405    405    405    405    405    405
offline_saved                        405    405    405    405    405    405    405    405
account_login                        200    ~home  ~home  ~home  ~home  ~home  ~home  ~home
account_logout                       ~home  ~home  ~home  ~home  ~home  ~home  ~home  ~home
account_inactive                     405    405    405    405    405    405    405    405
account_signup                       200    ~home  ~home  ~home  ~home  ~home  ~home  ~home
account_reauthenticate               login  200    200    200    200    200    200    200
account_email                        login  own    own    own    own    own    own    own
account_email_verification_sent      405    405    405    405    405    405    405    405
account_change_password              login  own    own    own    own    own    own    own
account_set_password                 login  own    own    own    own    own    own    own
account_reset_password               200    200    200    200    200    200    200    200
account_confirm_login_code           login  ~home  ~home  ~home  ~home  ~home  ~home  ~home
account_confirm_email                404    404    404    404    404    404    404    404
account_reset_password_from_key_done 405    405    405    405    405    405    405    405
account_reset_password_from_key      200    200    200    200    200    200    200    200
account_reset_password_done          405    405    405    405    405    405    405    405
mfa_index                            login  405    405    405    405    405    405    405
mfa_authenticate                     login  ~home  ~home  ~home  ~home  ~home  ~home  ~home
mfa_reauthenticate                   login  reauth reauth 200    200    200    reauth 200
mfa_activate_totp                    login  own    own    own    own    own    own    own
mfa_deactivate_totp                  login  404    404    own    own    own    404    own
mfa_view_recovery_codes              login  405    405    405    405    405    405    405
mfa_generate_recovery_codes          login  own    own    own    own    own    own    own
mfa_download_recovery_codes          login  404    404    own    404    404    404    404
accounts:overview                    405    405    405    405    405    405    405    405
accounts:export                      login  200    200    200    200    200    200    200
accounts:delete                      login  200    200    200    200    200    200    200
accounts:sharing                     login  200    200    404    404    404    404    200
accounts:sharing_confirm             login  200    200    404    404    404    404    200
accounts:sharing_revoke              login  ~share 404    404    404    404    404    404
screening:start                      405    405    405    405    405    405    405    405
screening:new                        ~scr1  ~scr1  ~scr1  ~scr1  ~scr1  ~scr1  ~scr1  ~scr1
screening:step                       200    200    200    200    200    200    200    200
screening:history                    405    405    405    405    405    405    405    405
screening:result                     405    405    405    405    405    405    405    405
screening:acknowledge                404    200    404    404    404    404    404    404
checklist:start                      405    405    405    405    405    405    405    405
checklist:new                        ~chk1  ~chk1  ~chk1  ~chk1  ~chk1  ~chk1  ~chk1  ~chk1
checklist:step                       200    200    200    200    200    200    200    200
checklist:history                    405    405    405    405    405    405    405    405
checklist:result                     405    405    405    405    405    405    405    405
exercises:library                    405    405    405    405    405    405    405    405
exercises:routine                    405    405    405    405    405    405    405    405
exercises:detail                     405    405    405    405    405    405    405    405
exercises:figure_sheet               405    405    405    405    405    405    405    405
progress:plan                        405    405    405    405    405    405    405    405
progress:plan_days                   login  200    404    404    404    404    404    404
progress:plan_rebuild                login  ~plan  ~plan  404    404    404    404    ~plan
progress:plan_item_swap              login  ~plan  404    404    404    404    404    404
progress:plan_item_remove            login  ~plan  404    404    404    404    404    404
# Nothing was removed in this session, so there is nothing to put back: 404 for A too.
progress:plan_item_restore           login  404    404    404    404    404    404    404
progress:home                        405    405    405    405    405    405    405    405
progress:log                         login  200    200    404    404    404    404    200
progress:log_edit                    login  200    404    404    404    404    404    404
progress:log_delete                  login  ~log   404    404    404    404    404    404
progress:check_in                    login  200    200    404    404    404    404    200
progress:reminder                    login  200    200    404    404    404    404    200
progress:calendar_link               login  ~rem   ~rem   404    404    404    404    ~rem
progress:calendar_revoke             login  ~rem   ~rem   404    404    404    404    ~rem
progress:calendar_feed               405    405    405    405    405    405    405    405
clinic:dashboard                     405    405    405    405    405    405    405    405
clinic:preferences                   login  404    404    ~clinic ~clinic ~clinic mfa  404
clinic:invite                        login  404    404    ~invite ~invite ~invite mfa  404
clinic:review                        405    405    405    405    405    405    405    405
clinic:note                          login  404    404    200    404    404    mfa    404
clinic:alert_seen                    login  404    404    ~review 404    404    mfa    404
clinic:prescribe                     login  404    404    200    404    404    mfa    404
clinic:report                        405    405    405    405    405    405    405    405
clinic:csv                           405    405    405    405    405    405    405    405
clinic:fhir                          405    405    405    405    405    405    405    405
"""

# Whose objects the URL's parameters name, and so who may have them: everyone else gets a
# 404 (or is sent to log in, or to set up MFA, before anything is looked up).
OWNED_BY = {
    "accounts:sharing_revoke": "patient_a",
    "screening:result": "patient_a",
    "screening:acknowledge": "patient_a",
    "checklist:result": "patient_a",
    "progress:plan_item_swap": "patient_a",
    "progress:plan_item_remove": "patient_a",
    "progress:plan_item_restore": "patient_a",
    "progress:log_edit": "patient_a",
    "progress:log_delete": "patient_a",
    "clinic:review": "clinician",
    "clinic:note": "clinician",
    "clinic:alert_seen": "clinician",
    "clinic:prescribe": "clinician",
    "clinic:report": "clinician",
    "clinic:csv": "clinician",
    "clinic:fhir": "clinician",
}


def parse(table: str) -> dict[str, dict[str, str]]:
    rows = {}
    for line in table.strip().splitlines():
        if line.startswith("#"):
            continue
        name, *cells = line.split()
        assert len(cells) == len(ROLES), f"{name}: {len(cells)} cells for {len(ROLES)} roles"
        assert name not in rows, f"{name} has two rows"
        rows[name] = dict(zip(ROLES, cells, strict=True))
    return rows


GET_ROWS = parse(GET)
HTMX_ROWS = {**GET_ROWS, **parse(HTMX)}
POST_ROWS = parse(POST)

# Views that take POST: some role's POST gets past the method check.
STATE_CHANGING = sorted(
    name
    for name, row in POST_ROWS.items()
    if any(cell not in ("405", "login") for cell in row.values())
)
# Views that take only POST: every role's GET is refused for its method.
POST_ONLY = sorted(name for name, row in GET_ROWS.items() if set(row.values()) == {"405"})


def _path_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


def outcome(response: HttpResponse) -> str:
    """Describe a response the way the tables do, for the failure message."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if status == 302:
        path = urlsplit(location).path
        name = _path_name(location)
        if name == "account_login":
            return "login"
        if name == "mfa_activate_totp":
            return "mfa"
        if name in ("account_reauthenticate", "mfa_reauthenticate"):
            return "reauth"
        alias = next((a for a, n in REDIRECTS.items() if n == name), name or path)
        return f"~{alias}"
    if status == 200 and "HX-Redirect" in response.headers:
        name = _path_name(response.headers["HX-Redirect"])
        alias = next((a for a, n in REDIRECTS.items() if n == name), name)
        return f"hx~{alias}"
    return str(status)


ACCOUNT_PAGES = ("account_", "mfa_", "accounts:")


def matches(expected: str, actual: str) -> bool:
    if expected == "own":
        target = REDIRECTS.get(actual[1:], actual[1:]) if actual.startswith("~") else ""
        return actual in ("200", "reauth") or target.startswith(ACCOUNT_PAGES)
    return expected == actual
