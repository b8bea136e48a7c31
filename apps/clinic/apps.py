from django.apps import AppConfig
from django.db.models.signals import post_save


class ClinicConfig(AppConfig):
    name = "apps.clinic"
    label = "clinic"

    def ready(self) -> None:
        from apps.accounts.models import CareLink
        from apps.progress.models import CheckIn
        from apps.screening.models import Screening

        from . import signals

        post_save.connect(
            signals.screening_saved, sender=Screening, dispatch_uid="clinic_screening"
        )
        post_save.connect(signals.check_in_saved, sender=CheckIn, dispatch_uid="clinic_check_in")
        post_save.connect(signals.care_link_saved, sender=CareLink, dispatch_uid="clinic_care_link")
