"""Every GET route's headers, scored by the MDN HTTP Observatory's rules, with HTTPS=true.

tests/security/observatory.py holds the scorer and says which rules it implements and which
cannot apply to a test client. The production settings are the ones `HTTPS=true` gives:
backpain/settings.py is read twice, with HTTPS=false and HTTPS=true, and every setting that
differs is applied, so the test follows whatever that switch turns on.

Each route is fetched as the Observatory would: over https by its owner (the first role in
the access matrix that gets a 200; else the first one that is let in, following redirects
to the page it ends on), then over plain http for the redirection test, /robots.txt for
more cookies, and a CORS preflight. Print the table with
`.venv/bin/pytest tests/security/test_observatory.py -n 0 -s -k every_get_route`.
"""

from __future__ import annotations

import os
import runpy
from unittest import mock
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client

from tests.security import observatory
from tests.security.cast import Cast, build_cast, routes
from tests.security.matrix import GET_ROWS
from tests.security.observatory import Exchange, score

MINIMUM = 120
OWNERS = ("patient_a", "clinician", "anonymous", "staff")
HOST = "testserver"


def settings_with(https: str) -> dict:
    path = os.path.join(django_settings.BASE_DIR, "backpain", "settings.py")
    with mock.patch.dict(os.environ, {"HTTPS": https}):
        module = runpy.run_path(path)
    return {key: value for key, value in module.items() if key.isupper()}


def https_overrides() -> dict:
    """The settings HTTPS=true changes, with their production values."""
    off, on = settings_with("false"), settings_with("true")
    return {key: on[key] for key in on if off.get(key, object()) != on[key]}


@pytest.fixture
def production(settings) -> dict:
    overrides = https_overrides()
    for key, value in overrides.items():
        setattr(settings, key, value)
    return overrides


@pytest.fixture
def cast(content, production) -> Cast:
    return build_cast()


