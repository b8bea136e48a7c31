"""The manifest, the service worker's script, the offline pages and the care-gate header."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from apps.screening.triage import Urgency
from backpain.pwa import worker_version
from tests.exercises.helpers import guest_screening
from tests.screening.factories import ScreeningFactory
from tests.test_security_headers import parse_csp

ROOT = Path(__file__).resolve().parent.parent
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Read width and height from the IHDR chunk, which a valid PNG has first."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def static_path(url: str) -> Path:
    found = finders.find(url.removeprefix("/static/"))
    assert found, f"{url} is not a static file"
    return Path(found)


@pytest.fixture
def manifest(client, db) -> dict:
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    return json.loads(response.content)


def test_the_manifest_makes_the_site_an_installable_app(manifest):
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"] == "backpain"
    palette = (ROOT / "static" / "css" / "app.css").read_text()
    assert f"--brand-dark: {manifest['theme_color']};" in palette
    assert f"--paper: {manifest['background_color']};" in palette


def test_every_icon_in_the_manifest_exists_at_its_stated_size(manifest):
    icons = manifest["icons"]
    pngs = [icon for icon in icons if icon["type"] == "image/png"]

    assert {icon["sizes"] for icon in pngs} >= {"192x192", "512x512"}
    assert any("maskable" in icon["purpose"] for icon in pngs)
    assert any(icon["type"] == "image/svg+xml" for icon in icons)
    for icon in pngs:
        width, height = png_size(static_path(icon["src"]))
        assert f"{width}x{height}" == icon["sizes"], icon["src"]
    for icon in icons:
        if icon["type"] == "image/svg+xml":
            assert static_path(icon["src"]).read_text().startswith("<svg")


def test_the_apple_touch_icon_is_a_square_png(client, db):
    body = client.get("/").content.decode()
    assert '<link rel="apple-touch-icon" href="/static/img/apple-touch-icon.png">' in body
    assert png_size(static_path("/static/img/apple-touch-icon.png")) == (180, 180)


def test_every_page_links_the_manifest_theme_colour_and_the_worker(client, db):
    head = client.get("/").content.decode().split("</head>")[0]

    assert '<link rel="manifest" href="/manifest.webmanifest">' in head
    assert '<meta name="theme-color" content="#083f53">' in head
    assert 'src="/static/js/sw-register.js"' in head


def test_the_worker_is_served_from_the_root_as_javascript_that_is_never_stale(client, db):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    source = Path(finders.find("js/sw.js")).read_text()
    first, rest = response.content.decode().split("\n", 1)
    assert rest == source
    config = json.loads(first.removeprefix("const CONFIG = ").removesuffix(";"))
    assert config == {
        "version": worker_version(source),
        "offlineUrl": "/offline/",
        "savedUrl": "/offline/saved/",
        "logUrl": "/progress/log/",
        "staticUrl": "/static/",
    }


def test_the_worker_stays_no_cache_for_a_signed_in_person(patient_client):
    response = patient_client.get("/sw.js")

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]


def test_the_cache_version_follows_the_worker_and_the_static_files(monkeypatch):
    from django.contrib.staticfiles.storage import staticfiles_storage

    assert worker_version("a") != worker_version("b")
    assert len(worker_version("a")) == 12
    before = worker_version("a")
    monkeypatch.setattr(staticfiles_storage, "manifest_hash", "0123abcd", raising=False)
    assert worker_version("a") != before


def test_the_csp_lets_pages_start_the_worker_and_read_the_manifest(client, db):
    for url in ["/", "/sw.js", "/manifest.webmanifest"]:
        csp = parse_csp(client.get(url)["Content-Security-Policy"])
        assert csp["worker-src"] == "'self'"
        assert csp["manifest-src"] == "'self'"
        # The worker's own fetches (pages, static files, the log) are same-origin.
        assert csp["connect-src"] == "'self'"


def test_the_worker_has_no_module_imports_for_collectstatic_to_rewrite():
    source = Path(finders.find("js/sw.js")).read_text()

    assert "import " not in source and "import(" not in source and "importScripts" not in source


@pytest.mark.parametrize(
    ("url", "heading"),
    [("/offline/", "You are offline"), ("/offline/saved/", "Saved on this device")],
)
def test_the_offline_pages_need_no_account(client, db, url, heading):
    response = client.get(url)

    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.content.decode()


def test_the_saved_page_says_the_session_will_be_sent(client, db):
    body = client.get("/offline/saved/").content.decode()

    assert "Saved on this device; it will be sent when you are back online." in body


def test_a_signed_in_page_carries_an_opaque_account_mark(patient_client, patient, other_patient):
    body = patient_client.get("/progress/").content.decode()
    mark = body.split('<meta name="backpain-account" content="', 1)[1].split('"', 1)[0]

    assert len(mark) == 24
    assert str(patient.pk) != mark and patient.email not in mark
    other = patient_client.__class__()
    other.force_login(other_patient)
    assert mark not in other.get("/progress/").content.decode()


def test_an_anonymous_page_has_no_account_mark(client, db):
    assert "backpain-account" not in client.get("/exercises/").content.decode()


# The care gate, as the service worker reads it.


@pytest.mark.parametrize(
    "url", ["/exercises/", "/exercises/side-plank/", "/exercises/routine/?items=side-plank"]
)
def test_exercise_pages_say_the_gate_is_open(patient_client, content, url):
    assert patient_client.get(url)["X-Care-Gate"] == "open"


@pytest.mark.parametrize(
    "url", ["/exercises/", "/exercises/side-plank/", "/exercises/routine/?items=side-plank"]
)
def test_exercise_pages_say_the_gate_is_closed_for_an_unconfirmed_emergency(
    patient_client, patient, content, url
):
    ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)

    assert patient_client.get(url)["X-Care-Gate"] == "closed"


def test_a_guests_gate_is_marked_too(client, content):
    guest_screening(client, urgency=Urgency.EMERGENCY)

    assert client.get("/exercises/side-plank/")["X-Care-Gate"] == "closed"


def test_the_emergency_result_closes_the_gate_at_once(patient_client, patient):
    screening = ScreeningFactory(user=patient, urgency=Urgency.EMERGENCY)

    assert patient_client.get(screening.get_absolute_url())["X-Care-Gate"] == "closed"


def test_pages_that_do_not_ask_about_the_gate_say_nothing(client, db):
    assert "X-Care-Gate" not in client.get("/")
    assert "X-Care-Gate" not in client.get("/offline/")


def test_the_library_says_what_works_offline(client, content):
    body = client.get("/exercises/").content.decode()

    assert "without a connection" in body
