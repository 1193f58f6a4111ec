from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "headlines.core"
    label = "core"
    verbose_name = "Editions and outbox"

    def ready(self) -> None:
        # Each app declares its background jobs in `<app>/jobs.py`; importing them registers them.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
