from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "headlines.engagement"
    label = "engagement"
