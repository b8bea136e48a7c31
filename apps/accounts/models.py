from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from backpain import prepared
from backpain.prepared import Prepared


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def patients(self) -> models.QuerySet[User]:
        return self.filter(role=Role.PATIENT)

    def clinicians(self) -> models.QuerySet[User]:
        return self.filter(role=Role.CLINICIAN)

    def visible_to(self, clinician: AbstractBaseUser) -> models.QuerySet[User]:
        """Return the patients sharing with this clinician now: the one path from a clinician
        to patient data. Every clinic view starts here, so a revoked share is a 404 on the
        clinician's very next request and nobody else's patient is reachable at all."""
        if not _sees_patients(clinician):
            return self.none()
        return self._sharing_with(clinician.pk)

    def _sharing_with(self, clinician_id: int) -> models.QuerySet[User]:
        # The clinician is not checked here: only for `visible_to` and the queries compiled
        # from it below, each asked after the same check.
        return self.filter(
            role=Role.PATIENT,
            is_active=True,
            care_links__clinician_id=clinician_id,
            care_links__revoked_at__isnull=True,
        )

    def visible_patient(self, clinician: AbstractBaseUser, uuid: uuid.UUID) -> User | None:
        """Return `visible_to(clinician)`'s patient with this uuid, or None.

        Every clinic request about one patient asks this first; its SQL is compiled once
        (`_VISIBLE_PATIENT`), as building it with the ORM cost more than running it.
        """
        if not _sees_patients(clinician):
            return None
        return next(iter(_VISIBLE_PATIENT(clinician=clinician.pk, uuid=uuid)), None)

    def visible_patient_sql(
        self, clinician: AbstractBaseUser, uuid: uuid.UUID
    ) -> tuple[str, list[Any]] | None:
        """`visible_patient`'s SELECT and its parameters, for a statement that does more with
        the patient in the same round trip (the clinic writes its audit event so); None when
        the clinician sees nobody. `visible_patients_from` makes its rows instances."""
        if not _sees_patients(clinician):
            return None
        return _VISIBLE_PATIENT.sql(clinician=clinician.pk, uuid=uuid)

    def visible_patients_from(self, rows: list[tuple[Any, ...]]) -> list[User]:
        """The rows of `visible_patient_sql`'s SELECT, as `visible_patient` makes them."""
        return _VISIBLE_PATIENT.instances(rows)

    def visible_versions(self, clinician: AbstractBaseUser) -> tuple[int, int]:
        """Return how many patients are `visible_to(clinician)` and the sum of their
        `data_version`s: together they change whenever the clinic list could (a patient's
        data, a share started or ended). Asked on every look at the list, kept or not, so
        compiled once (`_VISIBLE_VERSIONS`)."""
        if not _sees_patients(clinician):
            return 0, 0
        [(patients, versions)] = _VISIBLE_VERSIONS.rows(clinician=clinician.pk)
        return patients, int(versions)  # SUM of a bigint is a numeric

    def visible_versions_sql(self, clinician: AbstractBaseUser) -> tuple[str, list[Any]] | None:
        """`visible_versions`'s SELECT (one row: the count, the sum as a numeric) and its
        parameters, for a statement that also writes (the clinic's audit event); None when
        the clinician sees nobody, for whom `visible_versions` is (0, 0)."""
        if not _sees_patients(clinician):
            return None
        return _VISIBLE_VERSIONS.sql(clinician=clinician.pk)


def _sees_patients(clinician: AbstractBaseUser) -> bool:
    return getattr(clinician, "is_clinician", False) and clinician.is_active


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address: a patient or a clinician."""

    # Public identifier for URLs: sequential ids would leak the number of patients.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField("name to show", max_length=80, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PATIENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Goes up whenever anything this person sees on their pages changes: PostgreSQL triggers
    # raise it on every write to their rows (migration 0003, apps/accounts/data_version.py),
    # whatever wrote them. Pages kept per person (backpain/page_cache.py) are keyed by it.
    data_version = models.BigIntegerField(default=0, db_default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["role"])]

    def __str__(self) -> str:
        return self.display_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]

    def make_clinician(self) -> None:
        self.role = Role.CLINICIAN
        self.save(update_fields=["role"])


# No look-alike characters (0/O, 1/I/L), so a code read over the phone is typed right.
INVITE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITE_LENGTH = 8
INVITE_LIFETIME = timedelta(days=14)


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def normalise_invite_code(typed: str) -> str:
    """Return the code as stored: capitals, without spaces or dashes (people type both)."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


class InviteCodeQuerySet(models.QuerySet["InviteCode"]):
    def usable(self) -> models.QuerySet[InviteCode]:
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class InviteCode(models.Model):
    """A single-use code a clinician gives a patient, who enters it to start sharing."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invite_codes"
    )
    code = models.CharField(max_length=INVITE_LENGTH, unique=True, default=new_invite_code)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = InviteCodeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.display_code

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.expires_at is None:
            self.expires_at = self.created_at + INVITE_LIFETIME
        super().save(*args, **kwargs)

    @property
    def display_code(self) -> str:
        """The code in two groups of four, as people read it out."""
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()


class CareLinkQuerySet(models.QuerySet["CareLink"]):
    def active(self) -> models.QuerySet[CareLink]:
        return self.filter(revoked_at__isnull=True)


class CareLink(models.Model):
    """A patient sharing their data with a clinician, from `created_at` until revoked.

    Rows are never deleted by the app: a revoked link stays as the history of who could
    see what, and when.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_links"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="patient_links"
    )
    invite = models.ForeignKey(
        InviteCode, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "clinician"],
                condition=models.Q(revoked_at__isnull=True),
                name="care_link_one_active",
            ),
            models.CheckConstraint(
                condition=~models.Q(patient=models.F("clinician")), name="care_link_not_self"
            ),
        ]
        indexes = [
            models.Index(
                fields=["clinician", "patient"],
                condition=models.Q(revoked_at__isnull=True),
                name="care_link_active_by_clinician",
            )
        ]

    def __str__(self) -> str:
        return f"{self.patient} shares with {self.clinician}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


# `visible_to`'s queries that every clinic request asks, compiled once (backpain/prepared.py).
_VISIBLE_PATIENT = Prepared(
    lambda clinician, uuid: User.objects._sharing_with(clinician).filter(uuid=uuid)[:1],
    clinician=prepared.ID,
    uuid=prepared.UUID,
)
# The query `aggregate()` would run, as a QuerySet so it can be compiled once (`aggregate()`
# runs at once): grouped by a constant, which groups nothing (one row, also for no patients).
_VISIBLE_VERSIONS = Prepared(
    lambda clinician: (
        User.objects._sharing_with(clinician)
        .order_by()
        .annotate(every=models.Value(1))
        .values("every")
        .annotate(patients=models.Count("pk"), versions=Coalesce(models.Sum("data_version"), 0))
        .values_list("patients", "versions")
    ),
    clinician=prepared.ID,
)


class WebSession(AbstractBaseSession):
    """A browser's session (Django's), with the signed-in person's id in a column of its own.

    Django keeps who is signed in inside the encoded data, so every signed-in request read
    the session and then the user: two round trips before any view ran. With the id beside
    the data, one query reads both (apps/accounts/backends.py). A deleted account takes its
    sessions with it.
    """

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    @classmethod
    def get_session_store_class(cls) -> type[Any]:
        from .backends import SessionStore

        return SessionStore
