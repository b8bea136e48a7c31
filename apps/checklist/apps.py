from django.apps import AppConfig


class ChecklistConfig(AppConfig):
    name = "apps.checklist"
    label = "checklist"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the guest-to-account claim)
