from __future__ import annotations

import uuid

import pytest

from apps.accounts.models import CareLink
from apps.screening.models import Screening
from tests.accounts.histories import Expected, make_clinic_history, make_history


@pytest.fixture
def histories(content, patient, other_patient, clinician) -> tuple[Expected, Expected]:
    # Rows nobody owns yet: a guest's screening, which must not reach anyone's export.
    Screening.objects.create(guest_id=uuid.uuid4())
    return (
        make_history(patient, clinician=clinician),
        make_history(other_patient, clinician=clinician),
    )


@pytest.fixture
def clinic_histories(
    histories, patient, other_patient, clinician, stranger_clinician
) -> tuple[Expected, Expected]:
    """The clinician's rows about the patient, the stranger's about the other patient."""
    mine, others = histories
    CareLink.objects.create(patient=other_patient, clinician=stranger_clinician).revoke()
    return (
        make_clinic_history(clinician, patient, mine),
        make_clinic_history(stranger_clinician, other_patient, others),
    )
