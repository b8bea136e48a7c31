from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "apps.clinic"
    label = "clinic"
