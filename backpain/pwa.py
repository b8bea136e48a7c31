"""What makes backpain installable and usable offline: the manifest, the service worker and
the two pages the worker shows when the network is down.

static/js/sw.js says what the worker caches (never a page fetched with someone's cookies) and
how sessions logged offline are sent later; static/js/sw-register.js installs it.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.signing import salted_hmac
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import PrefixNode, static
from django.urls import reverse
from django.views.decorators.http import require_safe

WORKER = "js/sw.js"
# From static/css/app.css: --brand-dark (the icon's background) and --paper.
THEME_COLOUR = "#083f53"
BACKGROUND_COLOUR = "#ffffff"
# (file under static/, size, purpose)
ICONS = (
    ("img/icon.svg", "any", "any"),
    ("img/icon-192.png", "192x192", "any"),
    ("img/icon-512.png", "512x512", "any"),
    ("img/icon-maskable-512.png", "512x512", "maskable"),
)


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest, with the icons' hashed URLs."""
    data = {
        "name": "backpain: back pain self-care",
        "short_name": "backpain",
        "description": "Movement education, exercises with a timer, and a log of your sessions.",
        "lang": "en-GB",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {
                "src": static(name),
                "sizes": sizes,
                "type": "image/svg+xml" if name.endswith(".svg") else "image/png",
                "purpose": purpose,
            }
            for name, sizes, purpose in ICONS
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """static/js/sw.js from the site's root, so its scope is the whole site.

    A first line gives it its settings: the cache version changes whenever the worker or
    any collected static file does, and the new worker then deletes the old caches.
    `no-cache` makes browsers check for a new worker on every visit.
    """
    source = _worker_source()
    config = {
        "version": worker_version(source),
        "offlineUrl": reverse("offline"),
        "savedUrl": reverse("offline_saved"),
        "logUrl": reverse("progress:log"),
        "staticUrl": PrefixNode.handle_simple("STATIC_URL"),
    }
    body = f"const CONFIG = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


def _worker_source() -> str:
    path = finders.find(WORKER)
    if path:
        with open(path, encoding="utf-8") as file:
            return file.read()
    with staticfiles_storage.open(WORKER) as file:
        return file.read().decode()


def worker_version(source: str) -> str:
    """Return a short hash of the worker and of the static files' manifest (when there is one)."""
    digest = hashlib.sha256(source.encode())
    # ManifestStaticFilesStorage's hash of staticfiles.json; plain storage has none.
    digest.update(getattr(staticfiles_storage, "manifest_hash", "").encode())
    return digest.hexdigest()[:12]


@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """The page the worker shows for a page it has no copy of while the network is down."""
    return render(request, "offline/offline.html")


@require_safe
def offline_saved(request: HttpRequest) -> HttpResponse:
    """The page the worker shows after keeping a session log that could not be sent."""
    return render(request, "offline/saved.html")


def device_account(request: HttpRequest) -> dict[str, str | bool]:
    """Context processor: an opaque mark of who is signed in, for the service worker.

    The worker tags a session kept offline with it and sends the session only while the same
    account is signed in, so on a shared device it never lands in someone else's log.
    `device_patient` says the mark is a patient's: static/js/sw-register.js then remembers it,
    so the routine player's offline copy can offer the one-tap log (a clinician's is not kept).
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"device_account": "", "device_patient": False}
    mark = salted_hmac("backpain.pwa.device_account", str(user.pk), algorithm="sha256")
    return {"device_account": mark.hexdigest()[:24], "device_patient": bool(user.is_patient)}
