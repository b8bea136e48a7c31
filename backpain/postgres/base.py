"""Django's PostgreSQL backend, with a health check that asks the socket before the server.

A connection kept between requests (`CONN_MAX_AGE`) is checked before each request uses it
(`CONN_HEALTH_CHECKS`), so a database restart costs a reconnect, not an error page
(tests/faults). Django checks with a `SELECT 1`: a round trip on every request that touches
the database, about a sixth of a signed-in request's cost (docs/performance.md, "The health
check without a round trip"). A live server sends nothing to an idle connection; one that
restarted or ended the connection has sent its goodbye (an error message and the end of the
stream), which makes the socket readable. So an idle connection whose socket has nothing to
read is taken as it is, and anything else gets Django's `SELECT 1`.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        if (
            self.connection is not None
            and not self.pool
            and self.health_check_enabled
            and not self.health_check_done
            and _quiet(self.connection)
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()


def _quiet(connection: base.Database.Connection) -> bool:
    """Whether the connection is open, outside any transaction, and nothing has arrived."""
    if connection.closed or connection.broken:
        return False
    if connection.info.transaction_status != TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
    return not poller.poll(0)
