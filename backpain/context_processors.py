from __future__ import annotations

from django.http import HttpRequest


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """Expose django-csp's nonce as `csp_nonce`, the name django-htmx's tags read."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
