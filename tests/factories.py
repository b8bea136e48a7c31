from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
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

    @factory.post_generation
    def verified_email(obj, create: bool, extracted: bool | None, **kwargs: object) -> None:
        # Every account confirms its address before it can log in (ACCOUNT_EMAIL_VERIFICATION
        # "mandatory"), as a signed-up one has; `verified_email=False` for one that has not.
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


# Test clinicians' authenticator secret (base32), for journeys that log in with a TOTP code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class ClinicianFactory(UserFactory):
    """A clinician with an authenticator app set up; `mfa=False` for one without."""

    email = factory.Sequence(lambda n: f"clinician{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Dr Clinician {n}")
    role = Role.CLINICIAN

    @factory.post_generation
    def mfa(obj, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            TOTP.activate(obj, TOTP_SECRET)


class ExerciseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "exercises.Exercise"

    slug = factory.Sequence(lambda n: f"test-exercise-{n}")
    name = factory.Sequence(lambda n: f"Test exercise {n}")
    kind = "stretch"
    regions = factory.LazyFunction(lambda: ["hip"])
    equipment = factory.LazyFunction(lambda: ["none"])
    difficulty = "gentle"
    purpose = "A made-up exercise for tests."
    steps = factory.LazyFunction(lambda: ["Stand tall.", "Breathe."])
    cautions = factory.LazyFunction(lambda: ["Never into sharp pain."])
    sets = 1
    reps = 10
    hold_seconds = 5
    dosage_text = "Hold 5 seconds, 10 times."
    sources = factory.LazyFunction(lambda: ["001"])


def monday(weeks_ago: int = 0):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday(), weeks=weeks_ago)


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "progress.CheckIn"

    week_start = factory.LazyFunction(monday)
    pain_average = 5
    pain_worst = 6
    sleep_nights = 2
    days_active = 4


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "progress.Session"

    client_token = factory.Faker("uuid4", cast_to=None)
    pain_during = 3
