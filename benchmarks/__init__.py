"""Benchmarks: `make bench` runs them all (python -m benchmarks)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any


def django_setup() -> None:
    """Django set up with the project's settings (those of the environment, if it names any)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headlines.settings")
    import django

    django.setup()


def drain() -> tuple[float, float]:
    """Start the embedded worker (its settings) on the jobs waiting and stop it once none is
    queued or running: when it started (`time.perf_counter`) and how long it took."""
    from headlines.core.models import Job
    from headlines.core.worker import EmbeddedWorker

    began = time.perf_counter()
    worker = EmbeddedWorker.from_settings().start()
    try:
        while Job.objects.filter(status__in=("queued", "running")).exists():
            time.sleep(0.01)
        return began, time.perf_counter() - began
    finally:
        worker.stop()


def fresh_database(prefix: str, benchmark: str) -> bool:
    """Run `benchmark` (its module's `__name__`) in a process of its own, on an empty, migrated
    database: SQLite in a new temporary data dir, or the PostgreSQL database BENCH_DATABASE_URL
    names, dropped and made again. `python -m benchmarks` runs every benchmark in one process,
    where the first one's Django setup (its database) would hold for the rest, and a benchmark's
    clock, job backend or patches would outlive it.

    False in the calling process, once the child has run it: return. True in the child, set up."""
    import os
    import subprocess
    import sys
    import tempfile

    name = benchmark.rpartition(".")[2]
    if os.environ.get("BENCH_OWN_PROCESS") != name:
        env = {**os.environ, "HEADLINES_DATA_DIR": tempfile.mkdtemp(prefix=prefix)}
        env.pop("HEADLINES_DATABASE_URL", None)
        if url := os.environ.get("BENCH_DATABASE_URL"):
            env["HEADLINES_DATABASE_URL"] = fresh_postgres(url)
        env["BENCH_OWN_PROCESS"] = name
        subprocess.run([sys.executable, "-m", "benchmarks", name], env=env, check=True)
        return False
    django_setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return True


class NoDoorbell:
    """A job backend that rings for nobody: the jobs wait in their table, as behind a web
    process whose worker is busy (a spike that outruns it)."""

    def ring(self, job_ids: list[int], delay: float = 0.0, long: bool = False) -> None:
        pass


def fresh_postgres(url: str) -> str:
    """`url` (postgresql://…/name, options after `?` kept) with its database dropped and made
    again, empty: BENCH_DATABASE_URL for the benchmarks that run on PostgreSQL too."""
    import psycopg

    maintenance, db = _split(url)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}"')
    return url


def postgres_unanswered(url: str) -> str:
    """Why the PostgreSQL server of `url` does not answer within 3 s, or "" when it does."""
    import psycopg

    try:
        psycopg.connect(_split(url)[0], connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        return " ".join(str(exc).split())
    return ""


def _split(url: str) -> tuple[str, str]:
    """`url`'s server with its `postgres` database (to drop and make others from), and its own
    database's name."""
    server, _, db = url.partition("?")[0].rpartition("/")
    return f"{server}/postgres", db


def insert_many(connection: Any, sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Seed a table with `rows` through `sql` (one row's INSERT), 5,000 a statement, in one
    transaction: millions of rows in a minute, not an hour of the ORM's."""
    from django.db import transaction

    batch: list[Sequence[Any]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def timed_deletes(into: list[float]) -> Callable[..., Any]:
    """A `connection.execute_wrapper` that appends each DELETE statement's seconds to `into`."""

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        if not sql.lstrip().upper().startswith("DELETE"):
            return execute(sql, params, many, context)
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            into.append(time.perf_counter() - began)

    return wrapper
