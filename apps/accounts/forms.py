from __future__ import annotations

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
