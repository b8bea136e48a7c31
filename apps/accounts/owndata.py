"""Find every row that belongs to one person, for the export of their data.

Generic on purpose: `accounts` sits at the bottom of the app stack and must not import the
apps above it, and a table added later must appear in the export without anyone having to
remember to list it here. So ownership is read from the model graph in the app registry:

- A row is the person's when a ForeignKey or OneToOneField to the user model with
  `on_delete=CASCADE` points at them (`Screening.user`, `CheckIn.patient`). A `SET_NULL`
  reference such as `Plan.author` marks the author of someone else's row: that row outlives
  the author's account, so it is not the author's to take.
- A row is also theirs when it cascades from one of their rows (`Answer` → `Screening`,
  `FunctionScore` → `CheckIn`), to any depth.

The export therefore holds exactly the rows that deleting the account erases. Only our own
apps and allauth's e-mail addresses are in scope: Django's internals (sessions, admin log,
permissions, the cache) and secrets (password hash, e-mail confirmation keys) are not data
the person entered.
"""

from __future__ import annotations

from graphlib import TopologicalSorter

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Model, Q, QuerySet

# Models outside apps/ that hold what the person entered.
EXTRA_MODELS = {"account.EmailAddress"}
# Columns never exported: the password hash is a secret even to its owner.
HIDDEN_COLUMNS = {"accounts.User": {"password"}}


def _in_scope(model: type[Model]) -> bool:
    meta = model._meta
    if meta.label in EXTRA_MODELS:
        return True
    if not meta.app_config.name.startswith("apps."):
        return False
    if meta.auto_created:
        # A many-to-many table counts only when both of its ends do: User.groups does not.
        return all(_in_scope(field.related_model) for field in _links(model))
    return True


def _links(model: type[Model]) -> list[models.ForeignKey]:
    """Return the model's own ForeignKey and OneToOne fields (inherited ones live upstream)."""
    return [field for field in model._meta.local_fields if field.is_relation]


def _owning_links(model: type[Model]) -> list[models.ForeignKey]:
    return [field for field in _links(model) if field.remote_field.on_delete is models.CASCADE]


def owned_models() -> list[type[Model]]:
    """Return the models whose rows can belong to a person, parents before children.

    The user model comes first. Raise graphlib.CycleError if two models cascade from each
    other: their rows could not be found with one query per table.
    """
    user_model = get_user_model()
    candidates = [model for model in apps.get_models(include_auto_created=True) if _in_scope(model)]
    owned = {user_model}
    grew = True
    while grew:
        grew = False
        for model in candidates:
            if model not in owned and any(
                field.related_model in owned for field in _owning_links(model)
            ):
                owned.add(model)
                grew = True
    graph = {
        model: {
            field.related_model
            for field in _owning_links(model)
            # Rows reached only through their own table would need a recursive query, so a
            # table that links to itself must also name its owner directly.
            if field.related_model in owned and field.related_model is not model
        }
        for model in owned
    }
    graph[user_model] = set()
    return list(TopologicalSorter(graph).static_order())


def collect(user: Model) -> dict[str, QuerySet]:
    """Return {model label: QuerySet of this person's rows}, one lazy query per table.

    Each child's query nests its parents' queries as subqueries, so nothing runs until the
    caller evaluates a QuerySet, and the number of queries never depends on the rows.
    """
    user_model = get_user_model()
    found: dict[type[Model], QuerySet] = {}
    for model in owned_models():
        if model is user_model:
            # The base manager, here and below, so that no custom manager hides a row.
            found[model] = model._base_manager.filter(pk=user.pk)
            continue
        owner = Q()
        for field in _owning_links(model):
            if field.related_model is user_model:
                owner |= Q(**{field.name: user.pk})
            elif field.related_model in found:
                owner |= Q(**{f"{field.name}__in": found[field.related_model]})
        # An empty Q would match every row; owned_models() never yields such a model.
        assert owner, model
        found[model] = model._base_manager.filter(owner)
    # The profile first, then tables by name, so the export reads the same every time.
    ordered = sorted(found, key=lambda model: (model is not user_model, model._meta.label))
    return {model._meta.label: found[model].order_by("pk") for model in ordered}


def columns(model: type[Model]) -> list[str]:
    """Return the exported columns of a table: every stored field but the hidden ones."""
    hidden = HIDDEN_COLUMNS.get(model._meta.label, set())
    return [field.attname for field in model._meta.concrete_fields if field.attname not in hidden]
