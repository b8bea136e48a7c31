"""gunicorn's settings for backpain: `gunicorn -c backpain/gunicorn.conf.py backpain.wsgi`.

The access log writes request lines and referrers; a password-reset link in either would
give anyone who reads the log the account. This logger cuts the key out of every field.
"""

import os

from gunicorn.glogging import Logger

from backpain.logs import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}


logger_class = RedactingLogger


# Threads, not gunicorn's default sync workers. A sync worker serves one connection from
# accept to close: a phone on a slow network, or a browser that opens a connection and sends
# its request later, holds the whole worker meanwhile, and every request behind it waits.
# With gthread each worker waits for a request to arrive before a thread takes it, keeps
# connections alive between requests, and serves GUNICORN_THREADS requests at once. Each
# thread holds its own database connection (CONN_MAX_AGE), so one instance holds
# workers × threads connections (docs/performance.md, "Connection reuse").
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
