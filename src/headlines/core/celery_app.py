"""The Celery application of the distributed tier: one generic task, a doorbell, that claims a
job row by its id and runs it (see core.jobs). The message carries only the id."""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from celery import Celery
from celery.signals import worker_shutting_down

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headlines.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import close_old_connections  # noqa: E402

from headlines.core import jobs  # noqa: E402

# Set when this worker begins to stop (SIGTERM: `systemctl stop`, an upgrade's restart). Made
# here, before a prefork pool forks, so every process of the worker shares it. Celery's warm
# shutdown waits for the tasks in hand, and a send's task lasts the whole send: the worker went
# on sending until the digest was done, or until SIGKILL cut it off with replies unrecorded
# (readers mailed twice). A send watching this stops between messages and gives back what it
# claimed and did not send, as `headlines run`'s worker and `headlines send` do.
_stopping = multiprocessing.Event()


@worker_shutting_down.connect
def _stop_jobs(**kwargs: Any) -> None:
    _stopping.set()


app = Celery("headlines")
app.conf.update(
    broker_url=settings.CONFIG["HEADLINES_BROKER_URL"],
    task_default_queue=settings.CONFIG["HEADLINES_CELERY_QUEUE"],
    task_serializer="json",
    accept_content=["json"],
    # A job's message is acknowledged only after it ran: a killed worker's job is redelivered.
    # Jobs are idempotent, so a redelivery costs only time.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    # A doorbell that cannot be published is not worth holding a web request for: the job is
    # in the database and the scheduler rings again for it.
    task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
    broker_connection_timeout=5,
    # A send carries on through a broker outage: its state is in the database, not the broker.
    # (Celery 6 would otherwise cancel it when the connection drops.)
    worker_cancel_long_running_tasks_on_connection_loss=False,
)


def queue_for(*, long: bool) -> str:
    """Long jobs' doorbells (sends, ingest, builds) go to a queue of their own, so a worker
    started with `--queues short` is always free for sign-up emails."""
    queue = str(settings.CONFIG["HEADLINES_CELERY_QUEUE"])
    return f"{queue}.long" if long else queue


@app.task(name="headlines.run_job")
def run_job_task(job_id: int | str, kwargs: dict[str, Any] | None = None) -> None:
    close_old_connections()
    try:
        if isinstance(job_id, str):
            # A message from a release before durable jobs (name, kwargs): run it as it was.
            jobs.registered()[job_id](**(kwargs or {}))
        else:
            jobs.run_by_id(int(job_id), stop=_stopping)
    finally:
        close_old_connections()
