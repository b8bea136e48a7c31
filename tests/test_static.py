"""The production static path: collectstatic with the real storage, as `make run` runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import django_htmx
import pytest
from django.core.management import call_command
from django.test import override_settings

from backpain.settings import STORAGES as REAL_STORAGES

ROOT = Path(__file__).resolve().parent.parent
OWN_FILES = sorted(
    str(path.relative_to(ROOT / "static"))
    for pattern in ("css/*.css", "js/*.js")
    for path in (ROOT / "static").glob(pattern)
)
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js)$")
IMPORT = re.compile(r"""(?:\bfrom|\bimport)\s*\(?\s*["'](\.[^"']+)["']""")


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """Collect every installed app's files once with the storage production uses."""
    root = tmp_path_factory.mktemp("static_root")
    with override_settings(STATIC_ROOT=root, STORAGES=REAL_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((root / "staticfiles.json").read_text())["paths"]
    return root, manifest


def test_our_css_and_js_are_in_the_manifest_with_hashed_names(collected):
    root, manifest = collected

    assert OWN_FILES, "no css/js found under static/"
    for name in OWN_FILES:
        assert HASHED.search(manifest[name]), manifest[name]
        assert (root / manifest[name]).is_file()


def test_every_collected_file_of_ours_has_gzip_and_brotli_variants(collected):
    root, manifest = collected

    for name in OWN_FILES:
        for suffix in (".gz", ".br"):
            assert (root / (manifest[name] + suffix)).is_file(), manifest[name] + suffix


def test_imports_in_our_hashed_modules_point_at_hashed_files_that_exist(collected):
    root, manifest = collected
    imports = []

    for name in OWN_FILES:
        if not name.endswith(".js"):
            continue
        hashed = root / manifest[name]
        for target in IMPORT.findall(hashed.read_text()):
            imports.append(target)
            assert HASHED.search(target), f"{manifest[name]} imports unhashed {target}"
            assert (hashed.parent / target).resolve().is_file(), f"{target} is missing"

    # routine.js imports timer.js: without it this test would check nothing.
    assert imports


def test_third_party_files_are_collected_but_not_rewritten(collected):
    root, manifest = collected
    htmx_ext = "django_htmx/ext/hx-sse-2.js"
    source = Path(django_htmx.__file__).parent / "static" / htmx_ext

    assert (root / manifest[htmx_ext]).read_text() == source.read_text()


def test_hashed_files_are_cached_for_a_year_and_sent_compressed(collected):
    """What production sends: WhiteNoise serves the collected files (the middleware reads
    STATIC_ROOT when it starts, so each client here is a new one)."""
    from django.test import Client

    root, manifest = collected
    with override_settings(STATIC_ROOT=root, STORAGES=REAL_STORAGES):
        client = Client()
        for name in ("css/app.css", "js/app.js", "django_htmx/htmx-2.min.js"):
            response = client.get(f"/static/{manifest[name]}", HTTP_ACCEPT_ENCODING="br, gzip")
            assert response.status_code == 200, name
            assert response["Cache-Control"] == "max-age=31536000, public, immutable", name
            assert response["Content-Encoding"] == "br", name
        # The same file under its plain name may change with the next release.
        plain = client.get("/static/css/app.css")
        assert plain.status_code == 200
        assert "immutable" not in plain["Cache-Control"]
