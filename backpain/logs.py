"""Keep secrets and health data out of the logs: reset keys, calendar feed addresses and
PostgreSQL's row details.

A password-reset link is a password for as long as it lives, a calendar feed's address
opens the patient's schedule to whoever has it (apps/progress/urls.py), and PostgreSQL
explains a failed constraint with the row's values (`DETAIL:  Key (patient_id)=(42)
already exists.`, `Failing row contains (...)`): user ids and answers. All are cut from
every log line, Django's (the console handler's filter in settings.LOGGING) and gunicorn's
access log (backpain/gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re

RESET_KEY = re.compile(r"(/password/reset/key/)[^\s\"'?#]*")
# Only the feed's path has /calendar/ in it; the secret runs to the next slash or quote.
CALENDAR_FEED = re.compile(r"(/calendar/)[^\s\"'?#/]*")
DB_DETAIL = re.compile(r"^(DETAIL:).*$", re.MULTILINE)


def redact(text: str) -> str:
    text = RESET_KEY.sub(r"\1[redacted]", text)
    text = CALENDAR_FEED.sub(r"\1[redacted]", text)
    return DB_DETAIL.sub(r"\1  [redacted]", text)


class Redact(logging.Filter):
    """Rewrite the record's message and traceback with `redact` before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
