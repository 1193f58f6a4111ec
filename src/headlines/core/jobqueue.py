"""The job table's moves: insert (in the caller's transaction), claim under a lease, renew,
finish, fail with backoff, release, find jobs whose doorbell may be lost, retry, purge.

Every move but `insert` is a short transaction of its own. On PostgreSQL a claim is
`SELECT … FOR UPDATE SKIP LOCKED`, so any number of workers take disjoint jobs; on SQLite every
transaction opens with BEGIN IMMEDIATE (see database.py), so claims are serialised by the
write lock and the claim leaves the FOR UPDATE clause out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from headlines.core import clock
from headlines.core.housekeeping import delete_old_rows
from headlines.core.models import Job
from headlines.core.rows import PreparedInsert

Status = Job.Status
ERROR_CHARS = 4000


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.CONFIG["HEADLINES_JOB_LEASE_SECONDS"]))


# INSERT_SQL: a keyed job that is already waiting (queued, same key) is not queued twice. The
# partial unique index `one_queued_job_per_key` decides, and ON CONFLICT DO NOTHING without a
# target turns the clash into "no row" inside the caller's transaction (an IntegrityError would
# abort it on PostgreSQL). RETURNING gives the new id for the doorbell. SQLite ≥ 3.35 and
# PostgreSQL.
INSERT_SQL = """
INSERT INTO core_job (
    kind, "key", payload, status, attempts, max_attempts, run_after, lease_owner, last_error,
    created_at, updated_at
) VALUES (%s, %s, %s, 'queued', 0, %s, %s, '', '', %s, %s)
ON CONFLICT DO NOTHING
RETURNING id
"""

# BRING_FORWARD_SQL, WAITING_SQL: the job already waiting under a key (INSERT_SQL's clash),
# found by the same partial unique index. Written out because the index's predicate must be in
# the statement as literals: through the ORM the status was a parameter, and the generic plan
# PostgreSQL may keep for a prepared statement (from its 11th run on a connection) cannot use a
# partial index for it. The lookup then walked the job table back by id from the newest job to
# the waiting one: 100,000 rows (14 ms) for each sign-up while a spike's confirmation emails
# queued behind the webhook runner. NOT ("key" = '') as the index has it (SQLite uses a partial
# index only for a WHERE holding its terms); `insert` comes here only with a key.
_WAITING = """"key" = %s AND status = 'queued' AND NOT ("key" = '')"""
BRING_FORWARD_SQL = f"UPDATE core_job SET run_after = %s WHERE {_WAITING} AND run_after > %s"
WAITING_SQL = f"SELECT id FROM core_job WHERE {_WAITING}"


def created_since(*, kind: str, key: str, since: dt.datetime) -> bool:
    """Whether a job of `kind` with `key` was added at or after `since`, whatever became of
    it: the `job_created` index read from `since` on, the rows of one period. In that order,
    so that PostgreSQL's generic plan (the scheduler asks for each periodic job, on one
    connection) keeps the index: a bare EXISTS was planned as a sequential scan hoping for an
    early row, the whole job table (74 ms a job at a million jobs kept; 0.03-1.3 ms now)."""
    rows = Job.objects.filter(created_at__gte=since, kind=kind, key=key)
    return bool(rows.order_by("created_at").values_list("pk", flat=True)[:1])


def prepared(*, kind: str, max_attempts: int, run_after: dt.datetime) -> PreparedInsert[Job]:
    """A queued job without a key, computed ahead of the transaction it is written in:
    `.run(payload=...)` inside it writes the row (see `jobs.enqueue_prepared`)."""
    job = Job(kind=kind, max_attempts=max_attempts, run_after=run_after)
    return PreparedInsert(job)


def insert(
    *, kind: str, key: str, payload: str, max_attempts: int, run_after: dt.datetime
) -> int | None:
    """Add a queued job in the current transaction and return its id. When `key` already
    waits, add none: the waiting job is brought forward to `run_after` if it was due later,
    and its id returned. None only if that job was claimed in the meantime."""
    if not key:
        return int(
            prepared(kind=kind, max_attempts=max_attempts, run_after=run_after)
            .run(payload=payload)
            .pk
        )
    now = clock.now()
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_SQL,
            [
                kind,
                key[:200],
                payload,
                max_attempts,
                ops.adapt_datetimefield_value(run_after),
                ops.adapt_datetimefield_value(now),
                ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    if row:
        return int(row[0])
    # The key already waits: it runs at the earliest time anyone asked for.
    with connection.cursor() as cursor:
        at = ops.adapt_datetimefield_value(run_after)
        cursor.execute(BRING_FORWARD_SQL, [at, key[:200], at])
    return waiting(key)


def waiting(key: str) -> int | None:
    """The id of the job queued under `key`, if one waits (WAITING_SQL: its partial index)."""
    with connection.cursor() as cursor:
        cursor.execute(WAITING_SQL, [key[:200]])
        found = cursor.fetchone()
    return None if found is None else int(found[0])


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    key: str
    payload: str
    attempts: int
    max_attempts: int


# The claim's statements, written out: a claim runs inside a transaction that holds SQLite's
# one write lock, and the worker runs at a lower CPU priority than the web processes (see
# HEADLINES_WORKER_NICE). Built through the ORM, its four statements cost ~2.9 ms of CPU inside
# the lock, and a worker the scheduler preempted there held every sign-up up (docs/benchmarks.md,
# "Fourth pass"). Here the text is built before the transaction and only executed inside it.
# DUE_SQL: claimable jobs, most urgent first, each one index range scan: a running job whose
# lease expired (its worker died: run it again), then queued jobs that are due.
DUE_SQL = (
    ("SELECT id FROM core_job WHERE status = 'running' AND lease_expires_at < %s{where} "
     "ORDER BY run_after, id LIMIT %s{lock}"),
    ("SELECT id FROM core_job WHERE status = 'queued' AND run_after <= %s{where} "
     "ORDER BY run_after, id LIMIT %s{lock}"),
)  # fmt: skip
# One job by its id (a Celery doorbell's): due and unheld, leased in one statement, no
# transaction around it. On PostgreSQL a row another claim has locked is waited for, then its
# new status read again (READ COMMITTED), so two workers given the same id never both run it.
_LEASE = (
    "UPDATE core_job SET status = 'running', lease_owner = %s, lease_expires_at = %s, "
    "attempts = attempts + 1, updated_at = %s WHERE {where} "
    'RETURNING id, kind, "key", payload, attempts, max_attempts'
)
LEASE_ONE_SQL = _LEASE.format(
    where="id = %s AND ((status = 'running' AND lease_expires_at < %s) OR "
    "(status = 'queued' AND run_after <= %s))"
)
LEASE_SQL = _LEASE.format(where="id IN ({ids})")


def _due_statements(
    kinds: frozenset[str] | None, exclude: frozenset[str]
) -> tuple[list[str], list[Any]]:
    """DUE_SQL with the caller's filters, and the filters' parameters (after `now`)."""
    where = ""
    params: list[Any] = []
    if kinds is not None:
        where += f" AND kind IN ({', '.join(['%s'] * len(kinds)) or 'NULL'})"
        params += sorted(kinds)
    if exclude:
        where += f" AND kind NOT IN ({', '.join(['%s'] * len(exclude))})"
        params += sorted(exclude)
    # PostgreSQL: workers take disjoint jobs; SQLite's BEGIN IMMEDIATE already serialises them.
    lock = (
        " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    )
    return [sql.format(where=where, lock=lock) for sql in DUE_SQL], params


def claim(
    *,
    owner: str,
    limit: int,
    kinds: frozenset[str] | None = None,
    exclude: frozenset[str] = frozenset(),
) -> list[Claimed]:
    """Lease up to `limit` due jobs to `owner` (only `kinds` if given, never `exclude`), most
    urgent first."""
    now = clock.now()
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    lease_params: list[Any] = [owner[:100], ops.adapt_datetimefield_value(now + lease()), at]
    statements, filters = _due_statements(kinds, exclude)
    with transaction.atomic(), connection.cursor() as cursor:
        ids: list[int] = []
        for sql in statements:
            if len(ids) < limit:
                cursor.execute(sql, [at, *filters, limit - len(ids)])
                ids += [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        cursor.execute(LEASE_SQL.format(ids=", ".join(["%s"] * len(ids))), lease_params + ids)
        found = cursor.fetchall()
    by_id = {row[0]: Claimed(*row) for row in found}
    return [by_id[i] for i in ids if i in by_id]


def claim_one(*, owner: str, job_id: int) -> Claimed | None:
    """Lease job `job_id` to `owner` if it is due and unheld (queued and due, or running on an
    expired lease); None if it is done, not due yet, held by another worker, or gone. One
    statement: `claim`'s two SELECTs and UPDATE in a transaction were four round trips more
    for every job the Celery tier runs."""
    now = clock.now()
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    until = ops.adapt_datetimefield_value(now + lease())
    with connection.cursor() as cursor:
        cursor.execute(LEASE_ONE_SQL, [owner[:100], until, at, job_id, at, at])
        row = cursor.fetchone()
    return None if row is None else Claimed(*row)


def _held(owner: str, ids: list[int]) -> Q:
    return Q(id__in=ids, status=Status.RUNNING, lease_owner=owner[:100])


def finish(*, owner: str, ids: list[int]) -> None:
    """Mark jobs done; only those this owner still holds (a lost lease keeps the other's)."""
    if ids:
        now = clock.now()
        Job.objects.filter(_held(owner, ids)).update(
            status=Status.DONE,
            lease_owner="",
            lease_expires_at=None,
            finished_at=now,
            updated_at=now,
        )


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600.0, 5.0 * 2 ** max(0, attempts - 1)))


