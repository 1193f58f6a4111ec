from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "headlines.api"
    label = "api"
    verbose_name = "JSON API"
