"""Invite codes: a clinician makes one, gives it to a patient, and sees what became of it."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from apps.accounts import sharing
from apps.accounts.models import InviteCode

from ..access import clinician_required

CODES_PER_PAGE = 25


def _too_many() -> str:
    return (
        f"You already have {sharing.MAX_UNUSED_CODES} unused codes. Give those out first: "
        f"each stops counting once a patient uses it or after 14 days."
    )


def _created(code: InviteCode) -> str:
    until = date_format(timezone.localtime(code.expires_at), "j F Y, H:i")
    return f"New code {code.display_code}. It works once, until {until}."


@require_http_methods(["GET", "POST"])
@clinician_required
def invite(request: HttpRequest) -> HttpResponse:
    """List the clinician's codes with what became of each; on POST make a new one.

    No audit event: the page shows the clinician's own codes and who used them, not any
    patient's health data.
    """
    created: InviteCode | None = None
    problem = ""
    if request.method == "POST":
        try:
            created = sharing.invite_create(clinician=request.user)
        except sharing.TooManyUnusedCodes:
            problem = _too_many()
        if not request.htmx:
            if created is not None:
                messages.success(request, _created(created))
            else:
                messages.error(request, problem)
            return redirect("clinic:invite")
    page = Paginator(sharing.invites_for(request.user), CODES_PER_PAGE).get_page(
        None if created else request.GET.get("page")
    )
    context = {
        "page": page,
        "created": _created(created) if created else "",
        "problem": problem,
        "unused": InviteCode.objects.filter(clinician=request.user).usable().count(),
        "max_unused": sharing.MAX_UNUSED_CODES,
    }
    template = "clinic/invite.html#codes" if request.htmx else "clinic/invite.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
