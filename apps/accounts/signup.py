"""allauth's forms as this site shows them.

The sign-up form is made to cost the same whether or not the address has an account, and
every form gets sentence-case labels. A module of its own: allauth's forms import
`apps.accounts.forms` (the extra sign-up fields), so that module cannot import them back.
"""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class PlainLabelsMixin:
    """Sentence-case labels ("Remember me", not "Remember Me"), no placeholders, and no
    "forgot password" help.

    allauth puts a "Forgot your password?" link in the help text of the password fields on the
    log-in and change-password forms; our templates already have one link under the form, and
    two links to the same place read as a mistake.
    """

    fields: dict[str, Any]
    # The fields whose help text is allauth's "forgot password" link.
    reset_help_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or "")
            if label:
                field.label = label[0].upper() + label[1:].lower()
            # allauth's placeholders repeat the label in Title Case and vanish as you type;
            # the label above the box says it once.
            field.widget.attrs.pop("placeholder", None)
            if name in self.reset_help_fields:
                field.help_text = ""


class LoginForm(PlainLabelsMixin, allauth_forms.LoginForm):
    reset_help_fields = ("password",)


class ChangePasswordForm(PlainLabelsMixin, allauth_forms.ChangePasswordForm):
    reset_help_fields = ("oldpassword",)


class SetPasswordForm(PlainLabelsMixin, allauth_forms.SetPasswordForm):
    pass


class ResetPasswordForm(PlainLabelsMixin, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(PlainLabelsMixin, allauth_forms.ResetPasswordKeyForm):
    pass


class SignupForm(PlainLabelsMixin, allauth_forms.SignupForm):
    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists:
            # A new account costs one password hash; a taken address, where allauth only
            # e-mails the owner, is made to cost the same so the answer's timing tells nothing.
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)
