"""Limits counted over a sliding window in the database: the pieces they share.

The sign-up limits (`subscriptions.ratelimit`) and the staff sign-in limit (`staff.loginlimit`)
both count recent rows per key and record an attempt; a periodic job of each forgets the rows
older than their window.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Model

# Named raw SQL (PostgreSQL only): a transaction-level advisory lock per key, all in one
# statement, taken in the order given (PostgreSQL evaluates a select list left to right).
LOCK_ONE = "pg_advisory_xact_lock(hashtext(%s))"


def lock_keys(cursor: Any, keys: Sequence[str]) -> None:
    """On PostgreSQL (READ COMMITTED) two transactions could both count the limit's last free
    place and both take it; a lock per key for the rest of the transaction makes the second
    count after the first commits. Pass the keys sorted: two transactions then never wait on
    each other's second key. Run it as a statement of its own: the next statement's snapshot,
    taken as it starts, then holds what the transaction that had the lock committed. (SQLite's
    BEGIN IMMEDIATE serialises the writers already.)"""
    cursor.execute("SELECT " + ", ".join([LOCK_ONE] * len(keys)), list(keys))


# Rows forgotten a transaction: each DELETE holds SQLite's one write lock (every sign-up waits
# for it) for a few milliseconds, not the second that a minute of a 500-a-second spike's rows
# took in one statement (docs/benchmarks.md, "The rate limits' oldest minute").
FORGET_CHUNK = 500


def forget_older(model: type[Model], *, before: dt.datetime, chunk: int = FORGET_CHUNK) -> int:
    """Delete `model`'s rows whose `created_at` is older than `before`; how many went.

    Housekeeping for a periodic job, never for a request: the counts ignore old rows anyway.
    `chunk` rows a transaction, oldest first (on the `created_at` index), and between two
    transactions a pause as long as the last one took, so the writers waiting for the lock go
    first and a backlog of an hour's rows slows nothing down. It used to be done inside the
    minute's first attempt, in its transaction: at 500 sign-ups a second for an hour, 0.9 s
    with the write lock held, once a minute for every web process."""
    forgotten = 0
    while True:
        began = time.monotonic()
        with transaction.atomic():
            ids = list(
                model._default_manager.filter(created_at__lt=before)
                .order_by("created_at")
                .values_list("pk", flat=True)[:chunk]
            )
            if ids:
                model._default_manager.filter(pk__in=ids).delete()
        forgotten += len(ids)
        if len(ids) < chunk:
            return forgotten
        time.sleep(time.monotonic() - began)
