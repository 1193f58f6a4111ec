"""The embedded worker of `headlines run` (its own process beside the web processes), stopped in
the middle of a sign-up spike and started again: every sign-up that was stored gets its
confirmation email, none is lost. Stopped three ways: SIGTERM; SIGKILL to the parent alone (its
children notice and stop cleanly); SIGKILL to every process at once (a crash)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import SMTPPeer
from tests.delivery.children import Installation, free_port

# Its other processes run on databases the test makes (tests.delivery.children), not the
# suite's, and the test itself never touches the suite's: the PostgreSQL suite deselects it.
pytestmark = pytest.mark.own_database

WORKER_THREADS, JOB_BATCH = 4, 10
# A killed worker may have sent, per thread, the emails of one claimed batch not yet marked
# done: the in-flight window.
IN_FLIGHT = WORKER_THREADS * JOB_BATCH
SIGNUPS = 240


class Site:
    def __init__(self, tmp_path: Path, smtp_url: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.install = Installation(
            tmp_path,
            HEADLINES_SMTP_URL=smtp_url,
            HEADLINES_BASE_URL=self.base,
            HEADLINES_SIGNUP_RATE_PER_IP="1000000",
            HEADLINES_WORKER_THREADS=str(WORKER_THREADS),
            HEADLINES_JOB_BATCH=str(JOB_BATCH),
            HEADLINES_JOB_LEASE_SECONDS="3",
        )
        self.install.setup(readers=0)
        self.process: subprocess.Popen[bytes] | None = None
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def start(self) -> None:
        self.process, _ = self.install.serve(port=self.port, new_session=True)

    def stop(self, how: str) -> None:
        """ "sigterm" or "sigkill-parent" to the parent, or "sigkill-all" to every process; then
        wait until none of them is left."""
        assert self.process is not None
        if how == "sigkill-all":
            os.killpg(self.process.pid, signal.SIGKILL)
        else:
            self.process.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
        self.process.wait(timeout=60)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
        raise AssertionError("a process of `headlines run` outlived the stop")

    def form_token(self) -> str:
        with self.opener.open(f"{self.base}/signup/e1/", timeout=10) as response:
            page = response.read().decode()
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert found, page[:2000]
        return found.group(1)

    def sign_up(self, email: str, token: str) -> bool:
        data = urllib.parse.urlencode({"email": email, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            f"{self.base}/signup/e1/", data=data, headers={"Referer": f"{self.base}/signup/e1/"}
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status == 200
        except urllib.error.HTTPError as exc:
            exc.close()  # its connection, now: not by the collector during a later test
            return False
        except OSError:
            return False

    def stored(self) -> set[str]:
        """The addresses whose sign-up the database holds."""
        with sqlite3.connect(self.install.data_dir / "headlines.sqlite3") as db:
            rows = db.execute(
                "SELECT r.email FROM subscriptions_subscription s "
                "JOIN subscriptions_subscriber r ON r.id = s.subscriber_id "
                "WHERE s.status = 'pending'"
            ).fetchall()
        return {email for (email,) in rows}


def confirmations(peer: SMTPPeer) -> Counter[str]:
    with peer.lock:
        return Counter(
            m.recipients[0] for m in peer.received if "confirm" in str(m.message["Subject"])
        )


@pytest.mark.parametrize("how", ["sigterm", "sigkill-parent", "sigkill-all"])
def test_stopped_mid_signup_spike_then_restarted_every_confirmation_is_sent(
    tmp_path: Path, smtp_peer: SMTPPeer, how: str
) -> None:
    # A relay slower than the sign-ups: a backlog of confirmations waits when the stop comes.
    smtp_peer.reply_for = lambda rcpt: time.sleep(0.02)
    site = Site(tmp_path, f"{smtp_peer.url}?concurrency=4")
    site.start()
    token = site.form_token()
    accepted: list[str] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        email = f"reader{n}@example.org"
        if site.sign_up(email, token):
            with lock:
                accepted.append(email)

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(one, n) for n in range(SIGNUPS)]
        while len(accepted) < SIGNUPS // 3 and not all(f.done() for f in futures):
            time.sleep(0.01)
        site.stop(how)  # mid-spike: requests still arriving, confirmations still queued
    stored = site.stored()
    waiting = stored - set(confirmations(smtp_peer))
    assert set(accepted) <= stored, "every sign-up answered with thanks was stored"
    assert waiting, "the stop came while confirmations were still waiting"

    site.start()
    end = time.monotonic() + 90
    while not stored <= set(confirmations(smtp_peer)) and time.monotonic() < end:
        time.sleep(0.1)
    time.sleep(0.5)  # anything doubled would have arrived by now
    site.stop("sigterm")

    sent = confirmations(smtp_peer)
    assert stored <= set(sent), f"never confirmed: {sorted(stored - set(sent))[:5]}"
    assert set(sent) <= stored
    twice = sum(sent.values()) - len(sent)
    assert twice == 0 if how != "sigkill-all" else twice <= IN_FLIGHT


def test_a_pipe_read_sees_a_stop_though_nothing_is_written() -> None:
    """The worker's main thread reads the doorbell: a stop asked for while the pipe is quiet
    (a late signal handler, another thread) is seen, not after the next ring."""
    from headlines.core.worker import read_until_closed

    read_end, write_end = os.pipe()
    stop = threading.Event()
    rings: list[int] = []
    try:
        timer = threading.Timer(0.3, stop.set)
        timer.start()
        began = time.monotonic()
        read_until_closed(read_end, lambda: rings.append(1), stop=stop.is_set)
        assert time.monotonic() - began < 30 and stop.is_set() and rings == []
        os.write(write_end, b"!")  # a ring still wakes it, and a closed pipe still ends it
        os.close(write_end)
        write_end = -1
        read_until_closed(read_end, lambda: rings.append(1))
        assert rings == [1]
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)
