"""Who is signed in, read with one query: the session row joined with its person's row.

Every signed-in request reads its session and its user before anything else. Django reads
them one after the other, as the user's id is inside the session's encoded data; each round
trip to PostgreSQL cost more than the query itself (docs/performance.md, "The signed-in
floor" and "One read for the session and the user"). `WebSession` keeps the id in a column
as well, so `SessionStore.load` reads the session, the user and whether the user has an
authenticator (which every clinic request asks) in one statement. The user row is handed to
the authentication backend by `AuthenticationMiddleware` for that request only.

What is checked stays Django's: the session's expiry, the id and backend recorded in the
session data, the user's `is_active` and the session's password hash (django.contrib.auth).
"""

from __future__ import annotations

import contextvars
import functools
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from allauth.mfa.models import Authenticator
from django.contrib import auth
from django.contrib.auth import middleware as auth_middleware
from django.contrib.sessions.backends import db
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from backpain import prepared
from backpain.prepared import Prepared

from .models import User, WebSession

_USER = Prepared(lambda pk: User._default_manager.filter(pk=pk), pk=prepared.ID)
# The user the request's session was read with, while `auth.get_user` runs for that request.
_SESSION_USER: contextvars.ContextVar[User | None] = contextvars.ContextVar(
    "session_user", default=None
)


class AuthenticationBackend(AllauthBackend):
    """allauth's backend (log in by e-mail), with the per-request user read made cheap."""

    def get_user(self, user_id: Any) -> User | None:
        user = _SESSION_USER.get()
        if user is None or user.pk != int(user_id):
            users = _USER(pk=int(user_id))
            user = users[0] if users else None
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with `request.user` found from the user row read with the session."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        session = request.session
        session.get(auth.SESSION_KEY)  # reads the session (and its user) if not read yet
        token = _SESSION_USER.set(getattr(session, "loaded_user", None))
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            _SESSION_USER.reset(token)
    return request._cached_user  # type: ignore[attr-defined]


class SessionStore(db.SessionStore):
    """Django's database sessions in `WebSession`, whose load also reads the user's row."""

    # The session's user as `load` read it (None for a guest's session or before a read),
    # with `has_authenticator` set on it.
    loaded_user: User | None = None

    @classmethod
    def get_model_class(cls) -> type[WebSession]:
        return WebSession

    def create_model_instance(self, data: dict[str, Any]) -> WebSession:
        session = super().create_model_instance(data)
        user_id = data.get(auth.SESSION_KEY)
        session.user_id = int(user_id) if user_id is not None else None
        return session

    def load(self) -> dict[str, Any]:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute(_load_sql(), [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            # As Django's: an unknown or expired key is forgotten, so a new one is made.
            self._session_key = None
            return {}
        data, user_id, has_authenticator, *user = row
        if user_id is not None:  # a signed-in session: its user is there (the foreign key)
            [self.loaded_user] = _USER.instances([user])  # the same columns, in order
            self.loaded_user.has_authenticator = has_authenticator  # type: ignore[attr-defined]
        return self.decode(data)


@functools.cache
def _load_sql() -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    # The user's own columns in the order `_USER` selects them, so it makes the instance.
    user_columns = ", ".join(f"u.{quote(f.column)}" for f in User._meta.concrete_fields)
    return (
        "SELECT s.session_data, s.user_id, EXISTS (SELECT 1 FROM "
        f"{quote(Authenticator._meta.db_table)} a WHERE a.user_id = s.user_id), "
        f"{user_columns} "
        f"FROM {quote(WebSession._meta.db_table)} s "
        f"LEFT JOIN {quote(User._meta.db_table)} u ON u.id = s.user_id "
        "WHERE s.session_key = %s AND s.expire_date > %s"
    )