def fail(*, owner: str, job: Claimed, error: str) -> str:
    """Record a failed try: back to the queue after a backoff, or failed for good."""
    now = clock.now()
    final = job.attempts >= job.max_attempts
    status = Status.FAILED if final else Status.QUEUED
    changes: dict[str, object] = {
        "status": status,
        "lease_owner": "",
        "lease_expires_at": None,
        "last_error": error[-ERROR_CHARS:],
        "updated_at": now,
    }
    if final:
        changes["finished_at"] = now
    else:
        changes["run_after"] = now + backoff(job.attempts)
    with transaction.atomic():
        # A keyed job may already wait again under the same key: this try's row then closes
        # as failed rather than clash with it in the queue.
        if status == Status.QUEUED and job.key and waiting(job.key) is not None:
            changes.update(status=Status.FAILED, finished_at=now)
            status = Status.FAILED
        rows = Job.objects.filter(_held(owner, [job.id]))
        rows.update(**changes)
    return str(status)


def renew(*, owner: str) -> int:
    """The heartbeat: extend every lease this owner holds."""
    now = clock.now()
    return int(
        Job.objects.filter(status=Status.RUNNING, lease_owner=owner[:100]).update(
            lease_expires_at=now + lease()
        )
    )


def release(*, owner: str, ids: list[int] | None = None) -> int:
    """Give back jobs this owner claimed but will not run (a graceful stop)."""
    rows = Job.objects.filter(status=Status.RUNNING, lease_owner=owner[:100])
    if ids is not None:
        rows = rows.filter(id__in=ids)
    with transaction.atomic():
        return int(
            rows.update(
                status=Status.QUEUED,
                lease_owner="",
                lease_expires_at=None,
                attempts=F("attempts") - 1,
                updated_at=clock.now(),
            )
        )


