"""Sign in to the running app as bench/run.sh's users and print what wrk needs, as shell lines.

Through the real forms over HTTP (the clinician with an authenticator code), so the sessions
are exactly a browser's. Prints PATIENT_COOKIE, CLINICIAN_COOKIE, SCREENING_STEP (a started
screening's first question) and CHECKIN_BODY (a valid check-in form, CSRF token included).
Usage: session.py BASE_URL PATIENT_EMAIL CLINICIAN_EMAIL PASSWORD TOTP_SECRET
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.cookiejar
import shlex
import sys
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser


def totp(secret: str) -> str:
    """The code an authenticator app shows now (RFC 6238: SHA-1, 30 s, 6 digits)."""
    key = base64.b32decode(secret)
    digest = hmac.new(key, (int(time.time()) // 30).to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{int.from_bytes(digest[offset : offset + 4], 'big') & 0x7FFFFFFF:010d}"[-6:]


class Form(HTMLParser):
    """The fields of the first <form method=post> that has a field named `marker`."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker, self.fields, self.current, self.found = marker, [], None, None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and self.found is None:
            self.current = []
        elif self.current is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox"):
                # "No" where a group offers it (a check-in's re-check questions: no red flag,
                # or the post would lead to care advice), else its first choice.
                if kind == "radio" and a["name"] not in {n for n, _ in self.current}:
                    self.current.append((a["name"], a.get("value", "")))
                elif kind == "radio" and a.get("value") == "no":
                    self.current = [(n, "no" if n == a["name"] else v) for n, v in self.current]
            elif kind != "submit":
                value = a.get("value") or ("3" if kind == "number" else "")
                self.current.append((a["name"], value))
        elif self.current is not None and tag == "select":
            self.select = a.get("name")
        elif self.current is not None and tag == "option" and self.select:
            if self.select not in {n for n, _ in self.current}:
                self.current.append((self.select, a.get("value", "")))
        elif self.current is not None and tag == "textarea":
            self.current.append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        if tag == "form" and self.current is not None:
            if any(name == self.marker for name, _ in self.current):
                self.found = self.current
            self.current = None


class Client:
    def __init__(self, base: str) -> None:
        self.base, self.jar = base, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def form(self, path: str, marker: str) -> list[tuple[str, str]]:
        url, html = self.get(path)
        parser = Form(marker)
        parser.feed(html)
        if parser.found is None:
            sys.exit(f"session.py: no form with {marker!r} at {url}")
        return parser.found

    def post(self, path: str, fields: list[tuple[str, str]]) -> tuple[str, str]:
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + path, data=data, timeout=60) as response:
            return response.geturl(), response.read().decode()

    def log_in(self, email: str, password: str, secret: str | None = None) -> None:
        fields = dict(self.form("/accounts/login/", "password"))
        fields.update(login=email, password=password)
        url, _ = self.post("/accounts/login/", list(fields.items()))
        if "/2fa/" in url:
            path = urllib.parse.urlsplit(url).path
            code = totp(secret)
            fields = dict(self.form(path, "code"))
            fields["code"] = code
            url, _ = self.post(path, list(fields.items()))
        if "/accounts/" in url:
            sys.exit(f"session.py: {email} did not get in (ended at {url})")

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def main(base: str, patient_email: str, clinician_email: str, password: str, secret: str) -> None:
    patient = Client(base)
    patient.log_in(patient_email, password)
    # A screening started, as a person on its first question: the step URL is signed.
    start = dict(patient.form("/screening/", "csrfmiddlewaretoken"))
    step_url, _ = patient.post("/screening/new/", list(start.items()))
    check_in = patient.form("/progress/check-in/", "pain_average")
    url, _ = patient.post("/progress/check-in/", check_in)
    if not url.endswith("/progress/"):
        sys.exit(f"session.py: the check-in form was not accepted (ended at {url})")
    clinician = Client(base)
    clinician.log_in(clinician_email, password, secret)
    lines = {
        "PATIENT_COOKIE": patient.cookie(),
        "CLINICIAN_COOKIE": clinician.cookie(),
        "SCREENING_STEP": urllib.parse.urlsplit(step_url).path,
        "CHECKIN_BODY": urllib.parse.urlencode(check_in),
    }
    for name, value in lines.items():
        print(f"{name}={shlex.quote(value)}")


if __name__ == "__main__":
    main(*sys.argv[1:6])
