from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps  # a module: not a candidate config here
from django.core import checks


class CoreConfig(AppConfig):
    name = "headlines.core"
    label = "core"
    verbose_name = "Editions and outbox"

    def ready(self) -> None:
        # Each app declares its background jobs in `<app>/jobs.py`; importing them registers them.
        # Every process imports them, so each job imports its services when it runs: a short
        # command needs none of them (docs/benchmarks.md, "Start-up").
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")

        from django.db.models.signals import post_delete, post_save

        from headlines.core import checks  # noqa: F401  (registers the start-up checks)
        from headlines.core.models import Edition
        from headlines.core.selectors import edition_open_forget

        post_save.connect(edition_open_forget, sender=Edition, dispatch_uid="edition_open")
        post_delete.connect(edition_open_forget, sender=Edition, dispatch_uid="edition_open")


class AdminConfig(admin_apps.SimpleAdminConfig):
    """`django.contrib.admin` without its start-up autodiscovery (INSTALLED_APPS names it).

    Django's own `AdminConfig` imports every app's `admin.py` as the app registry loads, and
    ours import the services their actions call: with the jobs' services, about 0.1 s of CPU on
    every process, a one-line command's included, for a registry only the web's URLconf reads.
    The URLconf (`headlines.urls`) and the admin's checks read the admin's modules instead.
    `default = False`: `CoreConfig` stays this module's configuration of `headlines.core`."""

    default = False

    def ready(self) -> None:
        from django.contrib.admin.checks import check_dependencies

        checks.register(check_dependencies, checks.Tags.admin)
        checks.register(check_admin_app, checks.Tags.admin)


def check_admin_app(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django's checks of every registered ModelAdmin, after the registry is filled (checks run
    in no set order: the URLconf may not have been loaded yet)."""
    from django.contrib import admin
    from django.contrib.admin.checks import check_admin_app as check_registered

    admin.autodiscover()
    return list(check_registered(app_configs, **kwargs))
