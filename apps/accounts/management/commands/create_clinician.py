from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email

from apps.accounts.models import Role, User


class Command(BaseCommand):
    help = "Create a clinician account, or give an existing account the clinician role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Name shown to patients.")
        parser.add_argument(
            "--password",
            help="Password for a new account (asked for when omitted and a terminal is attached).",
        )

    def handle(
        self, *args: Any, email: str, name: str, password: str | None, **options: Any
    ) -> None:
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        user = User.objects.filter(email=email).first()
        if user:
            user.make_clinician()
            self.stdout.write(f"{email} is now a clinician.")
            return
        if password is None:
            password = getpass.getpass("Password for the new clinician: ")
        if not password:
            raise CommandError("A new clinician needs a password.")
        try:
            validate_password(password, User(email=email, display_name=name))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        User.objects.create_user(email, password, display_name=name, role=Role.CLINICIAN)
        self.stdout.write(f"Created clinician {email}.")
