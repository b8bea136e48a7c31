"""What only clinicians write: notes, alerts they act on, and the audit trail of every look."""

from __future__ import annotations

import functools
import uuid
from typing import Any, NoReturn, Self

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import User
from backpain.once import token_field


class Note(models.Model):
    """A private note by one clinician about one patient: only its author ever sees it."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_notes"
    )
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_notes_about"
    )
    text = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    client_token = token_field()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["clinician", "patient", "-created_at"])]

    def __str__(self) -> str:
        return f"Note on {self.patient} by {self.clinician}"


class AlertKind(models.TextChoices):
    EMERGENCY = "emergency", "Emergency warning sign"
    URGENT = "urgent", "Urgent warning sign"
    SEVERE_PAIN = "severe_pain", "Worst pain 8 or more"
    RISING = "rising", "Pain rising"
    NOT_IMPROVING = "not_improving", "No improvement after 4-6 weeks"
    INACTIVE = "inactive", "No activity for 14 days"


# Most pressing first: how the dashboard and the review order a patient's open alerts.
ALERT_RANK = {
    AlertKind.EMERGENCY: 0,
    AlertKind.URGENT: 1,
    AlertKind.SEVERE_PAIN: 2,
    AlertKind.RISING: 3,
    AlertKind.NOT_IMPROVING: 4,
    AlertKind.INACTIVE: 5,
}
# The kinds that also e-mail the clinicians who asked for it.
EMAILED_KINDS = (AlertKind.EMERGENCY, AlertKind.URGENT)


def alert_rank() -> models.Case:
    """An expression ranking alerts by `ALERT_RANK`, for ordering in the database."""
    return models.Case(
        *(models.When(kind=kind, then=models.Value(rank)) for kind, rank in ALERT_RANK.items()),
        default=models.Value(len(ALERT_RANK)),
    )


class AlertQuerySet(models.QuerySet["Alert"]):
    def open(self) -> Self:
        return self.filter(seen_at__isnull=True)

    def for_clinician(self, clinician: Any) -> Self:
        """Alerts about the patients sharing with this clinician now (the one access path)."""
        return self.filter(patient__in=User.objects.visible_to(clinician))

    def most_pressing_first(self) -> Self:
        return self.order_by(alert_rank(), "-created_at")


class Alert(models.Model):
    """Something about a patient a clinician should look at; marked seen, kept as history.

    `source` names what raised it (a screening's uuid, a check-in's week), so the same event
    raises one alert however often the rules run.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_alerts"
    )
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    source = models.CharField(max_length=64)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "kind", "source"], name="alert_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=AlertKind.values), name="alert_kind_valid"
            ),
        ]
        indexes = [
            models.Index(
                fields=["patient"], condition=models.Q(seen_at__isnull=True), name="alert_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.patient}"

    @property
    def is_open(self) -> bool:
        return self.seen_at is None

    def mark_seen(self, clinician: Any) -> bool:
        """Record that this clinician has seen the alert; False when it was seen already.

        The alert stays as history. The caller checks the clinician may see the patient
        (through `patient_for`) and writes the audit event.
        """
        if self.seen_at is not None:
            return False
        now = timezone.now()
        # Conditional, so two clinicians marking it at once leave the first one's name.
        marked = Alert.objects.filter(pk=self.pk, seen_at__isnull=True).update(
            seen_at=now, seen_by=clinician
        )
        if marked:
            self.seen_at, self.seen_by = now, clinician
        else:
            self.refresh_from_db(fields=["seen_at", "seen_by"])
        return bool(marked)


class ClinicianPreference(models.Model):
    """A clinician's own settings for the clinic: today, whether alerts come by e-mail."""

    clinician = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinic_preference"
    )
    email_alerts = models.BooleanField(
        "E-mail me when a patient has an emergency or urgent alert",
        default=False,
        help_text="The e-mail says only that there is a new alert, with a link to this page: "
        "no name and no health details.",
    )

    def __str__(self) -> str:
        return f"Clinic preferences of {self.clinician}"


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    PRESCRIBE = "prescribe", "Prescribed a programme"
    NOTE = "note", "Wrote a note"
    ALERT_SEEN = "alert_seen", "Marked an alert seen"
    DENIED = "denied", "Was refused access"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Append-only: the app has no way to change or remove an audit event."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events cannot be changed.")

    def delete(self) -> NoReturn:
        raise PermissionError("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    """One clinician action on one patient's data, or one refused attempt.

    Kept when either account is erased (the references become empty; the labels and the
    patient's uuid stay), because the record of who looked at what must outlive both.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events_about",
    )
    patient_uuid = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=12, choices=AuditAction.choices)
    object_ref = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["patient", "-at"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_ref} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("Audit events cannot be deleted.")

    @classmethod
    def record(
        cls,
        request: HttpRequest,
        action: str,
        *,
        patient: Any = None,
        patient_uuid: uuid.UUID | None = None,
        object_ref: str = "",
    ) -> AuditEvent:
        """Write one event for this request's user (the IP is the one Django sees)."""
        event = cls._of(request, action, object_ref=object_ref)
        event.patient = patient
        event.patient_uuid = patient.uuid if patient is not None else patient_uuid
        event._insert()
        return event

    @classmethod
    def _of(cls, request: HttpRequest, action: str, *, object_ref: str) -> AuditEvent:
        """A new event by this request's user, about no patient until the caller says."""
        return cls(
            actor=request.user,
            actor_label=request.user.email,
            action=action,
            object_ref=object_ref,
            ip=request.META.get("REMOTE_ADDR") or None,
        )

    @classmethod
    def record_visible(
        cls, request: HttpRequest, action: str, uuid: uuid.UUID, *, object_ref: str = ""
    ) -> User | None:
        """Return `User.objects.visible_patient(request.user, uuid)`, having written this event
        about the patient in the same statement: one round trip for an allowed look, not two.

        The event is the one `record(request, action, patient=..., object_ref=...)` writes.
        None, and nothing written, when the clinician may not see a patient with this uuid:
        the caller records the refusal (`access.patient_for`).
        """
        select = User.objects.visible_patient_sql(request.user, uuid)
        if select is None:
            return None
        event = cls._of(request, action, object_ref=object_ref)
        rows = event._insert_along(*select, about_patient=True)
        if not rows:
            return None
        [patient] = User.objects.visible_patients_from([rows[0][:-1]])
        event.patient, event.patient_uuid = patient, patient.uuid
        return patient

    @classmethod
    def record_with_versions(
        cls, request: HttpRequest, action: str, *, object_ref: str = ""
    ) -> tuple[int, int]:
        """Write the event `record(request, action, object_ref=...)` writes (about no one
        patient) and return `User.objects.visible_versions(request.user)`, in one statement:
        the dashboard asks both on every look, kept page or not."""
        select = User.objects.visible_versions_sql(request.user)
        if select is None:
            cls.record(request, action, object_ref=object_ref)
            return 0, 0
        event = cls._of(request, action, object_ref=object_ref)
        [(patients, versions, _)] = event._insert_along(*select, about_patient=False)
        return patients, int(versions)  # SUM of a bigint is a numeric

    def _insert(self) -> None:
        """Write this new event as `save()` would, with the INSERT's SQL made once a process.

        Every clinic request writes an event, kept page or not, and building and compiling
        the INSERT through `save()` cost twice what PostgreSQL took to run it. The values
        are prepared by each field as `save()` prepares them; the row is written at once
        (its own transaction outside an atomic block), as by `save()`. What else `save()`
        does is not needed: no signal receivers listen to audit events (a test checks), and an
        event is never updated.
        """
        connection = connections[DEFAULT_DB_ALIAS]
        sql, fields = _insert_sql()
        params = [f.get_db_prep_save(f.pre_save(self, True), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            (self.pk,) = cursor.fetchone()
        self._state.adding, self._state.db = False, DEFAULT_DB_ALIAS

    def _insert_along(
        self, select: str, select_params: list[Any], *, about_patient: bool
    ) -> list[tuple[Any, ...]]:
        """Write this new event as `_insert` does, in one statement with `select`; return the
        select's rows, each with the event's id last.

        `about_patient`: the select is `visible_patient_sql`'s, and the event is about the
        patient it finds (their id and uuid, read in the same statement); found nobody, no
        event is written and no row comes back. Otherwise the event is written as it is.
        """
        connection = connections[DEFAULT_DB_ALIAS]
        sql, fields = _insert_along_sql(select, about_patient)
        params = [f.get_db_prep_save(f.pre_save(self, True), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*select_params, *params])
            rows = cursor.fetchall()
        if rows:
            self.pk = rows[0][-1]
            self._state.adding, self._state.db = False, DEFAULT_DB_ALIAS
        return rows


def _insert_fields() -> tuple[list[models.Field[Any, Any]], str]:
    """Every field of an audit event but the id, and their columns as an INSERT lists them."""
    meta, quote = AuditEvent._meta, connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    return fields, ", ".join(quote(f.column) for f in fields)


@functools.cache
def _insert_sql() -> tuple[str, list[models.Field[Any, Any]]]:
    """The INSERT `save()` sends for a new audit event: every column but the id, which comes
    back."""
    meta, quote = AuditEvent._meta, connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields, columns = _insert_fields()
    values = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values}) "
        f"RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields


