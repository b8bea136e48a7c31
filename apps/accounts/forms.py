from __future__ import annotations

from allauth.core import ratelimit
from django import forms
from django.http import HttpRequest

from .models import User


class SignupForm(forms.Form):
    """Extra sign-up fields; allauth adds e-mail and password around them."""

    display_name = forms.CharField(
        label="Your name (optional)",
        max_length=80,
        required=False,
        help_text="How the app greets you. Clinicians you share with see it too.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.save(update_fields=["display_name"])


class DeleteAccountForm(forms.Form):
    """Ask for the password and an explicit yes before an account is erased."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label="I understand this cannot be undone",
        error_messages={"required": "Tick this box to confirm that you want to delete everything."},
    )

    def __init__(self, *args: object, request: HttpRequest, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        # A stolen session must not be able to guess its way to an erasure: allauth's
        # "reauthenticate" limit (10 a minute per user) applies here as on its own forms.
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.request.user):
            raise forms.ValidationError("Too many attempts. Wait a minute, then try again.")
        if not self.request.user.check_password(password):
            raise forms.ValidationError("That is not your password. Please try again.")
        return password
