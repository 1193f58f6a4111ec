"""`headlines backup PATH`: an online, consistent copy of the embedded tier's SQLite database.

Copying the file while the service runs is unsafe: the write-ahead log beside it holds committed
transactions the file does not have yet, and a copy taken mid-checkpoint is torn. SQLite's
online backup API copies one consistent snapshot under a read transaction, which in WAL mode
never blocks the service's writers. PostgreSQL has pg_dump for this (docs/operations.md).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

from headlines.core.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int


def database_backup(*, path: Path) -> Backup:
    """Copy the SQLite database to `path` (a new file), checked before it is given that name."""
    if connection.vendor != "sqlite":
        raise Conflict(
            "headlines backup copies the embedded tier's SQLite database; back up PostgreSQL "
            "with pg_dump (docs/operations.md, Backups)"
        )
    source = Path(str(connection.settings_dict["NAME"])).resolve()
    # Run from another folder (a cron job's), the default data folder `./var` holds no
    # database, or an empty one another command made: a crash, or an empty "backup" and exit 0.
    nothing = InvalidInput(
        f"there is no database at {source} to back up (is HEADLINES_DATA_DIR the service's "
        "data folder?)",
        field="path",
    )
    if not source.is_file():
        raise nothing
    target = path.resolve()
    if target == source:
        raise InvalidInput(f"{path} is the database itself", field="path")
    if target.exists():
        raise InvalidInput(f"{path} exists already; a backup never replaces a file", field="path")
    if not target.parent.is_dir():
        raise InvalidInput(f"{target.parent} is not a folder", field="path")
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # Made for its owner alone before SQLite writes to it: the copy holds readers' addresses
    # and webhooks' signing secrets, and the umask's 0644 let every local account read them.
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
    except OSError as exc:
        raise InvalidInput(
            f"cannot write in {target.parent}: {exc.strerror}", field="path"
        ) from None
    try:
        with (
            closing(sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)) as live,
            closing(sqlite3.connect(partial)) as copy,
        ):
            live.execute("PRAGMA busy_timeout = 20000")
            try:
                live.backup(copy)  # all pages in one step: one snapshot, however busy the service
            except sqlite3.Error as exc:  # a full disk ("disk I/O error"), a damaged database
                raise Conflict(f"the copy could not be made ({exc}); nothing kept") from None
            check = copy.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise Conflict(f"the copy did not pass SQLite's check ({check}); nothing kept")
            # Every migrated database has it, one with migrations still to apply too.
            if not copy.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'"
            ).fetchone():
                raise nothing
        with open(partial, "rb") as done:
            os.fsync(done.fileno())
        os.link(partial, target)  # never over a file that appeared meanwhile
    finally:
        # With what SQLite may leave beside a copy it could not finish (its rollback journal).
        for leftover in ("", "-journal", "-wal", "-shm"):
            partial.with_name(partial.name + leftover).unlink(missing_ok=True)
    return Backup(path=target, size=target.stat().st_size)
