"""Delivery's background jobs: the scheduler's tick and the per-digest sender."""

from __future__ import annotations

from headlines.core import jobs
from headlines.core.jobs import job
from headlines.core.scheduler import every


@job("delivery.dispatch", long=True)
def dispatch() -> dict[str, int]:
    from headlines.delivery import services

    return services.delivery_dispatch()


@job("delivery.send", long=True)
def send(digest_id: int) -> dict[str, int]:
    from headlines.delivery import services

    return services.delivery_send_due(digest_id=digest_id)


@job("delivery.send_now", long=True)
def send_now(digest_id: int) -> dict[str, int]:
    from headlines.delivery import services

    progress = services.delivery_send_now(digest_id=digest_id, stop=jobs.stop_requested())
    return {"sent": progress.sent, "total": progress.total}


every(30, "delivery.dispatch")
