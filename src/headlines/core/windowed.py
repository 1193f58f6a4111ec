"""Limits counted over a sliding window in the database: the pieces they share.

The sign-up limits (`subscriptions.ratelimit`) and the staff sign-in limit (`staff.loginlimit`)
both count recent rows per key and record an attempt; a periodic job of each deletes the rows
older than their window (`core.housekeeping.delete_old_rows`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
