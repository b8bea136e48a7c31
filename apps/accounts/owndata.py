"""Find every row that belongs to one person, for the export of their data.

Ownership is declared per table below, not guessed from foreign keys. The guess ("a row is
yours when it cascades from you") stopped working when clinicians arrived: a clinician's
private note cascades from the patient it is about as well as from its author, a care link
from both people, and neither the note nor the audit trail is the patient's to take.

- `OWNER` names, for each exported table, the lookup from a row to the one person whose data
  it is. Only these tables are exported, every one of them to everybody (empty when it holds
  nothing of theirs), so a person sees what kinds of data exist.
- `NOT_OWNED` lists the tables in scope that nobody's export holds, and why.
- `ERASED_NOT_EXPORTED` lists the rows the database erases with a person although they are
  not in that person's export (a clinician's notes about an erased patient).

A test fails when a model in our apps is in neither `OWNER` nor `NOT_OWNED`, and another
checks these declarations against what Django's deletion collector erases, so a new table
cannot slip in or out unnoticed. docs/own-data.md says what erasure keeps and why.

Labels, not imports: `accounts` sits at the bottom of the app stack and must not import the
apps above it. Only our own apps and allauth's e-mail addresses are in scope: Django's
internals (sessions, admin log, permissions, the cache) and secrets (password hash, the
authenticator app's key, e-mail confirmation keys) are not data the person entered.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Model, QuerySet

# Table -> the lookup from a row to the person it belongs to.
OWNER: dict[str, str] = {
    "accounts.User": "pk",
    "account.EmailAddress": "user",
    # A clinician's own records.
    "accounts.InviteCode": "clinician",
    "clinic.Note": "clinician",
    "clinic.ClinicianPreference": "clinician",
    # A patient's choices and health data, and what the clinic noticed in them.
    "accounts.CareLink": "patient",
    "clinic.Alert": "patient",
    "screening.Screening": "user",
    "screening.Answer": "screening__user",
    "checklist.Run": "user",
    "checklist.Answer": "run__user",
    "progress.Plan": "patient",
    "progress.PlanItem": "plan__patient",
    "progress.Session": "patient",
    "progress.SessionEntry": "session__patient",
    "progress.FunctionActivity": "patient",
    "progress.CheckIn": "patient",
    "progress.FunctionScore": "check_in__patient",
    "progress.Reminder": "patient",
}

# Tables in scope that are nobody's export, and why.
NOT_OWNED: dict[str, str] = {
    "screening.Question": "content",
    "checklist.Item": "content",
    "exercises.Exercise": "content",
    "clinic.AuditEvent": "the record of who looked at whose data: kept when either account goes",
    "accounts.WebSession": "a browser's sign-in (Django's sessions): erased with the account",
}

# Table -> the lookup to a person whose erasure also erases the row, though it is not theirs.
ERASED_NOT_EXPORTED: dict[str, str] = {
    # A clinician's private note about the patient: health data about someone who is gone.
    "clinic.Note": "patient",
    # A patient's share with a clinician who left: nobody is left on the other side.
    "accounts.CareLink": "clinician",
}

# Models outside apps/ that hold what the person entered.
EXTRA_MODELS = {"account.EmailAddress"}


def in_scope(model: type[Model]) -> bool:
    """Return True for a table that may hold what a person entered: ours, and their e-mails."""
    meta = model._meta
    if meta.label in EXTRA_MODELS:
        return True
    if not meta.app_config.name.startswith("apps."):
        return False
    if meta.auto_created:
        # A many-to-many table counts only when both of its ends do: User.groups does not.
        relations = [field for field in meta.local_fields if field.is_relation]
        return all(in_scope(field.related_model) for field in relations)
    return True


def undeclared() -> list[str]:
    """Return the tables in scope whose ownership nobody has declared (should be none)."""
    declared = OWNER.keys() | NOT_OWNED.keys()
    return sorted(
        model._meta.label
        for model in apps.get_models(include_auto_created=True)
        if in_scope(model) and model._meta.label not in declared
    )


def collect(user: Model) -> dict[str, QuerySet]:
    """Return {table label: QuerySet of this person's rows}, one lazy query per table.

    Nothing runs until the caller evaluates a QuerySet, and the number of queries never
    depends on the rows. The profile comes first, then tables by name, so the export reads
    the same every time.
    """
    user_label = get_user_model()._meta.label
    labels = sorted(OWNER, key=lambda label: (label != user_label, label))
    # The base manager, so that no custom manager hides a row.
    return {
        label: apps.get_model(label)._base_manager.filter(**{OWNER[label]: user.pk}).order_by("pk")
        for label in labels
    }
