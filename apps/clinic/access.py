"""The clinic's one door: who may come in, and the one path from a clinician to a patient."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from uuid import UUID

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from apps.accounts.models import User

from .models import AuditAction, AuditEvent

View = Callable[..., HttpResponse]


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
        if not is_mfa_enabled(request.user):
            messages.info(
                request,
                "Set up an authenticator app first: patient data needs a second step at login.",
            )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper


def patient_for(request: HttpRequest, uuid: UUID) -> User:
    """Return the patient with this uuid if they share with the requesting clinician now.

    Anything else is a 404, and the refused attempt is recorded in the audit trail.
    """
    patient = User.objects.visible_to(request.user).filter(uuid=uuid).first()
    if patient is None:
        # Recorded against the patient when one has this uuid, so they see the attempt too.
        refused = User.objects.patients().filter(uuid=uuid).first()
        AuditEvent.record(request, AuditAction.DENIED, patient=refused, patient_uuid=uuid)
        raise Http404("No such patient.")
    return patient
