from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest

from .models import Role, User


@dataclass(frozen=True)
class ConfiguredSite:
    """The site as e-mails name it (`current_site`): SITE_URL's host, not the request's."""

    domain: str
    name: str

    @classmethod
    def get(cls) -> ConfiguredSite:
        host = urlsplit(settings.SITE_URL).netloc
        return cls(domain=host, name=host)


def on_site(url: str) -> str:
    """Return `url` moved onto SITE_URL: same path and query, the configured scheme and host."""
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    return urlunsplit((site.scheme, site.netloc, parts.path, parts.query, parts.fragment))


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

    # E-mails name the site and build links that carry a key from SITE_URL, never from the
    # Host header of the request that asked for them: a forged Host would send the key to
    # another server.

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": ConfiguredSite.get()})

    def format_email_subject(self, subject: str) -> str:
        if app_settings.EMAIL_SUBJECT_PREFIX is not None:
            return super().format_email_subject(subject)
        return f"[{ConfiguredSite.get().name}] {subject}"

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return on_site(super().get_email_confirmation_url(request, emailconfirmation))
