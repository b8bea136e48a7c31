"""Save a form once: a double click, a resent form or two tabs make one row, not several.

Every form that creates a record carries a hidden token made when the form is shown
(`TokenField`). The record keeps it in a unique `client_token` column (`token_field`), and
`create_once` turns a second save with the same token into the first save's record: the
unique index makes concurrent twins wait for the first to commit, then find its row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.db import IntegrityError, models, transaction
from django.http import Http404

M = TypeVar("M", bound=models.Model)


class TokenField(forms.UUIDField):
    """The hidden token; a fresh one whenever the form is shown unbound.

    A post without a usable token (a page opened before tokens were added, a hand-made
    request) still saves with a token of its own: refusing it would lose what the person
    typed, and a browser showing our form always sends the token it was given.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, initial=uuid.uuid4, **kwargs)

    def to_python(self, value: Any) -> uuid.UUID:
        try:
            token = super().to_python(value)
        except forms.ValidationError:
            token = None
        return token or uuid.uuid4()


def token_field() -> models.UUIDField:
    """The model column: unique, and empty for rows no form made (demo data, older rows)."""
    return models.UUIDField(unique=True, null=True, blank=True, editable=False)


def create_once(
    model: type[M], token: uuid.UUID, owner: dict[str, Any], create: Callable[[], M]
) -> tuple[M, bool]:
    """Run `create` (which saves `token` on its row) once per token; return (row, created).

    `owner` names who the row belongs to (`{"patient": user}`): a token of somebody else's
    row is a 404, never their row.
    """

    def earlier() -> M | None:
        found = model._default_manager.filter(client_token=token).first()
        if found is not None and any(
            getattr(found, f"{name}_id") != person.pk for name, person in owner.items()
        ):
            raise Http404
        return found

    if (found := earlier()) is not None:
        return found, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        # The twin request committed first; anything else is not ours to hide.
        if (found := earlier()) is None:
            raise
        return found, False
