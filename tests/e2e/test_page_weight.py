"""Page weight: each main page's first load is small, few requests, and all from this site.

Each page is loaded in a new browser context (an empty cache, as on a first visit) by the role
that uses it, with the demo's data (`seed_demo`: a patient with ten weeks of history, a
clinician with thirty patients). Every request the page makes counts, until the network is
idle; the service worker's install (after the load) is measured and reported on its own.

The live server sends files as they are on disk; production (WhiteNoise) sends the
Brotli-compressed copy that collectstatic writes next to each static file, so a static
file counts at its Brotli size (or as it is, when that is smaller, as WhiteNoise keeps only
copies that save something). HTML counts as sent: the app does not compress its pages.
The weights are printed (`-s`) for docs/performance.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import brotli
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Request
from playwright.sync_api import Error as PlaywrightError

from apps.accounts.models import User
from apps.exercises.models import Exercise
from tests.e2e.conftest import PageGuard

BUDGET_BYTES = 100 * 1024
BUDGET_REQUESTS = 10

# (what, role, URL name, kwargs): the pages people land on and use most.
PAGES = [
    ("home", None, "home", {}),
    ("library", None, "exercises:library", {}),
    ("exercise", None, "exercises:detail", "exercise"),
    ("screening", None, "screening:start", {}),
    ("checklist", None, "checklist:start", {}),
    ("today", "patient@example.com", "home", {}),
    ("plan", "patient@example.com", "progress:plan", {}),
    ("progress", "patient@example.com", "progress:home", {}),
    ("log", "patient@example.com", "progress:log", {}),
    ("check-in", "patient@example.com", "progress:check_in", {}),
    ("clinic", "clinician@example.com", "clinic:dashboard", {}),
    ("review", "clinician@example.com", "clinic:review", "patient"),
]


def compressed(body: bytes) -> int:
    """The Brotli size of a body, or its own size when that is smaller (images, fonts)."""
    return min(len(body), len(brotli.compress(body, quality=5)))


@dataclass(frozen=True)
class Sent:
    url: str
    raw: int
    compressed: int
    by_worker: bool  # fetched by the service worker as it installs, after the page loaded


def load(
    browser: Browser, base_url: str, url: str, cookie: str | None, worker: bool
) -> tuple[list, PageGuard]:
    """Load `url` in a fresh context; return what every request sent, and the page's guard.

    The service worker installs the same way from any page, so it is measured on the first
    page only and blocked on the others (its install takes as long as the page load).
    """
    context = browser.new_context(base_url=base_url, service_workers="allow" if worker else "block")
    if cookie:
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
        )
    sent: list[Sent] = []

    def finished(request: Request) -> None:
        try:
            response = request.response()
            body = response.body() if response and response.status not in (204, 301, 302) else b""
        except PlaywrightError:
            return  # Finished as the context closed, after the page had loaded and was measured.
        by_worker = request.service_worker is not None
        sent.append(Sent(request.url, len(body), compressed(body), by_worker))

    context.on("requestfinished", finished)
    context.on(
        "requestfailed",
        lambda request: sent.append(Sent(request.url, 0, 0, request.service_worker is not None)),
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    guard = PageGuard(page)
    page.goto(url, wait_until="networkidle")
    return sent, guard


@pytest.fixture
def demo(demo_data) -> dict[str, str]:
    return {
        "exercise": reverse(
            "exercises:detail", kwargs={"slug": Exercise.objects.order_by("slug")[0].slug}
        ),
        "patient": reverse(
            "clinic:review",
            kwargs={
                "uuid": User.objects.get(email="patient@example.com").uuid,
            },
        ),
    }


def session_cookie(email: str | None) -> str | None:
    if email is None:
        return None
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_each_main_page_loads_in_100_kb_and_10_requests_from_this_site(
    browser: Browser, live_server, demo
):
    problems, report = [], []
    cookies: dict[str | None, str | None] = {}
    for what, role, name, kwargs in PAGES:
        url = demo[kwargs] if isinstance(kwargs, str) else reverse(name, kwargs=kwargs)
        if role not in cookies:
            cookies[role] = session_cookie(role)
        sent, guard = load(browser, live_server.url, url, cookies[role], worker=not report)
        try:
            assert urlsplit(guard.page.url).path == url, f"{what}: ended at {guard.page.url}"
            guard.axe()
            guard.finish()
        finally:
            guard.page.context.close()
        own = [s for s in sent if not s.by_worker]
        worker = [s for s in sent if s.by_worker]
        total = sum(s.compressed for s in own)
        installed = f"worker {len(worker)}, {sum(s.compressed for s in worker) / 1024:.1f} KB"
        report.append(
            f"| {what} | `{url}` | {len(own)} | {total / 1024:.1f} KB"
            f" | {sum(s.raw for s in own) / 1024:.1f} KB |" + (f" {installed} |" if worker else "")
        )
        foreign = sorted({s.url for s in sent if not s.url.startswith(live_server.url)})
        if foreign:
            problems.append(f"{what}: third-party requests {foreign}")
        if total > BUDGET_BYTES:
            listed = ", ".join(f"{urlsplit(s.url).path} {s.compressed}" for s in own)
            problems.append(f"{what}: {total / 1024:.1f} KB > 100 KB: {listed}")
        if len(own) > BUDGET_REQUESTS:
            listed = ", ".join(urlsplit(s.url).path for s in own)
            problems.append(f"{what}: {len(own)} requests > {BUDGET_REQUESTS}: {listed}")
    print("\n" + "\n".join(report))
    assert not problems, "\n".join(problems) + "\n\n" + "\n".join(report)
