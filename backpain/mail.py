"""The e-mail backend production gets when EMAIL_BACKEND is not set."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

logger = logging.getLogger(__name__)


class NotConfiguredEmailBackend(BaseEmailBackend):
    """Send nothing and say so, without a word of the message.

    Falling back to the console would print whole e-mails, password-reset links included,
    into the server's log. `manage.py check --deploy` fails while this is the backend.
    """

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if email_messages:
            logger.error(
                "%d e-mail(s) not sent: set EMAIL_BACKEND and the EMAIL_* settings.",
                len(email_messages),
            )
        return 0
