from __future__ import annotations

import factory
from django.contrib.auth.hashers import make_password

from apps.accounts.models import Role, User

PASSWORD = "correct-horse-battery-7"
# Hash once: Argon2 is slow on purpose, and every test user shares this password.
_PASSWORD_HASH = make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("first_name")
    role = Role.PATIENT
    password = _PASSWORD_HASH


class ClinicianFactory(UserFactory):
    email = factory.Sequence(lambda n: f"clinician{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Dr Clinician {n}")
    role = Role.CLINICIAN
