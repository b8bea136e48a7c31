from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from backpain.guest import claim_guest_rows

from .models import Run


@receiver(user_logged_in, dispatch_uid="checklist_claim_guest_runs")
def claim_guest_runs(
    sender: type, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any
) -> None:
    """Keep what a guest answered when they sign up or log in in the same browser."""
    claim_guest_rows(request, user, Run.objects.all())
