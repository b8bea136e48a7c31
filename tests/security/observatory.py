"""Score responses the way the MDN HTTP Observatory does.

Written from the Observatory's rules as mdn/mdn-http-observatory has them in August 2026
(scoring algorithm 6: COOP and COEP scored, X-Frame-Options re-scored), its expectation
names and modifiers, and developer.mozilla.org/en-US/observatory/docs/tests_and_scoring. A
scan starts at 100 and each of twelve tests adds one modifier; bonuses count only when the
score with the penalties alone is at least 90, and there is no maximum.

Implemented, with the modifier of each outcome:

- Content Security Policy, from the header (and `<meta http-equiv>`): not implemented or only
  report-only -25, unparseable (a repeated directive, 'strict-dynamic' without a nonce or
  hash) -25, 'unsafe-inline' or data: or a broad source in script-src or object-src (or
  neither set) -20, http: sources on an https page -20 (images and media only: -10),
  'unsafe-eval' -10, unsafe style-src 0, otherwise +5, or +10 with `default-src 'none'`.
- Cookies, those a browser keeps from every Set-Cookie met while fetching the page
  (redirects and /robots.txt included; the last of each name, deleted ones dropped): a
  session cookie (name has "sess" or "login") without Secure -40 (-10 under HSTS), a
  session cookie without HttpOnly -30, an anti-CSRF cookie without SameSite -20, SameSite
  invalid (or None without Secure) -20, any cookie without Secure -20 (-5 under HSTS); none
  of these: 0, or +5 when every cookie has SameSite; no cookies 0.
- Cross-Origin-Embedder-Policy: require-corp or credentialless +10, unsafe-none or missing
  0, invalid or sent twice -5. Cross-Origin-Opener-Policy: same-origin,
  same-origin-allow-popups or noopener-allow-popups +10, unsafe-none or missing 0, invalid
  or sent twice -5. Both parsed as a structured-field token (parameters allowed).
- CORS (a preflight OPTIONS with an Origin): credentials allowed for a reflected origin
  -50; otherwise 0.
- Redirection from the http:// address: none -20, ending off https -20, via another http
  address first -10, to https on another host -5, to https on the same host 0.
- Referrer-Policy (header, or `<meta name="referrer">`): no-referrer, same-origin,
  strict-origin(-when-cross-origin) +5; missing 0; unsafe or unrecognised -5.
- Strict-Transport-Security: max-age of at least six months (15552000) 0, shorter -10,
  missing or unparseable -20.
- Subresource integrity: external scripts without integrity -5 (-50 over http), with
  integrity but over http -20, with integrity +5; same-origin scripts or none, or not
  HTML, 0.
- X-Content-Type-Options: nosniff 0, anything else -5.
- X-Frame-Options: CSP frame-ancestors or DENY/SAMEORIGIN +5, ALLOW-FROM 0, missing or
  invalid -20.
- Cross-Origin-Resource-Policy: same-origin or same-site +10, cross-origin or missing 0,
  invalid (or sent twice) -5.

Not applicable to a test client, so never awarded or charged here: the HSTS preload list
(hsts-preloaded +5, and redirects to preloaded hosts), certificate checks (invalid chains
-20), "cannot connect over http/https" outcomes. Only one CSP policy is supported: a
response with several (two headers, or a header and a meta tag) is refused rather than
merged. The registrable domain of a script is approximated by its last two labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

MINIMUM_FOR_EXTRA_CREDIT = 90
SIX_MONTHS = 15_552_000
CORS_ORIGIN = "https://http-observatory.security.mozilla.org"
HTML_TYPES = {"text/html", "application/xhtml+xml"}

MODIFIERS = {
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-but-duplicate-directives": 0,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-header-invalid": -25,
    "csp-not-implemented": -25,
    "csp-not-implemented-but-reporting-enabled": -25,
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag": -20,
    "cookies-samesite-flag-invalid": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-httponly-flag": -30,
    "cookies-session-without-secure-flag": -40,
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-public-access": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    "redirection-to-https": 0,
    "redirection-not-needed-no-http": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https-on-initial-redirection": -10,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "referrer-policy-header-invalid": -5,
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "hsts-header-invalid": -20,
    "sri-implemented-and-all-scripts-loaded-securely": 5,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-response-not-html": 0,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-implemented-but-external-scripts-not-loaded-securely": -20,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-content-type-options-header-invalid": -5,
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 5,
    "x-frame-options-allow-from-origin": 0,
    "x-frame-options-not-implemented": -20,
    "x-frame-options-header-invalid": -20,
    "corp-implemented-with-same-origin": 10,
    "corp-implemented-with-same-site": 10,
    "corp-implemented-with-cross-origin": 0,
    "corp-not-implemented": 0,
    "corp-header-invalid": -5,
    "coep-implemented-with-require-corp": 10,
    "coep-implemented-with-credentialless": 10,
    "coep-implemented-with-unsafe-none": 0,
    "coep-not-implemented": 0,
    "coep-header-invalid": -5,
    "coop-implemented-with-same-origin": 10,
    "coop-implemented-with-same-origin-allow-popups": 10,
    "coop-implemented-with-noopener-allow-popups": 10,
    "coop-implemented-with-unsafe-none": 0,
    "coop-not-implemented": 0,
    "coop-header-invalid": -5,
}

Headers = list[tuple[str, str]]


@dataclass
class Exchange:
    """What the Observatory fetches for one address, as a test collected it.

    `url` is the https address of the page scored (after any redirects), `headers` and
    `body` its response (Set-Cookie headers included); `set_cookies` every Set-Cookie value
    met on the way (redirects and /robots.txt included); `http_route` the plain-http
    address asked first and every address it redirected to, in order (None when plain http
    does not answer at all); `cors_headers` the answer to a preflight OPTIONS sent with
    Origin: CORS_ORIGIN.
    """

    url: str
    headers: Headers
    body: str = ""
    set_cookies: list[str] = field(default_factory=list)
    http_route: list[str] | None = None
    cors_headers: Headers = field(default_factory=list)

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def first(self, name: str) -> str | None:
        values = self.all(name)
        return values[0] if values else None

    @property
    def is_html(self) -> bool:
        mime = (self.first("Content-Type") or "").split(";")[0].strip().lower()
        return not mime or mime in HTML_TYPES

    def meta(self, name: str) -> list[str]:
        """The page's `<meta http-equiv=name content=...>` values (for Referrer-Policy, the
        last `<meta name="referrer">`), as the Observatory reads them from HTML."""
        if not self.is_html:
            return []
        finder = _MetaFinder()
        finder.feed(self.body)
        return [content for key, content in finder.metas if key == name.lower()]


@dataclass
class Score:
    score: int
    results: dict[str, str]  # test name -> expectation

    @property
    def modifiers(self) -> dict[str, int]:
        return {test: MODIFIERS[result] for test, result in self.results.items()}


class _MetaFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.metas: list[tuple[str, str]] = []
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        content = attributes.get("content")
        equiv = (attributes.get("http-equiv") or "").strip().lower()
        if tag == "meta" and equiv == "content-security-policy" and content:
            self.metas.append((equiv, content))
        elif tag == "meta" and (attributes.get("name") or "").strip().lower() == "referrer":
            self.metas = [m for m in self.metas if m[0] != "referrer-policy"]
            if content:
                self.metas.append(("referrer-policy", content))
        if tag == "script":
            self.scripts.append(attributes)


# Content Security Policy --------------------------------------------------------------

DANGEROUSLY_BROAD = {
    "ftp:",
    "http:",
    "https:",
    "*",
    "http://*",
    "http://*.*",
    "https://*",
    "https://*.*",
}
UNSAFE_INLINE = {"'unsafe-inline'", "data:"}
NONCES_HASHES = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")


class InvalidPolicy(ValueError):
    pass


def parse_csp(policy: str) -> tuple[dict[str, set[str]], bool]:
    """Return one policy's directives (lower-cased sources) and whether a report directive
    was repeated (allowed, but noted). Any other repeated directive makes it invalid."""
    policy = policy.replace("\r", "").replace("\n", "").strip()
    if len(policy) < len("img-src") - 1:
        raise InvalidPolicy(policy)
    directives: dict[str, set[str]] = {}
    duplicate_reports = False
    for entry in policy.split(";"):
        if not entry.strip():
            continue
        name, *sources = entry.split()
        name = name.lower()
        if name in directives:
            if name in ("report-uri", "report-to"):
                duplicate_reports = True
                continue
            raise InvalidPolicy(f"{name} repeated")
        values = {source.lower() for source in sources}
        if not values and name.endswith("-src"):
            values = {"'none'"}
        # A source that merely extends a shorter one in the same list adds nothing.
        directives[name] = {
            v for v in values if not any(v != o and v.startswith(o) for o in values)
        }
    return directives, duplicate_reports


def csp_test(exchange: Exchange) -> str:
    headers = [p.strip() for h in exchange.all("Content-Security-Policy") for p in h.split(",")]
    metas = [p.strip() for m in exchange.meta("content-security-policy") for p in m.split(",")]
    policies = [p for p in headers + metas if p]
    if not policies:
        if exchange.first("Content-Security-Policy-Report-Only"):
            return "csp-not-implemented-but-reporting-enabled"
        return "csp-not-implemented"
    if len(policies) > 1:
        raise NotImplementedError("Several CSP policies: merging them is not implemented.")
    try:
        csp, duplicate_reports = parse_csp(policies[0])
    except InvalidPolicy:
        return "csp-header-invalid"
    if headers == [] and "frame-ancestors" in csp:
        del csp["frame-ancestors"]  # not allowed in a meta tag

    https = urlsplit(exchange.url).scheme == "https"
    default = csp.get("default-src")
    object_src = set(csp.get("object-src") or default or {"*"})
    script_src = set(csp.get("script-src") or default or {"*"})
    style_src = set(csp.get("style-src") or default or {"*"})
    for sources in (script_src, style_src):
        if any(s.startswith(NONCES_HASHES) for s in sources):
            sources.discard("'unsafe-inline'")
    result = None
    if "'strict-dynamic'" in script_src:
        if any(s.startswith(NONCES_HASHES) for s in script_src):
            script_src = {
                s
                for s in script_src
                if s not in ("'self'", "'unsafe-inline'")
                and not any(s.startswith(b) for b in DANGEROUSLY_BROAD)
            }
        else:
            result = "csp-header-invalid"

    passive = ("img-src", "media-src")
    active = [s for d, v in csp.items() if d not in (*passive, "script-src") for s in v]
    active += list(script_src)
    passive_sources = [s for d in passive for s in (csp.get(d) or default or set())]

    def insecure(sources: Iterable[str]) -> bool:
        return any(s.startswith(("http:", "ftp:")) for s in sources)

    checks = [
        (
            script_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE) or object_src & DANGEROUSLY_BROAD,
            "csp-implemented-with-unsafe-inline",
        ),
        (https and insecure(active), "csp-implemented-with-insecure-scheme"),
        ("'unsafe-eval'" in script_src | style_src, "csp-implemented-with-unsafe-eval"),
        (
            https and insecure(passive_sources),
            "csp-implemented-with-insecure-scheme-in-passive-content-only",
        ),
        (
            style_src & (DANGEROUSLY_BROAD | UNSAFE_INLINE),
            "csp-implemented-with-unsafe-inline-in-style-src-only",
        ),
    ]
    for failed, outcome in checks:
        if result is None and failed:
            result = outcome
    if result is None:
        if default == {"'none'"}:
            result = "csp-implemented-with-no-unsafe-default-src-none"
        else:
            result = "csp-implemented-with-no-unsafe"
    passing = (
        "csp-implemented-with-no-unsafe",
        "csp-implemented-with-no-unsafe-default-src-none",
        "csp-implemented-with-unsafe-inline-in-style-src-only",
        "csp-implemented-with-insecure-scheme-in-passive-content-only",
    )
    if result in passing and duplicate_reports:
        result = "csp-implemented-but-duplicate-directives"
    return result


def _frame_ancestors(exchange: Exchange) -> bool:
    policies = [p for h in exchange.all("Content-Security-Policy") for p in h.split(",")]
    try:
        return any("frame-ancestors" in parse_csp(p)[0] for p in policies if p.strip())
    except InvalidPolicy:
        return False


# Cookies ------------------------------------------------------------------------------


@dataclass
class Cookie:
    name: str
    secure: bool
    httponly: bool
    samesite: str | None
    samesite_invalid: bool


def parse_set_cookie(value: str) -> Cookie:
    first, *attributes = value.split(";")
    name = first.split("=", 1)[0].strip()
    secure = httponly = samesite_invalid = False
    samesite = None
    for attribute in attributes:
        key, _, val = attribute.strip().partition("=")
        key = key.strip().lower()
        if key == "secure":
            secure = True
        elif key == "httponly":
            httponly = True
        elif key == "samesite":
            samesite_invalid = val.strip().lower() not in ("lax", "strict", "none")
            samesite = None if samesite_invalid else val.strip()
    return Cookie(name, secure, httponly, samesite, samesite_invalid)


COOKIE_BADNESS = [
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
]


def cookie_jar(set_cookies: list[str]) -> list[Cookie]:
    """The cookies a browser keeps after these Set-Cookie headers: the last of each name,
    minus those deleted (Max-Age=0, as Django deletes)."""
    jar: dict[str, Cookie] = {}
    for value in set_cookies:
        cookie = parse_set_cookie(value)
        if "max-age=0" in value.lower().replace(" ", ""):
            jar.pop(cookie.name, None)
        else:
            jar[cookie.name] = cookie
    return list(jar.values())


def cookies_test(exchange: Exchange) -> str:
    cookies = cookie_jar(exchange.set_cookies)
    if not cookies:
        return "cookies-not-found"
    hsts = hsts_test(exchange) == "hsts-implemented-max-age-at-least-six-months"
    # A malformed SameSite is looked for in the page's own Set-Cookie headers.
    found = [
        "cookies-samesite-flag-invalid"
        for raw in exchange.all("Set-Cookie")
        if parse_set_cookie(raw).samesite_invalid
    ]
    for cookie in cookies:
        session = any(word in cookie.name.lower() for word in ("login", "sess"))
        anticsrf = "csrf" in cookie.name.lower()
        if not cookie.secure and (cookie.samesite or "").lower() == "none":
            found.append("cookies-samesite-flag-invalid")
        if not cookie.secure:
            found.append(
                "cookies-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-without-secure-flag"
            )
        if anticsrf and not cookie.samesite:
            found.append("cookies-anticsrf-without-samesite-flag")
        if session and not cookie.secure:
            found.append(
                "cookies-session-without-secure-flag-but-protected-by-hsts"
                if hsts
                else "cookies-session-without-secure-flag"
            )
        if session and not cookie.httponly:
            found.append("cookies-session-without-httponly-flag")
    if found:
        return max(found, key=COOKIE_BADNESS.index)
    if all(cookie.samesite for cookie in cookies):
        return "cookies-secure-with-httponly-sessions-and-samesite"
    return "cookies-secure-with-httponly-sessions"


# The other headers --------------------------------------------------------------------


def cors_test(exchange: Exchange) -> str:
    allow = dict((k.lower(), v) for k, v in exchange.cors_headers)
    origin = allow.get("access-control-allow-origin")
    if not origin:
        return "cross-origin-resource-sharing-not-implemented"
    if origin.strip().lower() == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access"
    credentials = allow.get("access-control-allow-credentials", "").strip().lower()
    if origin == CORS_ORIGIN and credentials == "true":
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def redirection_test(exchange: Exchange) -> str:
    route = exchange.http_route
    if route is None:
        return "redirection-not-needed-no-http"
    urls = [urlsplit(url) for url in route]
    if len(urls) == 1:
        return "redirection-missing"
    if urls[-1].scheme != "https":
        return "redirection-not-to-https"
    if urls[1].scheme == "http":
        return "redirection-not-to-https-on-initial-redirection"
    if urls[0].hostname != urls[1].hostname:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


REFERRER_PRIVATE = [
    "no-referrer",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
]
REFERRER_UNSAFE = ["origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade"]


def referrer_test(exchange: Exchange) -> str:
    values = exchange.all("Referrer-Policy") + exchange.meta("referrer-policy")
    if not values:
        return "referrer-policy-not-implemented"
    known = [
        token.strip().lower()
        for token in ", ".join(values).split(",")
        if token.strip().lower() in REFERRER_PRIVATE + REFERRER_UNSAFE
    ]
    policy = known[-1] if known else ""
    if policy in REFERRER_PRIVATE:
        return "referrer-policy-private"
    if policy in REFERRER_UNSAFE:
        return "referrer-policy-unsafe"
    return "referrer-policy-header-invalid"


def hsts_test(exchange: Exchange) -> str:
    header = exchange.first("Strict-Transport-Security")
    if header is None:
        return "hsts-not-implemented"
    if "," in header:
        return "hsts-header-invalid"
    max_age = None
    for parameter in header.split(";"):
        parameter = parameter.strip().lower()
        if parameter.startswith("max-age="):
            digits = re.match(r"\s*\d+", parameter[8:128])
            if digits is None:
                return "hsts-header-invalid"
            max_age = int(digits.group())
    if max_age is None:
        return "hsts-header-invalid"
    if max_age < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months"
    return "hsts-implemented-max-age-at-least-six-months"


SRI_BADNESS = [
    "sri-implemented-and-all-scripts-loaded-securely",
    "sri-implemented-and-external-scripts-loaded-securely",
    "sri-implemented-but-external-scripts-not-loaded-securely",
    "sri-not-implemented-but-external-scripts-loaded-securely",
    "sri-not-implemented-and-external-scripts-not-loaded-securely",
]


def _site(host: str | None) -> str:
    # The registrable domain, approximated by the last two labels (no public suffix list).
    return ".".join((host or "").split(".")[-2:])


def sri_test(exchange: Exchange) -> str:
    if not exchange.is_html:
        return "sri-not-implemented-response-not-html"
    finder = _MetaFinder()
    finder.feed(exchange.body)
    if not finder.scripts:
        return "sri-not-implemented-but-no-scripts-loaded"
    page = urlsplit(exchange.url)
    found: list[str] = []
    foreign = False
    for script in finder.scripts:
        src = script.get("src")
        if not src:
            continue
        integrity = script.get("integrity")
        relative_protocol = src.startswith("//") and not src.startswith("///")
        full = src.startswith(("http://", "https://"))
        relative_origin = not relative_protocol and not full
        same_site = (
            relative_protocol
            or relative_origin
            or (_site(urlsplit(src).hostname) == _site(page.hostname))
        )
        secure_origin = relative_origin or (same_site and not relative_protocol)
        scheme = urlsplit(src).scheme if full else None
        secure_scheme = scheme == "https" or (relative_origin and page.scheme == "https")
        if not secure_origin:
            foreign = True
            if integrity and not secure_scheme:
                found.append("sri-implemented-but-external-scripts-not-loaded-securely")
            elif not integrity and secure_scheme:
                found.append("sri-not-implemented-but-external-scripts-loaded-securely")
            elif not integrity:
                found.append("sri-not-implemented-and-external-scripts-not-loaded-securely")
        elif integrity and secure_scheme and not found:
            found.append("sri-implemented-and-all-scripts-loaded-securely")
    if found:
        return max(found, key=SRI_BADNESS.index)
    if foreign:
        return "sri-implemented-and-external-scripts-loaded-securely"
    return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"


def xcto_test(exchange: Exchange) -> str:
    header = exchange.first("X-Content-Type-Options")
    if header is None:
        return "x-content-type-options-not-implemented"
    if header[:256].strip().lower() == "nosniff":
        return "x-content-type-options-nosniff"
    return "x-content-type-options-header-invalid"


# An RFC 8941 token, then any parameters (";report-to=...").
_SF_TOKEN = re.compile(
    r"""([A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*)"""
    r"""(?:;\s*[a-z*][a-z0-9_\-.*]*(?:=(?:[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*"""
    r"""|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|\?[01]))?)*"""
)


def structured_token(value: str) -> str | None:
    match = _SF_TOKEN.fullmatch(value.strip(" "))
    return match.group(1) if match else None


def _policy_test(exchange: Exchange, header: str, prefix: str, values: dict[str, str]) -> str:
    headers = exchange.all(header)
    if not headers:
        return f"{prefix}-not-implemented"
    if len(headers) > 1:
        return f"{prefix}-header-invalid"
    policy = structured_token(headers[0][:1024])
    return f"{prefix}-{values[policy]}" if policy in values else f"{prefix}-header-invalid"


def coep_test(exchange: Exchange) -> str:
    values = {
        "require-corp": "implemented-with-require-corp",
        "credentialless": "implemented-with-credentialless",
        "unsafe-none": "implemented-with-unsafe-none",
    }
    return _policy_test(exchange, "Cross-Origin-Embedder-Policy", "coep", values)


def coop_test(exchange: Exchange) -> str:
    values = {
        "same-origin": "implemented-with-same-origin",
        "same-origin-allow-popups": "implemented-with-same-origin-allow-popups",
        "noopener-allow-popups": "implemented-with-noopener-allow-popups",
        "unsafe-none": "implemented-with-unsafe-none",
    }
    return _policy_test(exchange, "Cross-Origin-Opener-Policy", "coop", values)


def xfo_test(exchange: Exchange) -> str:
    if _frame_ancestors(exchange):
        return "x-frame-options-implemented-via-csp"
    header = exchange.first("X-Frame-Options")
    if header is None:
        return "x-frame-options-not-implemented"
    value = header.strip().lower()
    if value in ("deny", "sameorigin"):
        return "x-frame-options-sameorigin-or-deny"
    if value.startswith("allow-from"):
        return "x-frame-options-allow-from-origin"
    return "x-frame-options-header-invalid"


def corp_test(exchange: Exchange) -> str:
    # Two headers read as one list ("same-origin, same-origin"): not a valid value.
    value = ", ".join(exchange.all("Cross-Origin-Resource-Policy"))
    if not value:
        return "corp-not-implemented"
    return {
        "same-origin": "corp-implemented-with-same-origin",
        "same-site": "corp-implemented-with-same-site",
        "cross-origin": "corp-implemented-with-cross-origin",
    }.get(value[:256].strip().lower(), "corp-header-invalid")


TESTS = {
    "content-security-policy": csp_test,
    "cookies": cookies_test,
    "cross-origin-embedder-policy": coep_test,
    "cross-origin-opener-policy": coop_test,
    "cross-origin-resource-sharing": cors_test,
    "redirection": redirection_test,
    "referrer-policy": referrer_test,
    "strict-transport-security": hsts_test,
    "subresource-integrity": sri_test,
    "x-content-type-options": xcto_test,
    "x-frame-options": xfo_test,
    "cross-origin-resource-policy": corp_test,
}


def score(exchange: Exchange) -> Score:
    """Run the twelve tests; add the bonuses only when the penalties leave 90 or more."""
    results = {name: test(exchange) for name, test in TESTS.items()}
    modifiers = [MODIFIERS[result] for result in results.values()]
    penalties_only = 100 + sum(m for m in modifiers if m < 0)
    total = 100 + sum(modifiers) if penalties_only >= MINIMUM_FOR_EXTRA_CREDIT else penalties_only
    return Score(max(total, 0), results)
