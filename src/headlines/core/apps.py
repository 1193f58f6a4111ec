from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "headlines.core"
    label = "core"
    verbose_name = "Editions and outbox"

    def ready(self) -> None:
        # Each app declares its background jobs in `<app>/jobs.py`; importing them registers them.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")

        from django.db.models.signals import post_delete, post_save

        from headlines.core import checks  # noqa: F401  (registers the start-up checks)
        from headlines.core.models import Edition
        from headlines.core.selectors import edition_open_forget

        post_save.connect(edition_open_forget, sender=Edition, dispatch_uid="edition_open")
        post_delete.connect(edition_open_forget, sender=Edition, dispatch_uid="edition_open")
