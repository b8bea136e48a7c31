"""allauth's sign-up form, made to cost the same whether or not the address has an account.

A module of its own: allauth's forms import `apps.accounts.forms` (the extra sign-up fields),
so that module cannot import them back.
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class SignupForm(AllauthSignupForm):
    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists:
            # A new account costs one password hash; a taken address, where allauth only
            # e-mails the owner, is made to cost the same so the answer's timing tells nothing.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)
