from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_safe

from .export import JSON_NAME, export_zip
from .forms import DeleteAccountForm
from .owndata import collect


@require_safe
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/overview.html")


@require_http_methods(["GET", "POST"])
@login_required
def export(request: HttpRequest) -> HttpResponse:
    """Explain the export on GET; send the ZIP on POST.

    A POST with a CSRF token, not a link, so another site cannot make a signed-in
    browser fetch the file (or start a download it did not ask for).
    """
    if request.method == "POST":
        response = HttpResponse(export_zip(request.user), content_type="application/zip")
        day = timezone.localdate().isoformat()
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"backpain-data-{day}.zip"
        )
        add_never_cache_headers(response)
        return response
    # collect() only builds lazy QuerySets: listing the tables runs no query.
    files = [f"{label}.csv" for label in collect(request.user)]
    return render(request, "accounts/export.html", {"json_name": JSON_NAME, "files": files})


@require_http_methods(["GET", "POST"])
@login_required
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        # The database cascades to every row that belongs to the person and empties the
        # references others' rows hold (Plan.author). Sessions on other devices end too:
        # they name a user who no longer exists, so Django treats them as anonymous.
        request.user.delete()
        logout(request)
        messages.success(request, "Your account and everything in it have been deleted.")
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})
