from __future__ import annotations

from html.parser import HTMLParser

import pytest

EXPECTED_CSP = {
    "default-src": "'none'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "manifest-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    return directives


class InlineFinder(HTMLParser):
    """Collect inline scripts, inline styles and script nonces in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.nonces: set[str] = set()
        self._in_script_without_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.problems.append(f"style attribute on <{tag}>")
        if any(name.startswith("hx-on") for name in attributes):
            self.problems.append(f"hx-on on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self.nonces.add(attributes.get("nonce") or "")
            self._in_script_without_src = "src" not in attributes

    def handle_data(self, data: str) -> None:
        if self._in_script_without_src and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script_without_src = False


def assert_strict_headers(response) -> None:
    csp = parse_csp(response["Content-Security-Policy"])
    for directive, value in EXPECTED_CSP.items():
        assert csp[directive] == value, directive
    script_src = csp["script-src"].split()
    assert script_src[0] == "'self'"
    assert len(script_src) == 2 and script_src[1].startswith("'nonce-")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"

    finder = InlineFinder()
    finder.feed(response.content.decode())
    assert finder.problems == []
    nonce = script_src[1].removeprefix("'nonce-").removesuffix("'")
    assert finder.nonces == {nonce}, "every script carries this response's nonce"


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/accounts/signup/"])
def test_public_pages_send_strict_headers(client, db, url):
    response = client.get(url)

    assert response.status_code == 200
    assert_strict_headers(response)


def test_public_pages_stay_cacheable_for_guests(client, db):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_signed_in_pages_are_never_stored(patient_client):
    for url in ["/account/", "/"]:
        response = patient_client.get(url)

        assert response.status_code == 200
        assert_strict_headers(response)
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_hsts_is_sent_over_https_in_production(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_htmx_ships_from_our_own_static_files(client, db):
    body = client.get("/").content.decode()

    assert "/static/django_htmx/htmx-2.min.js" in body
    assert '"allowEval":false' in body
    assert '"includeIndicatorStyles":false' in body
    assert "http://" not in body.split("<body")[0] and "https://" not in body.split("<body")[0]
