"""The distributed tier end to end, on PostgreSQL with real Celery workers on a real broker:
`headlines scheduler` ticks, several `headlines worker` processes share one send, and every
reader is mailed once (within the in-flight bound) when a worker is SIGKILLed or the broker's
connection drops."""

from __future__ import annotations

import contextlib
import datetime as dt
import signal
import socket
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import SMTPPeer, port_open, require
from tests.delivery.children import Installation, drop_postgres, fresh_postgres_url
from tests.delivery.proxy import TCPProxy
from tests.delivery.topics import expected, got, set_for
from tests.travel import child_now

BROKERS = {
    "rabbitmq": ("amqp://guest:guest@{host}:{port}//", 5672),
    "redis": ("redis://{host}:{port}/15", 6379),
}
THREADS, FLUSH = 2, 5
# A sender killed at any instant may have sent, per thread, up to FLUSH messages not yet
# recorded plus the one on the wire: the in-flight window.
IN_FLIGHT = THREADS * (FLUSH + 1)
READERS = 500
WORKER = ("worker", "--pool", "threads", "--concurrency", "1", "--loglevel", "WARNING")

# Its processes run on databases it makes, not the suite's: the PostgreSQL suite deselects it.
pytestmark = [pytest.mark.broker, pytest.mark.postgres, pytest.mark.own_database]


def broker_url(broker: str, port: int | None = None) -> str:
    template, default = BROKERS[broker]
    return template.format(host="127.0.0.1", port=port or default)


def _delete_queue(url: str, queue: str) -> None:
    from kombu import Connection

    # Best effort: the queue may never have been declared.
    with Connection(url, connect_timeout=5) as conn, contextlib.suppress(Exception):
        conn.default_channel.queue_delete(queue)


def slow_relay(peer: SMTPPeer, seconds: float) -> None:
    """A relay that takes its time over each recipient, so a send lasts long enough to share
    it, kill a worker in the middle of it, or cut the broker under it."""

    def answer(rcpt: str) -> None:
        time.sleep(seconds)

    peer.reply_for = answer


def killed_once_sending(victim: subprocess.Popen[bytes], at: int = 120) -> Callable[[int], None]:
    """A `Tier.deliver` callback: SIGKILL `victim` once `at` messages have arrived."""

    def kill(received: int) -> None:
        if received >= at and victim.poll() is None:
            victim.send_signal(signal.SIGKILL)

    return kill


def mailed(peer: SMTPPeer) -> Counter[str]:
    with peer.lock:
        return Counter(m.recipients[0] for m in peer.received)


