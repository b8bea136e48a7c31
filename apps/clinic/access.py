"""The clinic's one door: who may come in, and the one path from a clinician to a patient."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from uuid import UUID

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from apps.accounts.models import User
from backpain import prepared
from backpain.prepared import Prepared

from .models import AuditAction, AuditEvent

View = Callable[..., HttpResponse]

# allauth's `is_mfa_enabled(user)` (its adapter's query: any authenticator of the user's),
# compiled once: every clinic request asks it, and the ORM spent longer building it than
# PostgreSQL took to answer. tests/clinic/test_access_matrix.py checks the two agree.
_AUTHENTICATOR = Prepared(
    lambda user: Authenticator.objects.filter(user_id=user).values_list("pk")[:1],
    user=prepared.ID,
)


def has_mfa(user: User) -> bool:
    """Whether this signed-in user has two-factor authentication set up, as allauth says.

    Read with the session on every signed-in request (`has_authenticator`, set by
    apps/accounts/backends.py), so asking costs no query then.
    """
    loaded = getattr(user, "has_authenticator", None)
    if loaded is not None:
        return bool(loaded)
    return bool(_AUTHENTICATOR.rows(user=user.pk))


def clinician_required(view: View) -> View:
    """Let in signed-in clinicians who have set up two-factor authentication.

    Anonymous people go to log in; anyone who is not a clinician gets a 404 (the clinic
    does not exist for them); a clinician without an authenticator app is sent to set one
    up and brought back afterwards.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_clinician:
            raise Http404("The clinic is for clinicians.")
        if not has_mfa(request.user):
            messages.info(
                request,
                "Set up an authenticator app first: patient data needs a second step at login.",
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper


def patient_for(
    request: HttpRequest, uuid: UUID, *, audit: str | None = None, object_ref: str = ""
) -> User:
    """Return the patient with this uuid if they share with the requesting clinician now.

    Anything else is a 404, and the refused attempt is recorded in the audit trail.

    `audit`: the action to record about the patient found, for a view that records the same
    event whatever it then does. The look-up and the event are then one statement, one round
    trip (`AuditEvent.record_visible`), and the event is written only for a patient found.
    """
    if audit is None:
        patient = User.objects.visible_patient(request.user, uuid)
    else:
        patient = AuditEvent.record_visible(request, audit, uuid, object_ref=object_ref)
    if patient is None:
        # Recorded against the patient when one has this uuid, so they see the attempt too.
        refused = User.objects.patients().filter(uuid=uuid).first()
        AuditEvent.record(request, AuditAction.DENIED, patient=refused, patient_uuid=uuid)
        raise Http404("No such patient.")
    return patient
