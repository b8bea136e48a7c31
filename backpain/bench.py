"""A bare Django page for bench/run.sh: the yardstick every real page is measured against.

It renders a tiny template through the full middleware stack and the context processors, and
touches no model of ours, so a page's ratio to it shows what the page itself costs. The URL
exists only when BENCH_BARE_VIEW=true (backpain/urls.py): production never serves it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.views.decorators.http import require_safe

# From a string, not templates/: nothing here is part of the product.
_TEMPLATE = engines["django"].from_string(
    '<!doctype html><html lang="en"><title>bench</title><p>Hello, {{ name }}.</p></html>'
)


@require_safe
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_TEMPLATE.render({"name": "bench"}, request))
