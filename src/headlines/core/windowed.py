"""Limits counted over a sliding window in the database: the pieces they share.

The sign-up limits (`subscriptions.ratelimit`) and the staff sign-in limit (`staff.loginlimit`)
both count recent rows per key, record an attempt, and forget rows older than their window.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

PRUNE_EVERY = dt.timedelta(minutes=1)

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


class Pruner:
    """Deletes the rows older than the window, at most once every PRUNE_EVERY per process:
    only housekeeping, as the counts ignore old rows anyway, and a delete inside every
    attempt's write transaction would cost each attempt a statement for nothing."""

    def __init__(self, delete_older_than: Callable[[dt.datetime], object]) -> None:
        self.delete_older_than = delete_older_than
        self.pruned_at: dt.datetime | None = None

    def __call__(self, now: dt.datetime, window: dt.timedelta) -> None:
        if self.pruned_at is not None and self.pruned_at <= now < self.pruned_at + PRUNE_EVERY:
            return
        self.delete_older_than(now - window)
        self.pruned_at = now
