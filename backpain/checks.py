"""Deploy checks for what Django's own cannot know: where e-mails and their links go, and
that passwords are hashed at full cost.

Registered from apps.accounts.apps; run with `manage.py check --deploy`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.checks import CheckMessage, Error, Tags, register
from django.http.request import split_domain_port, validate_host

NOT_CONFIGURED = "backpain.mail.NotConfiguredEmailBackend"
# Backends that keep e-mails on the server, where others than the recipient read them.
LOGGING_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


@register(Tags.security, deploy=True)
def check_email_backend(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    if settings.EMAIL_BACKEND == NOT_CONFIGURED:
        return [
            Error(
                "EMAIL_BACKEND is not set, so no e-mail is sent: password resets, "
                "reminders and alerts are lost.",
                hint="Set EMAIL_BACKEND and EMAIL_HOST, EMAIL_PORT, ... (README, Production).",
                id="backpain.E001",
            )
        ]
    if settings.EMAIL_BACKEND in LOGGING_BACKENDS:
        return [
            Error(
                f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: e-mails are kept on this server "
                "instead of delivered, whole, password-reset links included (the console "
                "backend writes them into the server's log).",
                hint="Use a backend that delivers mail, such as "
                "django.core.mail.backends.smtp.EmailBackend (README, Production).",
                id="backpain.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_site_url(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """Links in e-mails (reset links among them) are built from SITE_URL, not the request."""
    if settings.DEBUG:
        return []
    url = urlsplit(settings.SITE_URL)
    host, _ = split_domain_port(url.netloc)
    problems = []
    if not host or not validate_host(host, settings.ALLOWED_HOSTS):
        problems.append(f"its host is not one of ALLOWED_HOSTS ({settings.SITE_URL})")
    if settings.SECURE_SSL_REDIRECT and url.scheme != "https":
        problems.append("it is not https while HTTPS is on")
    if not problems:
        return []
    return [
        Error(
            f"SITE_URL cannot be where this site is served: {'; '.join(problems)}.",
            hint="Set SITE_URL to the public address, e.g. https://backpain.example.org.",
            id="backpain.E003",
        )
    ]


@register(Tags.security, deploy=True)
def check_argon2_cost(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """The test suite hashes with a cheap Argon2; production never may."""
    if settings.DEBUG:
        return []
    cheap = [
        f"{name}={getattr(settings, name)} (at least {getattr(Argon2PasswordHasher, attr)})"
        for name, attr in (("ARGON2_TIME_COST", "time_cost"), ("ARGON2_MEMORY_COST", "memory_cost"))
        if getattr(settings, name) < getattr(Argon2PasswordHasher, attr)
    ]
    if cheap:
        return [
            Error(
                "Passwords are hashed with a cheaper Argon2 than Django's defaults: "
                + ", ".join(cheap)
                + ". Those settings are for the test suite only.",
                hint="Unset ARGON2_TIME_COST and ARGON2_MEMORY_COST.",
                id="backpain.E004",
            )
        ]
    return []
