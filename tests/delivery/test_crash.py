"""Senders in other processes: killed at random moments, stopped by Ctrl-C, and two at once on
PostgreSQL."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from headlines import cli
from tests.conftest import SMTPPeer
from tests.delivery.children import Installation, free_port
from tests.delivery.topics import expected, got, set_for

# Its other processes run on databases the test makes (tests.delivery.children), not the
# suite's, and the test itself never touches the suite's: the PostgreSQL suite deselects it.
pytestmark = pytest.mark.own_database

THREADS, FLUSH = 2, 10
SENDER_ENV = {
    "HEADLINES_DELIVERY_THREADS": str(THREADS),
    "HEADLINES_DELIVERY_FLUSH": str(FLUSH),
    "HEADLINES_DELIVERY_BATCH": "25",
    "HEADLINES_DELIVERY_LEASE_SECONDS": "2",
}
SEND = ("send", "--edition", "e1", "--date", "2026-11-25")


def received(peer: SMTPPeer) -> Counter[str]:
    with peer.lock:
        return Counter(m.recipients[0] for m in peer.received)


def wait_for(peer: SMTPPeer, count: int, child: object, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while len(peer.received) < count and time.monotonic() < end:
        if child.poll() is not None:
            return
        time.sleep(0.01)


def test_a_sender_killed_at_random_moments_then_restarted(
    tmp_path: Path, smtp_peer: SMTPPeer
) -> None:
    readers = 5000
    site = Installation(tmp_path, HEADLINES_SMTP_URL=f"{smtp_peer.url}?concurrency=4", **SENDER_ENV)
    site.setup(readers=readers)
    rng = random.Random(os.environ.get("HEADLINES_TEST_SEED", "5000"))
    kills = 0
    for _ in range(3):
        child = site.popen(*SEND)
        wait_for(smtp_peer, len(smtp_peer.received) + rng.randint(150, 1200), child)
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)
            kills += 1
        child.wait(timeout=30)

    done = site.run(*SEND, timeout=120)  # the restart finishes the job and exits 0

    got = received(smtp_peer)
    assert len(got) == readers, "every reader got the digest"
    duplicates = sum(got.values()) - readers
    # At a kill each thread may hold up to FLUSH accepted replies not yet in the ledger, but its
    # journal has them (delivery.journal) and the restart records them: what can go twice is the
    # message on the wire, that the relay took and the thread never heard accepted, one a thread.
    assert duplicates <= kills * THREADS
    assert kills >= 1 and "nothing left to send" in done.stdout
    # The restart says what it sent itself beside what the killed runs had recorded.
    said = re.search(r"sent (\d+) \((\d+) now, (\d+) before\),", done.stdout)
    assert said, done.stdout
    total, now, before = (int(n) for n in said.groups())
    assert total == readers and now + before == readers and before > 0


def test_ctrl_c_on_a_send_waiting_for_a_relay_that_is_down(tmp_path: Path) -> None:
    # The operator's Ctrl-C on `headlines send` waiting for its deferred readers printed a
    # KeyboardInterrupt traceback out of the send's wait, as if it were a bug.
    site = Installation(tmp_path, HEADLINES_SMTP_URL=f"smtp://127.0.0.1:{free_port()}")
    site.setup(readers=3)
    child = site.popen(*SEND)
    end = time.monotonic() + 60
    while "cannot connect" not in site.log() and time.monotonic() < end:
        assert child.poll() is None, site.log()
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    assert child.wait(timeout=30) == cli.EXIT_INTERRUPTED == 130, site.log()
    assert "Traceback" not in site.log() and "headlines: interrupted" in site.log(), site.log()


@pytest.mark.parametrize(
    ("signum", "status"), [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 130)]
)
def test_a_send_stopped_mid_send_by_sigterm_or_ctrl_c_mails_nobody_twice_when_run_again(
    tmp_path: Path, smtp_peer: SMTPPeer, signum: int, status: int
) -> None:
    # `systemctl stop` (SIGTERM) or Ctrl-C on a send behind a slow relay: it died at once, the
    # replies of up to FLUSH messages per thread unrecorded, and the next run (or the new release
    # after an upgrade) mailed those readers the same digest again.
    readers = 80
    smtp_peer.data_delay = 0.05
    site = Installation(tmp_path, HEADLINES_SMTP_URL=smtp_peer.url, **SENDER_ENV)
    site.setup(readers=readers)
    child = site.popen(*SEND)
    wait_for(smtp_peer, FLUSH + 5, child)
    assert child.poll() is None, site.log()
    child.send_signal(signum)
    code = child.wait(timeout=30)
    stopped, said = len(smtp_peer.received), site.log()

    smtp_peer.data_delay = 0
    done = site.run(*SEND, timeout=120)

    got = received(smtp_peer)
    assert len(got) == readers and set(got.values()) == {1}, "every reader once, none twice"
    assert FLUSH < stopped < readers, "stopped mid-send, after more than a flush's worth"
    assert code == status, said
    assert re.search(rf"stopped after {stopped} sent .*run it again to go on", said), said
    assert "Traceback" not in said
    assert f"sent {readers} ({readers - stopped} now, {stopped} before)" in done.stdout


def test_headlines_run_stopped_mid_send_mails_nobody_twice_when_the_send_goes_on(
    tmp_path: Path, smtp_peer: SMTPPeer
) -> None:
    # The embedded tier stopped for an upgrade while its worker sends behind a slow relay: the
    # worker waited 10 s for the send job, then exited under it, its unrecorded replies lost,
    # and the next sender mailed those readers again.
    readers = 80
    smtp_peer.data_delay = 0.5  # 20 s for the whole send on 2 threads: longer than a stop waits
    site = Installation(tmp_path, HEADLINES_SMTP_URL=smtp_peer.url, **SENDER_ENV)
    site.setup(readers=readers)
    # The API's "send now" job, left in the job table for the worker (no backend runs it here).
    queue_send_now = (
        "import django; django.setup(); from headlines.core import jobs; "
        "from headlines.digests.models import Digest; "
        "jobs.set_backend(type('Nobody', (), {'ring': lambda *a, **k: None})()); "
        "jobs.enqueue('delivery.send_now', digest_id=Digest.objects.get().pk)"
    )
    subprocess.run(
        [sys.executable, "-c", queue_send_now],
        env={**site.env, "DJANGO_SETTINGS_MODULE": "headlines.settings"},
        check=True,
        timeout=60,
    )
    child, _ = site.serve("--processes", "1", new_session=True)
    wait_for(smtp_peer, FLUSH + 5, child, timeout=90)
    assert child.poll() is None, site.log()
    child.send_signal(signal.SIGTERM)
    code = child.wait(timeout=60)
    stopped = len(smtp_peer.received)

    smtp_peer.data_delay = 0
    site.run(*SEND, timeout=120)

    got = received(smtp_peer)
    assert len(got) == readers and set(got.values()) == {1}, "every reader once, none twice"
    assert FLUSH < stopped < readers, "stopped mid-send, after more than a flush's worth"
    assert code == 0, site.log()


@pytest.mark.postgres
def test_two_senders_in_two_processes_on_postgresql_mail_no_reader_twice(
    tmp_path: Path, smtp_peer: SMTPPeer, postgres_url: str
) -> None:
    readers = 1500
    site = Installation(
        tmp_path,
        database_url=postgres_url,
        HEADLINES_SMTP_URL=f"{smtp_peer.url}?concurrency=4",
        **{**SENDER_ENV, "HEADLINES_DELIVERY_LEASE_SECONDS": "60"},
    )
    site.setup(readers=readers)
    first, second = site.popen(*SEND), site.popen(*SEND)
    codes = (first.wait(timeout=120), second.wait(timeout=120))

    got = received(smtp_peer)
    assert codes == (0, 0)
    assert len(got) == readers and set(got.values()) == {1}


def test_readers_on_several_topic_sets_each_get_their_stories_across_a_crash(
    tmp_path: Path, smtp_peer: SMTPPeer
) -> None:
    readers = 1200
    site = Installation(tmp_path, HEADLINES_SMTP_URL=f"{smtp_peer.url}?concurrency=4", **SENDER_ENV)
    site.setup(readers=readers, topics=True)
    child = site.popen(*SEND)
    wait_for(smtp_peer, 300, child)
    killed = child.poll() is None
    if killed:
        os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)

    site.run(*SEND, timeout=120)

    assert killed, "the sender was killed mid-send"
    with smtp_peer.lock:
        mails = list(smtp_peer.received)
    assert len({m.recipients[0] for m in mails}) == readers
    for mail in mails:  # every copy, the ones sent twice around the kill included
        topics = set_for(mail.recipients[0])
        assert got(mail.text()) == expected(topics), (mail.recipients[0], topics)


def test_a_second_signal_arriving_inside_the_first_ones_handler_stops_at_once() -> None:
    # The first signal's handler sets a threading.Event, which takes a lock; a second signal
    # handled inside that call ran the handler again in the same thread, and it could wait
    # forever for the lock its own outer frame held.
    from headlines.delivery.management.commands import send
    from tests.signals import signalled_inside_set

    Interrupted, entered = signalled_inside_set()
    with send._stop_on_signal() as stop:
        stop.event = Interrupted()
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):
                pass
    assert entered == [True] and stop.signum == signal.SIGTERM
