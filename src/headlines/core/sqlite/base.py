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

Within one process the threads that want to write queue on a lock of the process's own (one per
database file) before they try: SQLite's lock is the only guard of the data, this one only
decides who tries next. A thread waiting on it sleeps until the writer before it commits and
then takes SQLite's lock at once, instead of polling for it with every other thread of the
process; those polls took the interpreter from the thread that held the write lock, and
so made it hold the lock longer (docs/benchmarks.md, "Sign-ups under a spike").
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time

from django.db.backends.sqlite3 import base

FIRST_PAUSE, MAX_PAUSE = 0.0001, 0.002  # seconds between tries of BEGIN IMMEDIATE

_WRITERS: dict[str, threading.Lock] = {}  # per database file: this process's next writer
_WRITERS_MADE = threading.Lock()


def _writers(name: str) -> threading.Lock | None:
    """The process's writer lock for the database file `name`; None for an in-memory database
    (each connection of a plain one is a database of its own)."""
    if name == ":memory:" or "mode=memory" in name:
        return None
    with _WRITERS_MADE:
        return _WRITERS.setdefault(name, threading.Lock())


class DatabaseWrapper(base.DatabaseWrapper):
    _writer: threading.Lock | None = None  # this process's writer lock, while it holds it

    def _start_transaction_under_autocommit(self) -> None:
        if getattr(self, "transaction_mode", None) != "IMMEDIATE":
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
            return
        timeout = float(self.settings_dict["OPTIONS"].get("timeout", 5.0))
        deadline = time.monotonic() + timeout
        writer = _writers(str(self.settings_dict["NAME"]))
        if writer is not None and writer.acquire(timeout=timeout):
            self._writer = writer
        # else past the timeout: SQLite's lock decides (and says "database is locked")
        raw = self.connection  # not through a cursor wrapper: a failed try costs microseconds
        try:
            with self.wrap_database_errors:  # the last failure raises Django's OperationalError
                raw.execute("PRAGMA busy_timeout = 0")
                try:
                    _begin_immediate(raw, deadline=deadline)
                finally:
                    raw.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        except BaseException:
            self._writer_release()
            raise

    def _writer_release(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.release()

    # However the transaction ends, the next writer of the process may try: SQLite's own lock
    # still guards the data if this connection's transaction were somehow left open.
    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._writer_release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._writer_release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._writer_release()


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
