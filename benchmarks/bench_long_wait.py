"""A long job that comes due behind a backlog of short ones: how long it waits to start.

A sign-up spike that outruns the embedded worker (whose process runs niced under the web's)
leaves thousands of confirmation emails due at once; the evening's send, the hourly
housekeeping and the ingest are long jobs. This queues BENCH_LONG_BACKLOG short jobs (default
4,000), each BENCH_SHORT_MS milliseconds of waiting (default 5: an SMTP relay's answer), then
one long job due, and starts the embedded worker with its default threads and batch: it prints
the time the backlog takes to drain (the baseline), and how long after the worker's start the
long job started, and that as a share of the drain. Three rounds; a fresh database (SQLite in
a temporary data dir, or PostgreSQL with BENCH_DATABASE_URL, dropped and made again).

`python -m benchmarks bench_long_wait`
"""

from __future__ import annotations

import os
import threading
import time

from benchmarks import NoDoorbell, drain, fresh_database


def main() -> None:
    if not fresh_database("bench-long-wait-", __name__):
        return
    from django.conf import settings
    from django.db import transaction

    from headlines.core import jobs
    from headlines.core.models import Job

    backlog = int(os.environ.get("BENCH_LONG_BACKLOG", "4000"))
    short_seconds = float(os.environ.get("BENCH_SHORT_MS", "5")) / 1000
    config = settings.CONFIG
    threads, batch = config["HEADLINES_WORKER_THREADS"], config["HEADLINES_JOB_BATCH"]
    url = os.environ.get("BENCH_DATABASE_URL", "")
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"{'PostgreSQL' if url else 'SQLite WAL'}; worker threads {threads}, batch {batch}; "
        f"{backlog:,} short jobs of {short_seconds * 1000:g} ms, then one long job"
    )
    started_long = threading.Event()
    long_at: list[float] = []

    def long_job() -> None:
        long_at.append(time.perf_counter())
        started_long.set()

    jobs.register("bench.short", lambda n: time.sleep(short_seconds))
    jobs.register("bench.long", long_job, long=True)
    jobs.set_backend(NoDoorbell())
    for _round in range(3):
        Job.objects.all().delete()
        long_at.clear()
        started_long.clear()
        with transaction.atomic():
            for n in range(backlog):
                jobs.enqueue("bench.short", n=n)
            jobs.enqueue("bench.long")
        begun, drained = drain()
        assert started_long.is_set(), "the long job never ran"
        assert Job.objects.filter(status="done").count() == backlog + 1
        waited = long_at[0] - begun
        print(
            f"backlog drained in {drained:.2f} s ({backlog / drained:,.0f} jobs/s); the long "
            f"job started after {waited:.3f} s, {waited / drained:.3f} of the drain"
        )


if __name__ == "__main__":
    main()
