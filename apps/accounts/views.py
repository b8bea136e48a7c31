from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from . import sharing
from .decorators import patient_required
from .export import JSON_NAME, README_NAME, export_zip
from .exportfiles import FILES
from .forms import DeleteAccountForm, InviteCodeForm

# How many of the latest looks at a patient's data the sharing page lists.
AUDIT_SHOWN = 50


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
    # The page lists the files from the definitions the ZIP is made from: no query.
    context = {"files": FILES, "json_name": JSON_NAME, "readme_name": README_NAME}
    return render(request, "accounts/export.html", context)


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
        # Shown here, not after a redirect: the log-out response clears the browser's
        # cookies (Clear-Site-Data), and a flash message would go with them.
        return render(request, "accounts/deleted.html")
    return render(request, "accounts/delete.html", {"form": form})


def _sharing_page(request: HttpRequest, form: InviteCodeForm) -> HttpResponse:
    # The audit trail is the clinic's table; the reverse relation reads it without this
    # app importing the clinic (apps import only downwards).
    looks = request.user.audit_events_about.all()
    return render(
        request,
        "accounts/sharing.html",
        {
            "form": form,
            "shares": sharing.shares_for(request.user),
            "looks": looks.select_related("actor").order_by("-at", "-pk")[:AUDIT_SHOWN],
            "looks_total": looks.count(),
            "looks_shown": AUDIT_SHOWN,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@patient_required
def sharing_home(request: HttpRequest) -> HttpResponse:
    """Show the patient's shares and who looked; on POST check a code and ask to confirm."""
    form = InviteCodeForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        response = render(
            request,
            "accounts/sharing_confirm.html",
            {"invite": form.invite, "clinician": form.invite.clinician},
        )
        add_never_cache_headers(response)
        return response
    return _sharing_page(request, form)


@require_POST
@login_required
@patient_required
def sharing_confirm(request: HttpRequest) -> HttpResponse:
    """Start sharing with the code's clinician, or show why not on the sharing page."""
    form = InviteCodeForm(request.POST, request=request)
    if form.is_valid():
        try:
            link = sharing.share_start(patient=request.user, code=form.cleaned_data["code"])
        except sharing.ShareRefused as refused:
            form.add_error("code", refused.message)
        else:
            messages.success(
                request,
                f"You now share your data with {link.clinician}. You can stop at any time "
                f"on this page.",
            )
            return redirect("accounts:sharing")
    return _sharing_page(request, form)


@require_POST
@login_required
@patient_required
def sharing_revoke(request: HttpRequest, uuid: UUID) -> HttpResponse:
    link = sharing.share_revoke(patient=request.user, uuid=uuid)
    messages.success(
        request,
        f"You have stopped sharing with {link.clinician}. They can no longer see your data.",
    )
    return redirect("accounts:sharing")
