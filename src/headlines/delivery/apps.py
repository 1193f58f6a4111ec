from typing import Any

from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "headlines.delivery"
    label = "delivery"

    def ready(self) -> None:
        from headlines.core.signals import edition_timing_changed

        edition_timing_changed.connect(_retime_edition, dispatch_uid="delivery.retime_edition")


def _retime_edition(sender: Any, *, edition_id: int, now: Any, **kwargs: Any) -> int:
    """Staff changed an edition's zone or send time: its waiting deliveries move with it."""
    from headlines.delivery.services import deliveries_retime_edition

    return deliveries_retime_edition(edition_id=edition_id, now=now)
