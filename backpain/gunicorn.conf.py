"""gunicorn's settings for backpain: `gunicorn -c backpain/gunicorn.conf.py backpain.wsgi`.

The access log writes request lines and referrers; a password-reset link in either would
give anyone who reads the log the account. This logger cuts the key out of every field.
"""

from gunicorn.glogging import Logger

from backpain.logs import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = RedactingLogger
