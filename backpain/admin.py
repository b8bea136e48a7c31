"""Django's admin, open only to staff who have set up two-factor authentication.

The admin shows patient data, so it gets the same second step as the clinic.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode


def _mfa_enabled(user: Any) -> bool:
    # Imported here: allauth's models are not loaded yet when this module is.
    from allauth.mfa.utils import is_mfa_enabled

    return is_mfa_enabled(user)


class AdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and _mfa_enabled(request.user)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        user = request.user
        if user.is_active and user.is_staff and not _mfa_enabled(user):
            query = urlencode({"next": reverse("admin:index", current_app=self.name)})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return super().login(request, extra_context)


class AdminConfig(DjangoAdminConfig):
    default_site = "backpain.admin.AdminSite"
