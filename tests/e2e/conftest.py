"""Browser journeys: Playwright drives Debian's Chromium against the live server.

Every page a test loads must get an axe check (`axe()`), and no page may log a
Content Security Policy violation; both are enforced when the test ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            # The live server runs in another thread, so data must be committed.
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


class PageGuard:
    """Record what a page loads and logs, and run axe on demand.

    With JavaScript off, axe cannot run in the page itself (its timers never fire), so
    `checker` names a JavaScript-enabled page that loads the same URL with the same
    cookies, and axe runs there on the same server output.
    """

    def __init__(self, page: Page, checker: PageGuard | None = None) -> None:
        self.page = page
        self.checker = checker
        self.loaded: list[str] = []
        self.checked: set[str] = set()
        self.csp_errors: list[str] = []
        page.add_init_script(AXE_SOURCE)  # Injected by the driver, so the page's CSP stays strict.
        page.on("load", lambda p: self.loaded.append(urldefrag(p.url).url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.csp_errors.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_errors.append(message.text)

    def axe(self) -> None:
        self.page.wait_for_load_state("load")
        if self.checker is not None:
            self.checker.page.context.clear_cookies()
            self.checker.page.context.add_cookies(self.page.context.cookies())
            self.checker.page.goto(self.page.url)
            self.checker.axe()
            self.checked.add(urldefrag(self.page.url).url)
            return
        # axe leaves empty style="" attributes behind; htmx would copy them onto swapped
        # content, which the strict CSP reports. Remove them so only the app's markup counts.
        results = self.page.evaluate(
            """async tags => {
                // Only violations are read; axe skips gathering details of passes (much faster).
                const results = await axe.run(document, {
                    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                });
                document.querySelectorAll('[style=""]').forEach(el => el.removeAttribute('style'));
                return results;
            }""",
            AXE_TAGS,
        )
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
            for v in results["violations"]
        ]
        assert not problems, f"axe on {self.page.url}:\n" + "\n".join(problems)
        self.checked.add(urldefrag(self.page.url).url)

    def axe_in_both_schemes(self) -> None:
        """Run axe with the page in dark and then light colours (contrast differs), leaving
        it light. A failure names the scheme it happened in."""
        page = self.checker.page if self.checker is not None else self.page
        try:
            for scheme in ("dark", "light"):
                page.emulate_media(color_scheme=scheme)
                try:
                    self.axe()
                except AssertionError as error:
                    raise AssertionError(f"[{scheme}] {error}") from None
        finally:
            page.emulate_media(color_scheme="light")

    def finish(self) -> None:
        unchecked = sorted(set(self.loaded) - self.checked)
        assert not unchecked, f"pages loaded without an axe check: {unchecked}"
        assert not self.csp_errors, "CSP violations or page errors:\n" + "\n".join(self.csp_errors)


@pytest.fixture(autouse=True)
def _content(content) -> None:
    """Every journey starts from the content `make run` loads (flushed after each test)."""


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(10_000)
    return page


@pytest.fixture(autouse=True)
def guard(page: Page) -> Iterator[PageGuard]:
    guard = PageGuard(page)
    yield guard
    guard.finish()


@pytest.fixture
def axe(guard: PageGuard) -> Callable[[], None]:
    return guard.axe


@pytest.fixture
def nojs(browser: Browser, live_server, guard: PageGuard) -> Iterator[tuple[Page, PageGuard]]:
    """A page with JavaScript off, and its guard (axe runs in the JS-enabled `page`)."""
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    nojs_page = context.new_page()
    nojs_page.set_default_timeout(10_000)
    nojs_guard = PageGuard(nojs_page, checker=guard)
    yield nojs_page, nojs_guard
    try:
        nojs_guard.finish()
    finally:
        context.close()
