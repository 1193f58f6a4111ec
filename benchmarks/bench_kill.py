"""Readers mailed twice when `headlines send` is killed (SIGKILL) mid-send, by relay speed.

`python -m benchmarks bench_kill` (or `make bench`). For each relay speed, a fresh SQLite
installation with BENCH_KILL_READERS confirmed readers (default 1000) and an approved digest;
`headlines send` at the product's defaults (4 threads, HEADLINES_DELIVERY_FLUSH 50; a 2-s lease
so a killed sender's rows come back quickly) to an aiosmtpd relay in this process that counts
every copy each reader receives and answers each message after a delay (none, 20 ms, 100 ms:
a relay that takes 1,000, 50 or 10 messages a second a connection). The send is SIGKILLed
BENCH_KILLS times (default 5), each after a random 40-150 more messages (seeded), started again
each time, and finally left to finish. The figure is copies beyond the first, per kill. Each
accepted message is in the killed sender's journal (delivery/journal.py) the moment its 250 is
read, and the next sender records it from there: what can still go twice is the message on the
wire of each thread, that the relay took and whose 250 the sender never read. (Before the
journal, every 250 not yet written to the ledger went again: a tenth of a second's a thread.)
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.bench_delivery import sending_setup

REPO = Path(__file__).resolve().parents[1]
HEADLINES = str(Path(sys.executable).with_name("headlines"))
DELAYS = (0.0, 0.02, 0.1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class CountingRelay:
    """An aiosmtpd relay that counts each recipient's copies and waits `delay` before its 250."""

    def __init__(self, delay: float) -> None:
        from aiosmtpd.controller import Controller

        self.delay = delay
        self.copies: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=_free_port())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.copies.update(envelope.rcpt_tos)
        return "250 2.0.0 Ok: queued"

    def received(self) -> int:
        with self.lock:
            return sum(self.copies.values())

    def __enter__(self) -> CountingRelay:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def seed(readers: int) -> None:
    """In a child: a fresh installation with `readers` readers and an approved digest."""
    data = sending_setup("ed25519", prefix="bench-kill-")
    from django.core.management import call_command

    from benchmarks.bench_delivery import make_digest

    call_command("migrate", verbosity=0)
    digest = make_digest(readers)
    print(data, digest.edition.slug, digest.date.isoformat())


def one_speed(delay: float, readers: int, kills: int, rng: random.Random) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_kill", "seed", str(readers)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    data, slug, day = out.stdout.split()[-3:]
    with CountingRelay(delay) as relay:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")},
            "HEADLINES_DATA_DIR": data,
            "HEADLINES_SECRET_KEY": "bench",
            "HEADLINES_DKIM_SELECTOR": "bench",
            "HEADLINES_DKIM_KEY_FILE": str(Path(data) / "dkim.pem"),
            "HEADLINES_DELIVERY_LEASE_SECONDS": "2",
            "HEADLINES_LOG_LEVEL": "ERROR",
            "HEADLINES_SMTP_URL": f"smtp://127.0.0.1:{relay.controller.port}?concurrency=4",
        }
        send = [HEADLINES, "send", "--edition", slug, "--date", day]
        killed = 0
        started = time.monotonic()
        with tempfile.TemporaryFile() as log:
            for _ in range(kills):
                child = subprocess.Popen(send, env=env, cwd=REPO, stdout=log, stderr=log)
                goal = relay.received() + rng.randint(40, 150)
                while relay.received() < goal and child.poll() is None:
                    time.sleep(0.002)
                if child.poll() is None:
                    child.send_signal(signal.SIGKILL)
                    killed += 1
                child.wait()
            done = subprocess.run(send, env=env, cwd=REPO, stdout=log, stderr=log)
            if done.returncode != 0:
                log.seek(0)
                raise SystemExit(log.read().decode(errors="replace")[-3000:])
        elapsed = time.monotonic() - started
    reached = len(relay.copies)
    twice = sum(relay.copies.values()) - reached
    return {
        "delay_ms": round(delay * 1000),
        "readers": readers,
        "reached": reached,
        "kills": killed,
        "extra_copies": twice,
        "per_kill": round(twice / killed, 1) if killed else 0.0,
        "seconds": round(elapsed, 1),
    }


def main() -> None:
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        print("aiosmtpd not installed (make install-test); skipped")
        return
    readers = int(os.environ.get("BENCH_KILL_READERS", "1000"))
    kills = int(os.environ.get("BENCH_KILLS", "5"))
    rng = random.Random(20261204)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print("relay delay  readers  reached  kills  extra copies  per kill  seconds")
    for delay in DELAYS:
        r = one_speed(delay, readers, kills, rng)
        print(
            f"{r['delay_ms']:>8} ms {r['readers']:>8} {r['reached']:>8} {r['kills']:>6} "
            f"{r['extra_copies']:>13} {r['per_kill']:>9} {r['seconds']:>8}",
            flush=True,
        )
        assert r["reached"] == readers, "a reader was lost"


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        seed(int(sys.argv[2]))
    else:
        main()
