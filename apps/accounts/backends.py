"""Who is signed in, read with two small queries compiled once per process.

Every signed-in request reads its session row and its user row before anything else. Through
the ORM, building and compiling those two queries cost more than PostgreSQL took to answer
them (docs/performance.md, "The signed-in floor"), on every request. The user's SQL is the
ORM's own, compiled once (backpain/prepared.py); the session's is one plain query. What is
checked stays Django's: the session's expiry, the user's `is_active` and the session's
password hash (django.contrib.auth).
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from backpain import prepared
from backpain.prepared import Prepared

from .models import User

_USER = Prepared(lambda pk: User._default_manager.filter(pk=pk), pk=prepared.ID)


class AuthenticationBackend(AllauthBackend):
    """allauth's backend (log in by e-mail), with the per-request user read made cheap."""

    def get_user(self, user_id: Any) -> User | None:
        users = _USER(pk=int(user_id))
        if not users:
            return None
        return users[0] if self.user_can_authenticate(users[0]) else None


class SessionStore(db.SessionStore):
    """Django's database sessions, read with one plain query (writes stay Django's)."""

    def load(self) -> dict[str, Any]:
        model = self.model
        with connections[router.db_for_read(model)].cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {model._meta.db_table} "
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            # As Django's: an unknown or expired key is forgotten, so a new one is made.
            self._session_key = None
            return {}
        return self.decode(row[0])
