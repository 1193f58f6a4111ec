"""The SQLite backend's write lock: BEGIN IMMEDIATE retried briefly, not SQLite's long sleeps."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from django.db import OperationalError, connection, transaction

from headlines.core.models import Edition

pytestmark = pytest.mark.django_db(transaction=True)


def hold_write_lock(seconds: float, taken: threading.Event) -> None:
    """Another connection (another process, say) writes for `seconds`."""
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        other.execute("COMMIT")
    finally:
        other.close()


def writer_after(seconds: float) -> tuple[threading.Thread, threading.Event]:
    taken = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(seconds, taken))
    holder.start()
    assert taken.wait(10)
    return holder, taken


@pytest.fixture(autouse=True)
def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backend only")


def test_a_writer_waits_for_the_lock_and_notices_at_once_when_it_is_free() -> None:
    connection.ensure_connection()
    holder, _ = writer_after(0.4)
    started = time.monotonic()
    with transaction.atomic():
        Edition.objects.create(slug="us", name="US")
    waited = time.monotonic() - started
    holder.join()
    assert Edition.objects.filter(slug="us").exists()
    # Waited for the other writer, and not a long sleep past its commit (SQLite's own handler
    # sleeps up to 100 ms at a time; here the pause between tries is at most 2 ms).
    assert 0.3 < waited < 0.4 + 0.1
    with connection.cursor() as cursor:  # every other statement keeps the 20 s busy timeout
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] == 20000


def test_a_writer_gives_up_after_the_connection_timeout(monkeypatch) -> None:
    connection.ensure_connection()
    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
    holder, _ = writer_after(1.0)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="locked"), transaction.atomic():
        Edition.objects.create(slug="uk", name="UK")
    assert 0.15 < time.monotonic() - started < 0.9
    holder.join()
    assert not Edition.objects.filter(slug="uk").exists()
    with transaction.atomic():  # the connection is still usable
        Edition.objects.create(slug="uk", name="UK")


def test_a_new_database_file_and_its_log_are_for_their_owner_alone(tmp_path, settings) -> None:
    # The database holds readers' addresses; made under the usual umask it was 0644, readable by
    # every local account (a backup of it was already 0600). Its WAL and shared-memory files
    # take its mode. An existing file's mode is left as its owner set it.
    from headlines.core.sqlite.base import DatabaseWrapper

    path = tmp_path / "headlines.sqlite3"
    wrapper = DatabaseWrapper({**connection.settings_dict, "NAME": str(path)}, alias="private")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("CREATE TABLE t (x)")
            cursor.execute("INSERT INTO t VALUES (1)")
        made = [p for p in tmp_path.iterdir() if p.name.startswith("headlines.sqlite3")]
        assert {p.name for p in made} >= {"headlines.sqlite3", "headlines.sqlite3-wal"}
        assert {p.name: p.stat().st_mode & 0o777 for p in made} == {p.name: 0o600 for p in made}
    finally:
        wrapper.close()
    shared = tmp_path / "shared.sqlite3"
    shared.touch(mode=0o640)
    shared.chmod(0o640)
    other = DatabaseWrapper({**connection.settings_dict, "NAME": str(shared)}, alias="shared")
    try:
        other.ensure_connection()
    finally:
        other.close()
    assert shared.stat().st_mode & 0o777 == 0o640
