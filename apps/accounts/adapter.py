from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from .models import Role, User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        # Sign-up only ever makes patients: the clinician role is granted by staff.
        user.role = Role.PATIENT
        return super().save_user(request, user, form, commit=commit)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys the per-account lockout on the request's Host header, so another
        # Host or port would start a fresh count: pin the site to the configured address.
        site = urlsplit(settings.SITE_URL).netloc
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"{site}:{login}"
