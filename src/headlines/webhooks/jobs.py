"""The webhook runner as a job: after each event, and on every scheduler tick for retries; and
the hourly purge of messages past HEADLINES_WEBHOOK_KEEP_DAYS."""

from __future__ import annotations

from headlines.core.jobs import job
from headlines.core.scheduler import every

DELIVER_EVERY_SECONDS = 15


@job("webhooks.deliver", long=True)
def deliver() -> dict[str, int]:
    from headlines.webhooks.runner import webhooks_deliver_due

    return webhooks_deliver_due()


every(DELIVER_EVERY_SECONDS, "webhooks.deliver")


@job("webhooks.purge", long=True)  # a backlog takes seconds: see core.jobs_purge
def purge() -> int:
    from headlines.webhooks.services import webhook_messages_purge

    return webhook_messages_purge()


every(3600, "webhooks.purge")
