from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "headlines.intake"
    label = "intake"