def headers_of(response: HttpResponse) -> list[tuple[str, str]]:
    cookies = [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
    return list(response.items()) + cookies


def set_cookies(response: HttpResponse) -> list[str]:
    return [morsel.OutputString() for morsel in response.cookies.values()]


def follow(client: Client, url: str, secure: bool, cookies: list[str]) -> tuple[list, object]:
    """GET url and every redirect after it; return the addresses visited and the last answer."""
    visited, response = [], None
    for _ in range(10):
        scheme = "https" if secure else "http"
        visited.append(f"{scheme}://{HOST}{url}")
        response = client.get(url, secure=secure)
        cookies += set_cookies(response)
        if response.status_code not in (301, 302, 303, 307, 308):
            break
        target = urlsplit(urljoin(visited[-1], response["Location"]))
        secure = target.scheme == "https"
        url = target.path + (f"?{target.query}" if target.query else "")
    return visited, response


def fetch(client: Client, path: str) -> tuple[Exchange, HttpResponse]:
    """Fetch a route the way the Observatory's retriever does."""
    with transaction.atomic():
        cookies: list[str] = []
        visited, page = follow(client, path, True, cookies)
        http_route, _ = follow(client, path, False, [])
        robots = client.get("/robots.txt", secure=True)
        cookies += set_cookies(robots)
        final = urlsplit(visited[-1])
        preflight = client.options(
            final.path,
            secure=True,
            headers={"Origin": observatory.CORS_ORIGIN, "Access-Control-Request-Method": "GET"},
        )
        exchange = Exchange(
            url=visited[-1],
            headers=headers_of(page),
            body=page.content.decode(errors="replace") if not page.streaming else "",
            set_cookies=cookies,
            http_route=http_route,
            cors_headers=list(preflight.items()),
        )
        transaction.set_rollback(True)
    return exchange, page


def owner(name: str) -> str | None:
    row = GET_ROWS[name]
    if set(row.values()) == {"405"}:
        return None  # takes only POST
    return next((r for r in OWNERS if row[r] == "200"), None) or next(
        (r for r in OWNERS if row[r] not in ("404", "405", "login")), None
    )


def test_https_true_turns_on_what_the_score_needs(production):
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SECURE_HSTS_SECONDS"] >= observatory.SIX_MONTHS


def test_every_get_route_scores_at_least_120(cast):
    scores, problems = {}, []
    for name, route in routes().items():
        if name not in GET_ROWS or owner(name) is None:
            continue
        role = owner(name)
        exchange, page = fetch(cast.client(role), route.url(cast))
        result = score(exchange)
        landed = urlsplit(exchange.url).path
        scores[name] = (result.score, role, landed, page.status_code, result)
        if page.status_code != 200:
            problems.append(f"{name} as {role} ended on {landed} with {page.status_code}")
        if result.score < MINIMUM:
            low = {t: r for t, r in result.results.items() if observatory.MODIFIERS[r] <= 0}
            problems.append(f"{name}: {result.score} {low}")

    print(f"\n{'route':38} {'score':>5}  {'as':10} page")
    for name, (points, role, landed, _, _) in sorted(scores.items(), key=lambda i: i[1][0]):
        print(f"{name:38} {points:>5}  {role:10} {landed}")
    print(f"{len(scores)} routes, minimum {min(s[0] for s in scores.values())}")
    assert not problems, "\n".join(problems)
    assert len(scores) > 40


# The scorer itself, rule by rule, on made-up responses --------------------------------

STRICT_CSP = (
    "default-src 'none'; script-src 'self' 'nonce-abc'; style-src 'self'; img-src 'self' data:;"
    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def exchange(**headers: str) -> Exchange:
    return Exchange(
        url="https://example.org/",
        headers=[(k.replace("_", "-"), v) for k, v in headers.items()],
        http_route=["http://example.org/", "https://example.org/"],
    )


def good(**changes: str) -> Exchange:
    headers = {
        "Content_Type": "text/html; charset=utf-8",
        "Content_Security_Policy": STRICT_CSP,
        "Strict_Transport_Security": "max-age=31536000; includeSubDomains",
        "X_Content_Type_Options": "nosniff",
        "X_Frame_Options": "DENY",
        "Referrer_Policy": "same-origin",
        "Cross_Origin_Opener_Policy": "same-origin",
        "Cross_Origin_Resource_Policy": "same-origin",
    }
    headers.update(changes)
    return exchange(**{k: v for k, v in headers.items() if v is not None})


def test_a_response_with_no_security_headers_scores_like_the_observatory_says():
    bare = Exchange(url="https://example.org/", headers=[], http_route=["http://example.org/"])

    result = score(bare)

    # CSP -25, HSTS -20, X-Frame-Options -20, redirection -20, nosniff -5.
    assert result.score == 10
    assert result.modifiers["content-security-policy"] == -25


def test_the_apps_headers_earn_every_bonus_a_test_client_can_see():
    result = score(good())

    # 100 + CSP default-src 'none' 10 + COOP 10 + CORP 10 + Referrer 5 + framing 5.
    assert result.score == 140
    assert result.results["x-frame-options"] == "x-frame-options-implemented-via-csp"


def test_bonuses_count_only_when_the_penalties_leave_90():
    assert score(good(Strict_Transport_Security=None)).score == 80  # 100 - 20, no bonus
    assert score(good(X_Content_Type_Options=None)).score == 135  # 95 + 40


@pytest.mark.parametrize(
    ("csp", "result"),
    [
        (None, "csp-not-implemented"),
        ("default-src 'self'; default-src 'none'", "csp-header-invalid"),
        (
            "default-src 'self'; script-src 'self' 'unsafe-inline'",
            "csp-implemented-with-unsafe-inline",
        ),
        (
            "default-src 'self'; script-src 'nonce-x' 'unsafe-inline'",
            "csp-implemented-with-no-unsafe",
        ),
        ("default-src 'self'; script-src 'self' 'unsafe-eval'", "csp-implemented-with-unsafe-eval"),
        (
            "default-src 'self'; script-src http://cdn.example",
            "csp-implemented-with-insecure-scheme",
        ),
        (
            "default-src 'self'; img-src http:",
            "csp-implemented-with-insecure-scheme-in-passive-content-only",
        ),
        (
            "default-src 'self'; style-src 'unsafe-inline'",
            "csp-implemented-with-unsafe-inline-in-style-src-only",
        ),
        ("img-src 'self'", "csp-implemented-with-unsafe-inline"),  # no script-src, no default-src
        ("default-src 'none'", "csp-implemented-with-no-unsafe-default-src-none"),
        ("script-src 'strict-dynamic'; object-src 'none'", "csp-header-invalid"),
    ],
)
def test_csp(csp, result):
    assert observatory.csp_test(good(Content_Security_Policy=csp)) == result


def test_a_report_only_policy_is_not_a_policy():
    response = good(Content_Security_Policy=None, Content_Security_Policy_Report_Only=STRICT_CSP)

    assert observatory.csp_test(response) == "csp-not-implemented-but-reporting-enabled"


@pytest.mark.parametrize(
    ("cookies", "result"),
    [
        ([], "cookies-not-found"),
        (
            ["sessionid=x; Secure; HttpOnly; SameSite=Lax"],
            "cookies-secure-with-httponly-sessions-and-samesite",
        ),
        (["sessionid=x; Secure; HttpOnly"], "cookies-secure-with-httponly-sessions"),
        (
            ["sessionid=x; HttpOnly; SameSite=Lax"],
            "cookies-session-without-secure-flag-but-protected-by-hsts",
        ),
        (["sessionid=x; Secure; SameSite=Lax"], "cookies-session-without-httponly-flag"),
        (["csrftoken=x; Secure"], "cookies-anticsrf-without-samesite-flag"),
        (["theme=x; SameSite=Lax"], "cookies-without-secure-flag-but-protected-by-hsts"),
        (["theme=x; SameSite=None"], "cookies-samesite-flag-invalid"),
        (["sessionid=x; Secure; HttpOnly", "sessionid=; Max-Age=0"], "cookies-not-found"),
    ],
)
def test_cookies(cookies, result):
    response = good()
    response.set_cookies = cookies

    assert observatory.cookies_test(response) == result


def test_cookies_without_hsts_cost_more():
    response = good(Strict_Transport_Security=None)
    response.set_cookies = ["sessionid=x; HttpOnly; SameSite=Lax"]

    assert observatory.cookies_test(response) == "cookies-session-without-secure-flag"


@pytest.mark.parametrize(
    ("header", "test", "result"),
    [
        (
            ("Cross_Origin_Opener_Policy", "same-origin-allow-popups"),
            "coop",
            "coop-implemented-with-same-origin-allow-popups",
        ),
        (
            ("Cross_Origin_Opener_Policy", 'same-origin; report-to="x"'),
            "coop",
            "coop-implemented-with-same-origin",
        ),
        (("Cross_Origin_Opener_Policy", '"same-origin"'), "coop", "coop-header-invalid"),
        (("Cross_Origin_Opener_Policy", None), "coop", "coop-not-implemented"),
        (
            ("Cross_Origin_Embedder_Policy", "require-corp"),
            "coep",
            "coep-implemented-with-require-corp",
        ),
        (("Cross_Origin_Embedder_Policy", "nonsense!"), "coep", "coep-header-invalid"),
        (("Cross_Origin_Resource_Policy", "same-site"), "corp", "corp-implemented-with-same-site"),
        (
            ("Cross_Origin_Resource_Policy", "cross-origin"),
            "corp",
            "corp-implemented-with-cross-origin",
        ),
        (("Cross_Origin_Resource_Policy", "private"), "corp", "corp-header-invalid"),
        (("Referrer_Policy", "no-referrer-when-downgrade"), "referrer", "referrer-policy-unsafe"),
        (("Referrer_Policy", "unsafe-url, strict-origin"), "referrer", "referrer-policy-private"),
        (("Referrer_Policy", "sometimes"), "referrer", "referrer-policy-header-invalid"),
        (("Referrer_Policy", None), "referrer", "referrer-policy-not-implemented"),
        (
            ("Strict_Transport_Security", "max-age=86400"),
            "hsts",
            "hsts-implemented-max-age-less-than-six-months",
        ),
        (("Strict_Transport_Security", "includeSubDomains"), "hsts", "hsts-header-invalid"),
        (("X_Content_Type_Options", "sniff-away"), "xcto", "x-content-type-options-header-invalid"),
        (
            ("Content_Security_Policy", "default-src 'none'"),
            "xfo",
            "x-frame-options-sameorigin-or-deny",
        ),
        (("X_Frame_Options", "ALLOWALL"), "xfo", "x-frame-options-implemented-via-csp"),
    ],
)
def test_header_rules(header, test, result):
    name, value = header

    assert getattr(observatory, f"{test}_test")(good(**{name: value})) == result


def test_two_coop_or_corp_headers_are_invalid():
    twice = good()
    twice.headers += [("Cross-Origin-Opener-Policy", "same-origin")]
    twice.headers += [("Cross-Origin-Resource-Policy", "same-origin")]

    assert observatory.coop_test(twice) == "coop-header-invalid"
    assert observatory.corp_test(twice) == "corp-header-invalid"


@pytest.mark.parametrize(
    ("route", "result"),
    [
        (None, "redirection-not-needed-no-http"),
        (["http://example.org/"], "redirection-missing"),
        (["http://example.org/", "https://example.org/"], "redirection-to-https"),
        (["http://example.org/", "https://www.example.org/"], "redirection-off-host-from-http"),
        (
            ["http://example.org/", "http://www.example.org/", "https://www.example.org/"],
            "redirection-not-to-https-on-initial-redirection",
        ),
        (["http://example.org/", "http://www.example.org/"], "redirection-not-to-https"),
    ],
)
def test_redirection(route, result):
    response = good()
    response.http_route = route

    assert observatory.redirection_test(response) == result


@pytest.mark.parametrize(
    ("allow", "result"),
    [
        ([], "cross-origin-resource-sharing-not-implemented"),
        (
            [("Access-Control-Allow-Origin", "*")],
            "cross-origin-resource-sharing-implemented-with-public-access",
        ),
        (
            [
                ("Access-Control-Allow-Origin", observatory.CORS_ORIGIN),
                ("Access-Control-Allow-Credentials", "true"),
            ],
            "cross-origin-resource-sharing-implemented-with-universal-access",
        ),
        (
            [("Access-Control-Allow-Origin", "https://partner.example")],
            "cross-origin-resource-sharing-implemented-with-restricted-access",
        ),
    ],
)
def test_cors(allow, result):
    response = good()
    response.cors_headers = allow

    assert observatory.cors_test(response) == result


@pytest.mark.parametrize(
    ("body", "result"),
    [
        ("<p>No scripts</p>", "sri-not-implemented-but-no-scripts-loaded"),
        (
            '<script src="/static/app.js"></script>',
            "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
        ),
        (
            '<script src="/static/app.js" integrity="sha384-x"></script>',
            "sri-implemented-and-all-scripts-loaded-securely",
        ),
        (
            '<script src="https://cdn.other.net/x.js"></script>',
            "sri-not-implemented-but-external-scripts-loaded-securely",
        ),
        (
            '<script src="https://cdn.other.net/x.js" integrity="sha384-x"></script>',
            "sri-implemented-and-external-scripts-loaded-securely",
        ),
        (
            '<script src="http://cdn.other.net/x.js"></script>',
            "sri-not-implemented-and-external-scripts-not-loaded-securely",
        ),
        (
            '<script src="//cdn.other.net/x.js" integrity="sha384-x"></script>',
            "sri-implemented-but-external-scripts-not-loaded-securely",
        ),
    ],
)
def test_subresource_integrity(body, result):
    response = good()
    response.body = body

    assert observatory.sri_test(response) == result


def test_a_meta_referrer_counts_and_a_meta_csp_cannot_forbid_framing():
    response = good(Referrer_Policy=None, Content_Security_Policy=None, X_Frame_Options=None)
    response.body = (
        '<meta name="referrer" content="no-referrer">'
        '<meta http-equiv="Content-Security-Policy"'
        " content=\"default-src 'none'; frame-ancestors 'none'\">"
    )

    assert observatory.referrer_test(response) == "referrer-policy-private"
    assert observatory.csp_test(response) == "csp-implemented-with-no-unsafe-default-src-none"
    assert observatory.xfo_test(response) == "x-frame-options-not-implemented"
