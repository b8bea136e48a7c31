from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from .models import Role, User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        # Sign-up only ever makes patients: the clinician role is granted by staff.
        user.role = Role.PATIENT
        return super().save_user(request, user, form, commit=commit)
