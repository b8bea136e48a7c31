"""The whole cast and patient A's objects, for the tests that walk every URL.

`build_cast()` makes eight people (the roles of the access matrix) and one of everything
patient A owns, so every URL with a parameter can be asked about an object with one owner.
A plain module rather than a conftest: the security folder is shared with other parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from apps.accounts.models import CareLink, User
from apps.checklist.models import Item, Run
from apps.clinic.models import Alert, AlertKind
from apps.exercises.models import Exercise
from apps.progress import services
from apps.progress.reminders import calendar_link_make
from apps.screening.models import Question, Screening
from apps.screening.triage import Urgency
from tests.factories import TOTP_SECRET, ClinicianFactory, SessionFactory, UserFactory

# The roles, in the order the matrix's columns list them.
ROLES = (
    "anonymous",
    "patient_a",
    "patient_b",
    "clinician",  # linked to A, MFA set up
    "stranger",  # a clinician A never shared with
    "revoked",  # a clinician A shared with, then stopped sharing with
    "no_mfa",  # a clinician linked to A who has not set up an authenticator app
    "staff",  # is_staff and is_superuser, MFA set up (role: patient, with no data of their own)
)

HTMX = {"HX-Request": "true"}


@dataclass
class Cast:
    users: dict[str, User | None]
    objects: dict[str, Any]
    _cookies: dict[str, dict[str, str]] = field(default_factory=dict)
    _clients: dict[tuple, Client] = field(default_factory=dict)

    def client(self, role: str, **kwargs: Any) -> Client:
        """Return a client logged in as `role` (unless anonymous) with a fresh cookie jar.

        Each role logs in once and every jar starts from that session, so a test that runs
        each request in a savepoint it rolls back starts each request from the same state.
        Clients are reused: a new one loads the whole middleware stack again, and
        WhiteNoise's scan of the static files makes that the slowest part of a request.
        """
        key = (role, *sorted(kwargs.items()))
        if key not in self._clients:
            self._clients[key] = Client(**kwargs)
        client = self._clients[key]
        client.cookies = SimpleCookie()
        user = self.users[role]
        if user is not None:
            if role not in self._cookies:
                first = Client()
                first.force_login(user)
                self._cookies[role] = {name: m.value for name, m in first.cookies.items()}
            for name, value in self._cookies[role].items():
                client.cookies[name] = value
        return client


def build_cast() -> Cast:
    """Make the cast on the content, which the caller's `content` fixture has put in."""
    assert Exercise.objects.exists(), "build_cast() needs the `content` fixture"
    # Names no page prints unless it shows A's data: the leak check looks for them.
    patient_a = UserFactory(email="aurelia.a@example.org", display_name="Aurelia Quillfeather")
    patient_b = UserFactory(email="b@example.org", display_name="Patient B")
    clinician = ClinicianFactory(email="dr.linked@example.org")
    RecoveryCodes.activate(clinician)
    stranger = ClinicianFactory(email="dr.stranger@example.org")
    revoked = ClinicianFactory(email="dr.revoked@example.org")
    no_mfa = ClinicianFactory(email="dr.nomfa@example.org", mfa=False)
    staff = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    TOTP.activate(staff, TOTP_SECRET)

    link = CareLink.objects.create(patient=patient_a, clinician=clinician)
    CareLink.objects.create(patient=patient_a, clinician=revoked).revoke()
    CareLink.objects.create(patient=patient_a, clinician=no_mfa)

    # An emergency result A has confirmed seeking care for: the result, the acknowledge
    # form and every exercise page are open to A.
    screening = Screening.objects.create(user=patient_a)
    for question in Question.objects.active():
        screening.record(question, "no")
    screening.complete()
    Screening.objects.filter(pk=screening.pk).update(
        urgency=Urgency.EMERGENCY, acknowledged_at=timezone.now()
    )
    run = Run.objects.create(user=patient_a)
    for item in Item.objects.active():
        run.record(item, "yes")
    run.complete()
    # Unfinished runs: A's step pages show a question, everyone else's lead to the start.
    Screening.objects.create(user=patient_a)
    Run.objects.create(user=patient_a)

    plan = services.plan_build(patient=patient_a)
    # A's calendar feed: its address is the key, so it answers whoever has it.
    feed = calendar_link_make(patient=patient_a)
    session = SessionFactory(patient=patient_a)
    alert = Alert.objects.create(patient=patient_a, kind=AlertKind.INACTIVE, source="matrix")
    users = {
        "anonymous": None,
        "patient_a": patient_a,
        "patient_b": patient_b,
        "clinician": clinician,
        "stranger": stranger,
        "revoked": revoked,
        "no_mfa": no_mfa,
        "staff": staff,
    }
    objects = {
        "patient": patient_a,
        "screening": screening,
        "run": run,
        "plan_item": plan.items.first(),
        "session": session,
        "alert": alert,
        "care_link": link,
        "exercise": Exercise.objects.order_by("slug").first(),
        "calendar_token": feed.calendar_token,
    }
    return Cast(users=users, objects=objects)


# What each URL parameter is filled with: patient A's object of that kind.
def url_kwargs(name: str, route_kwargs: list[str], cast: Cast) -> dict[str, Any]:
    o = cast.objects
    by_name: dict[str, Any] = {
        "number": 1,
        "item_id": o["plan_item"].id,
        "slug": o["exercise"].slug,
        "alert_uuid": o["alert"].uuid,
        # allauth's key pages: any key reaches the view, which refuses a wrong one.
        "key": "wrong-key",
        "token": o["calendar_token"],
        "uidb36": "2",
        # The admin's pages about patient A's account.
        "app_label": "accounts",
        "content_type_id": ContentType.objects.get_for_model(User).pk,
        "object_id": o["patient"].pk,
        "id": o["patient"].pk,
    }
    uuid_owner = {
        "accounts:sharing_revoke": o["care_link"].uuid,
        "screening:result": o["screening"].uuid,
        "screening:acknowledge": o["screening"].uuid,
        "checklist:result": o["run"].uuid,
        "progress:log_edit": o["session"].uuid,
        "progress:log_delete": o["session"].uuid,
    }
    kwargs = {}
    for key in route_kwargs:
        if key == "uuid":
            kwargs[key] = uuid_owner.get(name, o["patient"].uuid)
        else:
            kwargs[key] = by_name[key]
    return kwargs


@dataclass(frozen=True)
class Route:
    name: str
    pattern: URLPattern
    kwargs: tuple[str, ...]

    def url(self, cast: Cast, **overrides: Any) -> str:
        kwargs = url_kwargs(self.name, list(self.kwargs), cast) | overrides
        return reverse(self.name, kwargs=kwargs)

    @property
    def view(self) -> Any:
        return self.pattern.callback


def _walk(patterns: list[Any], namespace: str | None, kwargs: tuple[str, ...]):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(
                pattern.url_patterns, inner, kwargs + tuple(pattern.pattern.converters)
            )
        elif pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            own = tuple(pattern.pattern.converters) or tuple(pattern.pattern.regex.groupindex)
            yield Route(name, pattern, kwargs + own)


def routes() -> dict[str, Route]:
    """Every named URL the resolver knows, by its reversible name."""
    found: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns, None, ()):
        found.setdefault(route.name, route)
    return found


def body(response: HttpResponse) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def send(client: Client, method: str, url: str, **kwargs) -> tuple[HttpResponse, bytes]:
    """Make one request in a savepoint that is rolled back; return it and its body."""
    with transaction.atomic():
        response = getattr(client, method)(url, **kwargs)
        content = body(response)
        transaction.set_rollback(True)
    return response, content
