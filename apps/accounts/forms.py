from __future__ import annotations

from allauth.core import ratelimit
from django import forms
from django.http import HttpRequest
from django.utils import timezone

from . import sharing
from .models import InviteCode, User, normalise_invite_code


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


class InviteCodeForm(forms.Form):
    """A clinician's invite code as a patient types it: any case, with spaces or dashes.

    Every check a guesser could learn from is limited: after too many wrong codes even the
    right one is refused until the hour has passed.
    """

    code = forms.CharField(
        label="Invite code",
        # Room for "abcd - ef23" typed loosely; the code itself is 8 characters.
        max_length=24,
        help_text="The 8 letters and numbers your clinician gave you, like ABCD-EF23.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args: object, request: HttpRequest, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.invite: InviteCode | None = None

    def clean_code(self) -> str:
        code = normalise_invite_code(self.cleaned_data["code"])
        blocked_until = sharing.guessing_blocked_until(self.request)
        if blocked_until is not None:
            at = timezone.localtime(blocked_until)
            raise forms.ValidationError(
                f"Too many codes that did not work. To keep your account safe, try again "
                f"after {at:%H:%M}.",
                code="rate_limited",
            )
        if problem := sharing.code_format_error(code):
            raise forms.ValidationError(problem, code="format")
        try:
            self.invite = sharing.invite_check(code=code, patient=self.request.user)
        except sharing.ShareRefused as refused:
            if refused.wrong_guess:
                sharing.wrong_guess_record(self.request)
            raise forms.ValidationError(refused.message, code="refused") from None
        return code
