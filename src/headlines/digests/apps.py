from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "headlines.digests"
    label = "digests"
