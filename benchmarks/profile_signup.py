"""Where a sign-up's time goes, in one process through Django's handler (no waitress).

Not part of `make bench` (its name does not start with bench_). Fresh SQLite data dir each run:

    python -m benchmarks.profile_signup time           # CPU ms per GET, POST, email, /healthz
    python -m benchmarks.profile_signup profile [N]    # cProfile of N sign-ups, then of emails
    python -m benchmarks.profile_signup threads N      # N threads of sign-ups: rate, p50, p99

Email jobs are held back while the requests run (a backend that only collects them), so the
request path and the email are measured apart; `threads` runs them on two worker threads.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import re
import sys
import tempfile
import threading
import time
from typing import Any

TOKEN = re.compile(r'name="token" value="([^"]+)"')


class Collect:
    """A job backend that keeps the doorbells for later."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def ring(self, job_ids: list[int], delay: float = 0.0, **_: Any) -> None:
        self.ids += job_ids


def setup() -> Collect:
    os.environ["HEADLINES_DATA_DIR"] = tempfile.mkdtemp(prefix="profile-signup-")
    os.environ["HEADLINES_TRUSTED_PROXIES"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "headlines.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from headlines.core import jobs
    from headlines.core.services import edition_create

    call_command("migrate", interactive=False, verbosity=0)
    backend = Collect()
    jobs.set_backend(backend)  # type: ignore[arg-type]
    edition_create(slug="bench", name="Bench", timezone="UTC")
    return backend


def sign_up(client: Any, n: int, clock: Any = time.perf_counter) -> tuple[float, float]:
    """One widget GET and POST from client address n; (GET seconds, POST seconds)."""
    address = f"100.64.{(n >> 8) % 256}.{n % 256}"
    started = clock()
    page = client.get("/widget/bench/", HTTP_X_FORWARDED_FOR=address).content.decode()
    got = clock()
    token = TOKEN.search(page)
    assert token
    data = {"email": f"r{n}@example.com", "token": token.group(1)}
    response = client.post("/widget/bench/", data, HTTP_X_FORWARDED_FOR=address)
    assert response.status_code == 200, response.status_code
    return got - started, clock() - got


def run_emails(backend: Collect, count: int) -> float:
    from headlines.core import jobs

    started = time.process_time()
    for job_id in backend.ids[:count]:
        jobs.run_by_id(job_id)
    return time.process_time() - started


def timed(count: int = 500) -> None:
    from django.test import Client

    backend, client = setup(), None
    client = Client()
    for n in range(50):
        sign_up(client, n)
    backend.ids.clear()
    gets = posts = 0.0
    for n in range(100, 100 + count):
        get, post = sign_up(client, n, clock=time.process_time)
        gets, posts = gets + get, posts + post
    started = time.process_time()
    for _ in range(count):
        client.get("/healthz")
    health = time.process_time() - started
    emails = run_emails(backend, count)
    print(
        f"GET {gets / count * 1000:.2f} ms, POST {posts / count * 1000:.2f} ms, "
        f"email job {emails / count * 1000:.2f} ms, /healthz {health / count * 1000:.2f} ms"
    )


def profiled(count: int) -> None:
    from django.test import Client

    backend = setup()
    client = Client()
    for n in range(50):
        sign_up(client, n)
    backend.ids.clear()
    profile = cProfile.Profile()
    profile.enable()
    for n in range(100, 100 + count):
        sign_up(client, n)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
    pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    profile = cProfile.Profile()
    profile.enable()
    run_emails(backend, count)
    profile.disable()
    pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


def threaded(threads: int, total: int = 1200) -> None:
    setup()
    from django.db import connections
    from django.test import Client

    from headlines.core import jobs
    from headlines.core.worker import EmbeddedWorker

    worker = EmbeddedWorker.from_settings().start()
    jobs.set_backend(worker)
    latencies: list[float] = []
    guard, counter = threading.Lock(), iter(range(total))

    def reader() -> None:
        client = Client()
        for n in counter:
            get, post = sign_up(client, n)
            with guard:
                latencies.append(get + post)
        connections.close_all()

    started = time.perf_counter()
    pool = [threading.Thread(target=reader) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    took = time.perf_counter() - started
    worker.stop()
    latencies.sort()
    print(
        f"{threads} threads: {len(latencies) / took:.0f} sign-ups/s, "
        f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms"
    )


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "time"
    if mode == "profile":
        profiled(int(sys.argv[2]) if len(sys.argv) > 2 else 300)
    elif mode == "threads":
        threaded(int(sys.argv[2]) if len(sys.argv) > 2 else 4)
    else:
        timed()


if __name__ == "__main__":
    main()
