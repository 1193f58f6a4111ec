from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "headlines.subscriptions"
    label = "subscriptions"
