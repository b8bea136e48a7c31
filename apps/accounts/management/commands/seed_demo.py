from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.hooks import app_modules
from apps.accounts.models import Role, User

DEMO_PASSWORD = "backpain-demo"
# The demo clinician's authenticator secret (base32), published in the README so anyone
# trying the demo can add it to an authenticator app. Demo accounts only: never reuse it.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_ACCOUNTS = [
    ("patient@example.com", "Sam (demo patient)", Role.PATIENT),
    ("clinician@example.com", "Dr Alex Morgan (demo clinician)", Role.CLINICIAN),
]


class Command(BaseCommand):
    help = "Create the demo accounts (safe to run again: nothing is duplicated)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        users = {}
        for email, name, role in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"display_name": name, "role": role}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            users[role] = user
            if options["verbosity"] > 0:
                self.stdout.write(f"{'Created' if created else 'Kept'} {role} {email}")
        clinician = users[Role.CLINICIAN]
        # Patient data needs a second step at login: the demo clinician's is set up already.
        if not Authenticator.objects.filter(user=clinician, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(clinician, DEMO_TOTP_SECRET)
        # Apps with demo history have a `demo` module with seed(patient=, clinician=) -> str;
        # found through the registry so accounts imports nothing above it.
        for config, module in app_modules("demo"):
            summary = module.seed(patient=users[Role.PATIENT], clinician=users[Role.CLINICIAN])
            if options["verbosity"] > 0:
                self.stdout.write(f"{config.label}: {summary}")
