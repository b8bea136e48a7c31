from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self) -> None:
        from backpain import checks  # noqa: F401

        from . import receivers  # noqa: F401
