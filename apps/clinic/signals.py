"""Raise alerts when patient data changes: the apps below the clinic know nothing of it.

Connected in `ClinicConfig.ready()`. Fixtures being loaded (`raw`) raise nothing.
"""

from __future__ import annotations

from typing import Any

from apps.accounts.models import CareLink
from apps.progress.models import CheckIn
from apps.screening.models import Screening

from . import alerts


def screening_saved(sender: type, instance: Screening, raw: bool = False, **kwargs: Any) -> None:
    # Most saves are steps of an unfinished check; those cost no query here.
    if raw or instance.completed_at is None or instance.user_id is None:
        return
    if instance.urgency in alerts.URGENCY_KINDS:
        alerts.alerts_for_screening(instance)


def check_in_saved(sender: type, instance: CheckIn, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        alerts.alerts_for_check_ins(instance.patient)


def care_link_saved(
    sender: type, instance: CareLink, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    # A new share shows the clinician what already needs a look, not only what comes next.
    if created and not raw and instance.revoked_at is None:
        alerts.refresh_for(instance.patient)
