from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "apps.screening"
    label = "screening"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the guest-to-account claim)