class Tier:
    """One installation of the distributed tier: its workers, its scheduler ticks, its queue."""

    def __init__(self, tmp_path: Path, broker: str, postgres_url: str, smtp_url: str) -> None:
        require(
            port_open("127.0.0.1", BROKERS[broker][1]),
            f"{broker} is not running on 127.0.0.1:{BROKERS[broker][1]}",
        )
        self.broker = broker
        self.url = broker_url(broker)
        self.queue = f"headlines-test-{uuid.uuid4().hex[:10]}"
        self.postgres_url = postgres_url
        self.site = Installation(
            tmp_path,
            database_url=postgres_url,
            HEADLINES_BROKER_URL=self.url,
            HEADLINES_CELERY_QUEUE=self.queue,
            HEADLINES_SMTP_URL=smtp_url,
            HEADLINES_DELIVERY_BATCH="20",
            HEADLINES_DELIVERY_THREADS=str(THREADS),
            HEADLINES_DELIVERY_FLUSH=str(FLUSH),
            HEADLINES_DELIVERY_LEASE_SECONDS="3",
            HEADLINES_JOB_LEASE_SECONDS="5",
        )
        self.workers: list[subprocess.Popen[bytes]] = []
        self.scheduler: subprocess.Popen[bytes] | None = None

    def start_workers(self, count: int, *, loglevel: str = "WARNING", **env: str) -> None:
        for _ in range(count):
            self.workers.append(self.site.popen(*WORKER[:-1], loglevel, **env))
        self._wait_for_nodes(count)

    def full_log(self) -> str:
        return (self.site.data_dir / "children.log").read_text(errors="replace")

    def job_ids(self, kind: str) -> list[int]:
        import psycopg

        with psycopg.connect(self.postgres_url) as conn:
            rows = conn.execute("SELECT id FROM core_job WHERE kind = %s", (kind,)).fetchall()
        return [job_id for (job_id,) in rows]

    def _wait_for_nodes(self, count: int) -> None:
        """Until `count` of this tier's workers answer a ping, each under its own node name
        (headlines@<host>-<pid>). A ping reaches every worker on the broker, so workers of
        another test run on this machine (another suite, another checkout) answer too: only
        ours count."""
        from celery import Celery

        ours = {f"headlines@{socket.gethostname()}-{worker.pid}" for worker in self.workers}
        app = Celery(broker=self.url)
        end = time.monotonic() + 60
        names: set[str] = set()
        while len(names) < count and time.monotonic() < end:
            for worker in self.workers:
                assert worker.poll() is None, self.site.log()
            names = {name for reply in app.control.ping(timeout=1.0) for name in reply}
            names &= ours
        app.close()
        assert len(names) >= count, f"workers answering: {names}\n{self.site.log()}"

    def start_scheduler(self) -> None:
        """`headlines scheduler`: its first tick dispatches the digest at once."""
        self.scheduler = self.site.popen("scheduler", HEADLINES_SCHEDULER_TICK_SECONDS="2")

    def deliver(
        self, peer: SMTPPeer, readers: int, during: Callable[[int], None] | None = None
    ) -> None:
        self.start_scheduler()
        end = time.monotonic() + 120
        while len(mailed(peer)) < readers and time.monotonic() < end:
            if during is not None:
                during(len(peer.received))
            time.sleep(0.05)
        time.sleep(1.0)  # anything doubled would have arrived by now

    def senders(self) -> set[str]:
        """The processes (host:pid) that sent the digest's messages."""
        import psycopg

        with psycopg.connect(self.postgres_url) as conn:
            owners = conn.execute(
                "SELECT DISTINCT lease_owner FROM delivery_delivery WHERE state = 'sent'"
            ).fetchall()
        return {":".join(owner.split(":")[:2]) for (owner,) in owners}

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.kill()
            self.scheduler.wait()
        for worker in self.workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
        for worker in self.workers:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=30)
            if worker.poll() is None:
                worker.kill()
        for queue in (self.queue, f"{self.queue}.long"):
            _delete_queue(self.url, queue)


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database with READERS confirmed readers whose evening has come, made once;
    each test sends from its own copy of it."""
    require(port_open("127.0.0.1", 5432), "PostgreSQL is not running on 127.0.0.1:5432")
    url = fresh_postgres_url(migrated=True)
    # The scheduler and workers are children: they read the real clock, even in a travelled run.
    due = child_now() - dt.timedelta(minutes=10)
    Installation(tmp_path_factory.mktemp("seeded"), database_url=url).setup(
        readers=READERS, send_at=due.strftime("%H:%M"), day=due.date().isoformat()
    )
    yield url
    drop_postgres(url)


@pytest.fixture
def tier_for(tmp_path: Path, smtp_peer: SMTPPeer, seeded: str) -> Iterator[Callable[..., Tier]]:
    made: list[Tier] = []
    url = fresh_postgres_url(template=seeded)

    def make(broker: str, relay_seconds: float = 0.004) -> Tier:
        """A tier on `broker` whose relay takes `relay_seconds` over each recipient."""
        slow_relay(smtp_peer, relay_seconds)
        tier = Tier(tmp_path, broker, url, f"{smtp_peer.url}?concurrency=4")
        made.append(tier)
        return tier

    yield make
    for tier in made:
        tier.stop()
    drop_postgres(url)


def test_two_workers_share_one_send_and_mail_each_reader_once(
    tier_for: Callable[..., Tier], smtp_peer: SMTPPeer
) -> None:
    readers = READERS
    tier = tier_for("rabbitmq")
    tier.start_workers(2, loglevel="INFO")

    tier.deliver(smtp_peer, readers)

    got = mailed(smtp_peer)
    assert len(got) == readers, tier.site.log()
    assert set(got.values()) == {1}
    assert len(tier.senders()) == 2, "both workers took part in the send"
    # Celery's own log lines name each task by its job, not by a bare UUID.
    sends = tier.job_ids("delivery.send")
    assert sends and any(f"headlines.run_job[job-{j}-" in tier.full_log() for j in sends), (
        tier.site.log()
    )


@pytest.mark.parametrize("broker", ["rabbitmq", "redis"])
def test_a_worker_killed_mid_send_leaves_its_readers_to_the_other(
    tier_for: Callable[..., Tier], smtp_peer: SMTPPeer, broker: str
) -> None:
    readers = READERS
    tier = tier_for(broker)
    tier.start_workers(2)
    victim = tier.workers[0]

    tier.deliver(smtp_peer, readers, during=killed_once_sending(victim))

    got = mailed(smtp_peer)
    assert victim.poll() == -signal.SIGKILL
    assert len(got) == readers, tier.site.log()
    assert sum(got.values()) - readers <= IN_FLIGHT
    assert len(tier.senders()) == 2, "both workers took part in the send"


def test_a_worker_stopped_mid_send_gives_back_its_readers_and_mails_nobody_twice(
    tier_for: Callable[..., Tier], smtp_peer: SMTPPeer
) -> None:
    # SIGTERM (`systemctl stop`, an upgrade's restart): Celery's warm shutdown waited for the
    # task in hand, a whole send, so the worker went on sending to the end, or until SIGKILL
    # cut it off with replies unrecorded. Now its send stops between messages, gives back what
    # it claimed, and the worker leaves while the other sends the rest.
    readers = READERS
    tier = tier_for("redis", relay_seconds=0.02)
    tier.start_workers(2)
    victim = tier.workers[0]
    signalled: list[int] = []
    gone: list[int] = []

    def stop_once_sending(received: int) -> None:
        if received >= 100 and not signalled:
            victim.send_signal(signal.SIGTERM)
            signalled.append(received)
        elif signalled and not gone and victim.poll() is not None:
            gone.append(received)

    tier.deliver(smtp_peer, readers, during=stop_once_sending)

    got = mailed(smtp_peer)
    assert len(got) == readers, tier.site.log()
    assert set(got.values()) == {1}, "a clean stop mails nobody twice"
    assert victim.poll() == 0, tier.site.log()
    assert gone and gone[0] <= readers - 100, (signalled, gone)  # gone well before the end
    assert len(tier.senders()) == 2


def test_the_broker_connection_dropped_and_restored_mid_send(
    tier_for: Callable[..., Tier], smtp_peer: SMTPPeer
) -> None:
    readers = READERS
    tier = tier_for("rabbitmq")
    proxy = TCPProxy("127.0.0.1", BROKERS["rabbitmq"][1])
    try:
        tier.start_workers(2, HEADLINES_BROKER_URL=broker_url("rabbitmq", proxy.port))
        outage: list[float] = []

        def drop_then_restore(received: int) -> None:
            if received >= 100 and not outage:
                proxy.cut()
                outage.append(time.monotonic())
            elif (
                outage
                and proxy.cuts == 1
                and not proxy.open
                # Back after 3 s, or sooner if the send got on without it: restored mid-send
                # either way, so the rest of the readers go out after the broker came back.
                and (time.monotonic() > outage[0] + 3 or received >= readers * 3 // 5)
            ):
                proxy.restore()

        tier.deliver(smtp_peer, readers, during=drop_then_restore)
        assert proxy.cuts == 1 and proxy.open
        # The workers came back to the broker: a new send goes through them.
        tier._wait_for_nodes(2)
    finally:
        proxy.close()

    got = mailed(smtp_peer)
    assert len(got) == readers, tier.site.log()
    assert sum(got.values()) - readers <= 2 * IN_FLIGHT
    assert all(worker.poll() is None for worker in tier.workers), tier.site.log()


@pytest.fixture(scope="session")
def seeded_topics(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like `seeded`, with topics: the readers on six topic sets (tests.delivery.topics)."""
    require(port_open("127.0.0.1", 5432), "PostgreSQL is not running on 127.0.0.1:5432")
    url = fresh_postgres_url(migrated=True)
    due = child_now() - dt.timedelta(minutes=10)  # by the workers' clock (tests/travel.py)
    Installation(tmp_path_factory.mktemp("seeded-topics"), database_url=url).setup(
        readers=READERS, send_at=due.strftime("%H:%M"), day=due.date().isoformat(), topics=True
    )
    yield url
    drop_postgres(url)


def test_readers_on_several_topic_sets_get_their_stories_from_workers_one_killed(
    tmp_path: Path, smtp_peer: SMTPPeer, seeded_topics: str
) -> None:
    url = fresh_postgres_url(template=seeded_topics)
    tier = Tier(tmp_path, "rabbitmq", url, f"{smtp_peer.url}?concurrency=4")
    try:
        slow_relay(smtp_peer, 0.004)
        tier.start_workers(2)
        victim = tier.workers[0]

        tier.deliver(smtp_peer, READERS, during=killed_once_sending(victim))
        assert victim.poll() == -signal.SIGKILL
        with smtp_peer.lock:
            mails = list(smtp_peer.received)
        assert len({m.recipients[0] for m in mails}) == READERS, tier.site.log()
        for mail in mails:  # every copy, the ones sent twice around the kill included
            topics = set_for(mail.recipients[0])
            assert got(mail.text()) == expected(topics), (mail.recipients[0], topics)
    finally:
        tier.stop()
        drop_postgres(url)
