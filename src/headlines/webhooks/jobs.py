"""The webhook runner as a job: after each event, and on every scheduler tick for retries; and
the hourly purge of messages past HEADLINES_WEBHOOK_KEEP_DAYS."""

from __future__ import annotations

from headlines.core.jobs import job
from headlines.core.scheduler import every
from headlines.webhooks.runner import webhooks_deliver_due
from headlines.webhooks.services import webhook_messages_purge

DELIVER_EVERY_SECONDS = 15


@job("webhooks.deliver", long=True)
def deliver() -> dict[str, int]:
    return webhooks_deliver_due()


every(DELIVER_EVERY_SECONDS, "webhooks.deliver")


@job("webhooks.purge")
def purge() -> int:
    return webhook_messages_purge()


every(3600, "webhooks.purge")
