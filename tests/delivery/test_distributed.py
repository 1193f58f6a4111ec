"""The distributed tier end to end: `headlines scheduler` ticks, Celery workers on a real broker
run the same dispatch and send jobs, every reader is mailed once."""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SMTPPeer, port_open, require
from tests.delivery.children import Installation
from tests.travel import child_now

BROKERS = {
    "rabbitmq": ("amqp://guest:guest@127.0.0.1:5672//", 5672),
    "redis": ("redis://127.0.0.1:6379/15", 6379),
}


def _delete_queue(url: str, queue: str) -> None:
    from kombu import Connection

    # Best effort: the queue may never have been declared.
    with Connection(url, connect_timeout=5) as conn, contextlib.suppress(Exception):
        conn.default_channel.queue_delete(queue)


@pytest.mark.broker
@pytest.mark.parametrize("broker", ["rabbitmq", "redis"])
def test_scheduler_and_celery_workers_deliver_each_reader_once(
    tmp_path: Path, smtp_peer: SMTPPeer, broker: str
) -> None:
    url, port = BROKERS[broker]
    require(port_open("127.0.0.1", port), f"{broker} is not running on 127.0.0.1:{port}")
    queue = f"headlines-test-{uuid.uuid4().hex[:10]}"
    readers = 300
    # The scheduler and workers are children: they read the real clock, even in a travelled run.
    due = child_now() - dt.timedelta(minutes=10)
    site = Installation(
        tmp_path,
        HEADLINES_BROKER_URL=url,
        HEADLINES_CELERY_QUEUE=queue,
        HEADLINES_SMTP_URL=smtp_peer.url,
        HEADLINES_DELIVERY_BATCH="50",
        HEADLINES_DELIVERY_THREADS="2",
    )
    site.setup(readers=readers, send_at=due.strftime("%H:%M"), day=due.date().isoformat())
    worker = site.popen(
        "worker", "--pool", "threads", "--concurrency", "2", "--loglevel", "WARNING"
    )
    try:
        site.run("scheduler", "--once")
        end = time.monotonic() + 60
        while len(smtp_peer.received) < readers and time.monotonic() < end:
            assert worker.poll() is None, site.log()
            time.sleep(0.1)
        time.sleep(0.5)  # anything doubled would have arrived by now
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        _delete_queue(url, queue)
    got = Counter(m.recipients[0] for m in smtp_peer.received)
    assert len(got) == readers, site.log()
    assert set(got.values()) == {1}
