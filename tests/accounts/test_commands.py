from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from apps.accounts.models import Role, User


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo")
    call_command("seed_demo")

    assert User.objects.filter(email="patient@example.com", role=Role.PATIENT).count() == 1
    assert User.objects.filter(email="clinician@example.com", role=Role.CLINICIAN).count() == 1
    assert authenticate(email="patient@example.com", password="backpain-demo")
    assert authenticate(email="clinician@example.com", password="backpain-demo")


def test_create_clinician_makes_a_new_account(db):
    call_command(
        "create_clinician", "Dr.New@Example.org", "--name", "Dr New", "--password", "s3cret-pass-99"
    )

    user = User.objects.get(email="dr.new@example.org")
    assert user.role == Role.CLINICIAN
    assert user.check_password("s3cret-pass-99")


def test_create_clinician_promotes_an_existing_account(patient):
    call_command("create_clinician", patient.email)

    patient.refresh_from_db()
    assert patient.role == Role.CLINICIAN


def test_create_clinician_rejects_a_bad_address(db):
    with pytest.raises(CommandError, match="not an e-mail address"):
        call_command("create_clinician", "nobody", "--password", "x")
