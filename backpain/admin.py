"""Django's admin, open only to staff who have set up two-factor authentication.

The admin shows patient data, so it gets the same second step as the clinic. It has no
password form of its own: its login page sends people to allauth's, where the login limits,
the lockout and the second step apply.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode


def _mfa_enabled(user: Any) -> bool:
    # Imported here: allauth's models are not loaded yet when this module is.
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and _mfa_enabled(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Send people to allauth's login: this page never checks a password itself."""
        index = reverse("admin:index", current_app=self.name)
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = index
        user = request.user
        if not user.is_authenticated:
            query = urlencode({REDIRECT_FIELD_NAME: target})
            return redirect(f"{reverse('account_login')}?{query}")
        if self.has_permission(request):
            return redirect(target)
        if user.is_active and user.is_staff and not _mfa_enabled(user):
            query = urlencode({REDIRECT_FIELD_NAME: index})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        # Signed in without the right to be here: allauth would send them straight back.
        raise PermissionDenied


class AdminConfig(DjangoAdminConfig):
    default_site = "backpain.admin.AdminSite"
