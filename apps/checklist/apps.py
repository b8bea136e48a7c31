from django.apps import AppConfig


class ChecklistConfig(AppConfig):
    name = "apps.checklist"
    label = "checklist"
