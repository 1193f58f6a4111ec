"""Sign-ups after an hour-long spike: the rate limits' table full, its oldest minute leaving.

The sign-up limits count one row per key and attempt (`subscriptions_signupattempt`) over the
last hour. After an hour of sign-ups at BENCH_SIGNUP_RATE a second (default 500) the table
holds two rows a sign-up, and every minute a minute's worth of them falls out of the window and
is deleted. This times, on a fresh database seeded with that hour: each sign-up
(`services.subscription_request`, in-process) over three rounds of one minute moved on and
BENCH_SIGNUP_ROUND sign-ups (default 300), and the deleting itself where a periodic job does it
(`subscriptions.forget_signup_attempts`, run after each minute's move as the scheduler would):
its whole time and its longest DELETE statement, which is as long as it holds SQLite's write
lock.

`python -m benchmarks bench_signup_window`; SQLite in a temporary data dir, or PostgreSQL with
BENCH_DATABASE_URL (dropped and made again, empty).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import statistics
import time
from collections.abc import Iterator
from typing import Any

from benchmarks import NoDoorbell, fresh_database, insert_many, timed_deletes

JOB = "subscriptions.forget_signup_attempts"


def main() -> None:
    rate = int(os.environ.get("BENCH_SIGNUP_RATE", "500"))
    per_round = int(os.environ.get("BENCH_SIGNUP_ROUND", "300"))
    if not fresh_database("bench-window-", __name__):
        return
    from django.conf import settings
    from django.db import connection

    from headlines.core import clock, jobs
    from headlines.core.services import edition_create
    from headlines.subscriptions import services

    jobs.set_backend(NoDoorbell())  # the confirmation emails wait for a worker
    settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_IP"] = 10**9
    edition = edition_create(slug="bench", name="Bench Evening Headlines", timezone="UTC")
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    fixed = clock.FixedClock(start)
    clock.set_clock(fixed)

    seeded = _seed(connection, start, rate)
    print(
        f"{connection.vendor}: {seeded:,} rows, an hour of {rate} sign-ups a second "
        f"(two rows each) before {start:%H:%M:%S}"
    )
    job = jobs.registered().get(JOB)  # None before the job existed: the sign-ups deleted
    times: list[float] = []
    for round_ in range(1, 4):
        fixed.advance(seconds=60)
        if job is not None:
            deletes: list[float] = []
            with connection.execute_wrapper(timed_deletes(deletes)):
                began = time.perf_counter()
                forgotten = job()
                took = time.perf_counter() - began
            print(
                f"  minute {round_}: {JOB} forgot {forgotten:,} rows in {took * 1000:,.0f} ms, "
                f"{len(deletes)} deletes, the longest {max(deletes, default=0) * 1000:.1f} ms"
            )
        round_times = []
        for n in range(per_round):
            fixed.advance(seconds=1 / rate)
            began = time.perf_counter()
            services.subscription_request(
                email=f"r{round_}-{n}@example.com",
                edition_id=edition.pk,
                marketing=False,
                source="bench",
                ip=f"10.{round_}.{n // 250}.{n % 250}",
            )
            round_times.append(time.perf_counter() - began)
        times += round_times
        slowest = max(round_times)
        print(
            f"  minute {round_}: {per_round} sign-ups, median "
            f"{statistics.median(round_times) * 1000:.1f} ms, slowest "
            f"{slowest * 1000:,.1f} ms (sign-up #{round_times.index(slowest) + 1})"
        )
    times.sort()
    print(
        f"all {len(times)} sign-ups: median {statistics.median(times) * 1000:.1f} ms, "
        f"p99 {times[int(len(times) * 0.99)] * 1000:.1f} ms, slowest {times[-1] * 1000:,.1f} ms"
    )


def _seed(connection: Any, now: dt.datetime, rate: int) -> int:
    """Two rows a sign-up, `rate` sign-ups a second, over the hour before `now`."""
    ops = connection.ops
    total = 3600 * rate
    sql = 'INSERT INTO subscriptions_signupattempt ("key", created_at) VALUES (%s, %s), (%s, %s)'

    def rows() -> Iterator[list[Any]]:
        for n in range(total):
            at = ops.adapt_datetimefield_value(now - dt.timedelta(seconds=3600 - n / rate))
            yield [f"ip:{secrets.token_hex(22)}", at, f"address:{secrets.token_hex(22)}", at]

    insert_many(connection, sql, rows())
    return 2 * total


if __name__ == "__main__":
    main()
