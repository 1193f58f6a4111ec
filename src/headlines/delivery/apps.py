from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "headlines.delivery"
    label = "delivery"
