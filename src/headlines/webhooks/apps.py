from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "headlines.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from headlines.core import events
        from headlines.webhooks import services

        events.listen(services.webhook_event_record)