def unrung(*, quiet_seconds: float, limit: int = 500) -> list[tuple[int, str]]:
    """Due jobs nobody has picked up for `quiet_seconds` (a lost doorbell, a retry that came
    due, a dead worker's lease), as (id, kind), marked as rung now so the next look skips them."""
    now = clock.now()
    quiet = now - dt.timedelta(seconds=quiet_seconds)
    with transaction.atomic():
        found = list(
            Job.objects.filter(
                Q(status=Status.QUEUED, run_after__lte=now, updated_at__lte=quiet)
                | Q(status=Status.RUNNING, lease_expires_at__lt=now, updated_at__lte=quiet)
            )
            .order_by("run_after")
            .values_list("id", "kind")[:limit]
        )
        if found:
            Job.objects.filter(id__in=[i for i, _ in found]).update(updated_at=now)
    return found


@transaction.atomic
def retry(*, ids: list[int]) -> list[tuple[int, str]]:
    """Failed jobs back to the queue with fresh attempts (the admin's retry action)."""
    now = clock.now()
    chosen = list(
        Job.objects.filter(id__in=ids, status=Status.FAILED).values_list("id", "key", "kind")
    )
    waiting = set(
        Job.objects.filter(
            status=Status.QUEUED, key__in=[k for _, k, _ in chosen if k]
        ).values_list("key", flat=True)
    )
    again: list[tuple[int, str]] = []
    for job_id, key, kind in chosen:
        if key and key in waiting:
            continue  # the same work already waits: one in the queue is enough
        if key:
            waiting.add(key)
        again.append((job_id, kind))
    Job.objects.filter(id__in=[i for i, _ in again]).update(
        status=Status.QUEUED, attempts=0, run_after=now, finished_at=None, updated_at=now
    )
    return again


def purge(*, older_than: dt.timedelta) -> int:
    """Forget done jobs finished before `older_than` ago (failed ones stay for staff)."""
    cutoff = clock.now() - older_than
    # A job finishes only after a claim, and is claimed only once due: run_after <= finished_at.
    # The bound lets each chunk be read off the claim index in run_after's order (with only its
    # status, SQLite read every done job and sorted them, for each chunk).
    done = Job.objects.filter(status=Status.DONE, run_after__lt=cutoff, finished_at__lt=cutoff)
    return delete_old_rows(done, order_by="run_after")