@functools.cache
def _insert_along_sql(select: str, about_patient: bool) -> tuple[str, list[models.Field[Any, Any]]]:
    """`_insert_sql`'s INSERT in a data-modifying CTE beside `select` (made once a process,
    as `select` is the same compiled SQL each time), and the fields whose values it takes as
    parameters, after the select's own.

    PostgreSQL runs both on one snapshot and the INSERT to completion whatever the outer
    SELECT reads; the outer SELECT joins the two, so it gives the select's rows only when
    the event was written too. About a patient, the event's patient and patient_uuid are the
    found patient's id and uuid, and the INSERT writes a row only for a patient selected.
    """
    meta, quote = AuditEvent._meta, connections[DEFAULT_DB_ALIAS].ops.quote_name
    fields, columns = _insert_fields()
    from_select = {}
    if about_patient:
        patient_meta = User._meta
        from_select = {
            "patient": patient_meta.pk.column,
            "patient_uuid": patient_meta.get_field("uuid").column,
        }
    values = ", ".join(
        f"selected.{quote(from_select[f.name])}" if f.name in from_select else "%s" for f in fields
    )
    pk = quote(meta.pk.column)
    sql = (
        f"WITH selected AS ({select}), "
        f"written AS (INSERT INTO {quote(meta.db_table)} ({columns}) "
        f"SELECT {values}{' FROM selected' if about_patient else ''} RETURNING {pk}) "
        f"SELECT selected.*, written.{pk} FROM selected CROSS JOIN written"
    )
    return sql, [f for f in fields if f.name not in from_select]
