"""Django's SQLite backend, except how a write transaction waits for the database's write lock.

Every atomic block opens with BEGIN IMMEDIATE (database.py), so writers queue on SQLite's one
write lock. SQLite's own busy handler waits by sleeping 1, 2, 5, 10 … then 100 ms at a time
between tries: under a burst of sign-ups from several processes a writer that just missed the
lock sleeps on while others take it, and those sleeps were the sign-up's p99 (1.4 s against a
median of 0.3 s, docs/benchmarks.md). Here BEGIN IMMEDIATE itself does not wait in SQLite
(busy_timeout 0 for that one statement); it is retried after 0.1 ms, doubling to at most
`MAX_PAUSE`, until the connection's own timeout (HEADLINES' 20 s) has passed, then fails with
SQLite's "database is locked" as before. A waiter therefore notices a free lock within a few
milliseconds. Every other statement keeps SQLite's busy handler and the 20 s timeout.
"""

from __future__ import annotations

import random
import time
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

FIRST_PAUSE, MAX_PAUSE = 0.0001, 0.002  # seconds between tries of BEGIN IMMEDIATE


class DatabaseWrapper(base.DatabaseWrapper):
    def _start_transaction_under_autocommit(self) -> None:
        if getattr(self, "transaction_mode", None) != "IMMEDIATE":
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5.0))
        with self.wrap_database_errors:
            self.connection.execute("PRAGMA busy_timeout = 0")
        try:
            _begin_immediate(self, deadline=time.monotonic() + timeout)
        finally:
            with self.wrap_database_errors:
                self.connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


def _begin_immediate(wrapper: Any, *, deadline: float) -> None:
    """BEGIN IMMEDIATE, retried with short pauses while another connection writes."""
    pause = FIRST_PAUSE
    while True:
        try:
            wrapper.cursor().execute("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            locked = "locked" in str(exc) or "busy" in str(exc)
            if not locked or time.monotonic() >= deadline:
                raise
        # Jitter: waiters woken together would otherwise try together again.
        time.sleep(pause * (0.5 + random.random()))
        pause = min(MAX_PAUSE, pause * 2)
