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

import os
import random
import sqlite3
import time
from typing import Any

from django.db.backends.sqlite3 import base

FIRST_PAUSE, MAX_PAUSE = 0.0001, 0.002  # seconds between tries of BEGIN IMMEDIATE


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        private_file(str(conn_params.get("database", "")))
        return super().get_new_connection(conn_params)

    def _start_transaction_under_autocommit(self) -> None:
        if getattr(self, "transaction_mode", None) != "IMMEDIATE":
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5.0))
        raw = self.connection  # not through a cursor wrapper: a failed try costs microseconds
        with self.wrap_database_errors:  # the last failure raises Django's OperationalError
            raw.execute("PRAGMA busy_timeout = 0")
            try:
                _begin_immediate(raw, deadline=time.monotonic() + timeout)
            finally:
                raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


def _begin_immediate(raw: sqlite3.Connection, *, deadline: float) -> None:
    """BEGIN IMMEDIATE, retried with short pauses while another connection writes."""
    pause = FIRST_PAUSE
    while True:
        try:
            raw.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            busy = exc.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY  # extended codes too
            if not busy or time.monotonic() >= deadline:
                raise
        # Jitter: waiters woken together would otherwise try together again.
        time.sleep(pause * (0.5 + random.random()))
        pause = min(MAX_PAUSE, pause * 2)


def private_file(name: str) -> None:
    """A database file SQLite is about to make, made first for its owner alone: it holds
    readers' addresses, and the usual umask made it 0644, readable by every local account.
    SQLite gives its WAL and shared-memory files the database's own mode. An existing file, an
    in-memory database or a URI is left as it is (an owner may have chosen its mode)."""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    try:
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    except FileExistsError:
        pass
    except OSError:
        return  # no such folder, not writable: SQLite's own error says so when it opens it
