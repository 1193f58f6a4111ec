"""The periodic purges after a spike: how long each holds the database's write lock.

A week after an hour of sign-ups at 500 a second, the hourly `core.jobs_purge` meets that
hour's confirmation jobs, 1,800,000 done jobs (BENCH_PURGE_JOBS) beside a week of others
(BENCH_PURGE_KEPT_JOBS, 1,000,000, three days old); and `webhooks.purge` meets the webhook
messages those sign-ups made (BENCH_PURGE_MESSAGES, 500,000 delivered 31 days ago, beside as
many delivered yesterday); and the ingest's `repeated_lines_prune` meets the lines a month-old
import of a large archive saw once (BENCH_PURGE_LINES, 1,000,000 short lines, one run's stamp,
beside as many seen yesterday and 100,000 a source repeats, last seen as long ago). On SQLite
a transaction holds the one write lock that every sign-up and every send waits for (on
PostgreSQL a delete blocks no other writer). This times each purge whole and its longest
transaction: where the purge deletes in chunks (`core.housekeeping.delete_old_rows`), each
chunk's transaction (the pause it takes after each is as long, and is what is recorded);
otherwise its DELETE statements.

`python -m benchmarks bench_purge`; SQLite in a temporary data dir, or PostgreSQL with
BENCH_DATABASE_URL (dropped and made again, empty).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import time
from collections.abc import Callable
from typing import Any

from benchmarks import fresh_database, insert_many, timed_deletes


def main() -> None:
    jobs = int(os.environ.get("BENCH_PURGE_JOBS", "1800000"))
    kept_jobs = int(os.environ.get("BENCH_PURGE_KEPT_JOBS", "1000000"))
    messages = int(os.environ.get("BENCH_PURGE_MESSAGES", "500000"))
    lines = int(os.environ.get("BENCH_PURGE_LINES", "1000000"))
    if not fresh_database("bench-purge-", __name__):
        return
    from django.db import connection

    from headlines.core import clock, jobqueue
    from headlines.intake.models import Source
    from headlines.intake.services import FORGET_SINGLE_LINES_DAYS
    from headlines.intake.storing.line_memory import repeated_lines_prune
    from headlines.webhooks.models import Endpoint
    from headlines.webhooks.services import webhook_messages_purge

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    clock.set_clock(clock.FixedClock(now))
    began = time.perf_counter()
    _seed_jobs(connection, now - dt.timedelta(days=7, hours=1), jobs)
    _seed_jobs(connection, now - dt.timedelta(days=3), kept_jobs)
    endpoint = Endpoint.objects.create(
        url="https://hooks.example.com/in", events=["subscriber.created"], secret="whsec_bench"
    )
    _seed_messages(connection, endpoint.pk, now - dt.timedelta(days=31), messages, "old")
    _seed_messages(connection, endpoint.pk, now - dt.timedelta(days=1), messages, "new")
    source = Source.objects.create(name="Archive", slug="archive", kind=Source.Kind.DUMP)
    month = now - dt.timedelta(days=FORGET_SINGLE_LINES_DAYS, hours=1)
    _seed_lines(connection, source.pk, month, lines, seen=1, tag="old")
    _seed_lines(connection, source.pk, now - dt.timedelta(days=1), lines, seen=1, tag="new")
    _seed_lines(connection, source.pk, month, lines // 10, seen=40, tag="furniture")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"{connection.vendor}: {jobs:,} done jobs a week old and {kept_jobs:,} newer; "
        f"{messages:,} webhook messages delivered 31 days ago and {messages:,} yesterday; "
        f"{lines:,} lines seen once a month ago, {lines:,} yesterday "
        f"(seeded in {time.perf_counter() - began:.0f} s)"
    )
    # In chunks on SQLite since core.housekeeping came; PostgreSQL deletes in one statement.
    chunked = connection.vendor == "sqlite" and bool(
        importlib.util.find_spec("headlines.core.housekeeping")
    )
    for name, purge in (
        ("core.jobs_purge", lambda: jobqueue.purge(older_than=dt.timedelta(days=7))),
        ("webhooks.purge", webhook_messages_purge),
        (
            "intake's repeated_lines_prune",
            lambda: repeated_lines_prune(older_than_days=FORGET_SINGLE_LINES_DAYS),
        ),
    ):
        held = _transactions(chunked)
        deletes: list[float] = []
        with connection.execute_wrapper(timed_deletes(deletes)):
            began = time.perf_counter()
            deleted = purge()
            took = time.perf_counter() - began
        # A purge that paused went in chunks; one that did not (less than a chunk, or the
        # lines' prune before it was chunked) held the lock for its DELETE statements.
        locks = sorted(held or deletes) or [0.0]
        print(
            f"  {name}: {deleted:,} rows in {took:,.1f} s; "
            f"{len(locks)} {'transactions' if held else 'DELETE statements'} "
            f"{sum(locks):,.2f} s in all, the longest {locks[-1] * 1000:,.1f} ms, "
            f"median {locks[len(locks) // 2] * 1000:,.1f} ms"
        )


def _seed_jobs(connection: Any, finished: dt.datetime, count: int) -> None:
    sql = (
        'INSERT INTO core_job (kind, "key", payload, status, attempts, max_attempts, run_after, '
        "lease_owner, last_error, created_at, updated_at, finished_at) "
        "VALUES (%s, '', %s, 'done', 1, 5, %s, '', '', %s, %s, %s)"
    )
    kind, stamp = "subscriptions.send_confirmation", _stamps(connection, finished)
    rows = ([kind, f'{{"subscription_id": {n}}}', *[stamp(n)] * 4] for n in range(count))
    insert_many(connection, sql, rows)


def _seed_messages(
    connection: Any, endpoint: int, delivered: dt.datetime, count: int, tag: str
) -> None:
    sql = (
        "INSERT INTO webhooks_message (endpoint_id, msg_id, event_type, payload, state, "
        "attempts, next_attempt_at, lease_owner, created_at, delivered_at, last_status, "
        "last_error) VALUES (%s, %s, 'subscriber.created', %s, 'delivered', 1, %s, '', %s, %s, "
        "200, '')"
    )
    stamp = _stamps(connection, delivered)
    payload = '{{"subscription": {n}, "edition": "us", "status": "pending"}}'
    rows = (
        [endpoint, f"msg_{tag}_{n}", payload.format(n=n), *[stamp(n)] * 3] for n in range(count)
    )
    insert_many(connection, sql, rows)


def _seed_lines(
    connection: Any, source: int, seen_at: dt.datetime, count: int, *, seen: int, tag: str
) -> None:
    """`count` short lines of `source`, all last seen at `seen_at` (a run stamps its lines at
    once)."""
    sql = (
        "INSERT INTO intake_repeatedline (source_id, line_hash, example, seen, last_seen_at) "
        "VALUES (%s, %s, %s, %s, %s)"
    )
    stamp = connection.ops.adapt_datetimefield_value(seen_at)
    rows = ([source, f"{tag[:3]}{n:029d}", f"A line {tag} {n}", seen, stamp] for n in range(count))
    insert_many(connection, sql, rows)


def _stamps(connection: Any, last: dt.datetime) -> Callable[[int], Any]:
    """The n-th row's time, 500 rows a second back from `last`, as the database takes it."""
    ops = connection.ops
    return lambda n: ops.adapt_datetimefield_value(last - dt.timedelta(seconds=n / 500))


def _transactions(chunked: bool) -> list[float]:
    """Where the purge deletes in chunks: the length of each full chunk's transaction, read
    from the pause that follows it (as long, by design; a last, partial chunk has none)."""
    held: list[float] = []
    if chunked:
        from headlines.core import housekeeping

        class Recording:
            monotonic = staticmethod(time.monotonic)

            @staticmethod
            def sleep(seconds: float) -> None:
                held.append(seconds)
                time.sleep(seconds)

        housekeeping.time = Recording  # type: ignore[assignment]
    return held


if __name__ == "__main__":
    main()
