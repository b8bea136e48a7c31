from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import Role, User

DEMO_PASSWORD = "backpain-demo"
DEMO_ACCOUNTS = [
    ("patient@example.com", "Sam (demo patient)", Role.PATIENT),
    ("clinician@example.com", "Dr Alex Morgan (demo clinician)", Role.CLINICIAN),
]


class Command(BaseCommand):
    help = "Create the demo accounts (safe to run again: nothing is duplicated)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
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
            if options["verbosity"] > 0:
                self.stdout.write(f"{'Created' if created else 'Kept'} {role} {email}")
