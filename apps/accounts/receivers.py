"""Signal receivers for sign-in events, connected in AccountsConfig.ready()."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.signals import email_added
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from .sessions import session_stamp


@receiver(user_logged_in, dispatch_uid="accounts.stamp_session")
def stamp_session(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        session_stamp(request)


@receiver(email_added, dispatch_uid="accounts.notify_email_added")
def notify_email_added(
    sender: Any, request: HttpRequest, user: Any, email_address: EmailAddress, **kwargs: Any
) -> None:
    """Tell the account's current address that another one was added.

    allauth notifies on a change of primary address and on removal, but not on an
    addition, the first step of taking an account over.
    """
    get_adapter(request).send_notification_mail(
        "account/email/email_added", user, {"added_email": email_address.email}
    )
