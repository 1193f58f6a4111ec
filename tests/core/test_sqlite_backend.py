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


def in_thread(work) -> threading.Thread:
    """`work` in a thread of this process, with its own connection, closed at the end."""

    def run() -> None:
        try:
            work()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_threads_of_one_process_take_turns_instead_of_polling_for_the_lock() -> None:
    connection.ensure_connection()
    inside, times, tries = threading.Event(), {}, []

    def first() -> None:
        with transaction.atomic():
            Edition.objects.create(slug="us", name="US")
            inside.set()
            time.sleep(0.3)
            times["first done"] = time.monotonic()

    def second() -> None:
        connection.ensure_connection()
        connection.connection.set_trace_callback(
            lambda sql: tries.append(sql) if sql.startswith("BEGIN") else None
        )
        assert inside.wait(10)
        with transaction.atomic():
            times["second began"] = time.monotonic()
            Edition.objects.create(slug="uk", name="UK")

    threads = [in_thread(first), in_thread(second)]
    for thread in threads:
        thread.join(10)
    assert set(Edition.objects.values_list("slug", flat=True)) == {"us", "uk"}
    # The second slept on the process's turn while the first wrote, then took SQLite's lock at
    # the first try (polling it, it would have tried every 2 ms or so: ~100 times).
    assert tries == ["BEGIN IMMEDIATE"]
    assert times["second began"] >= times["first done"]


def test_every_way_a_transaction_ends_lets_the_next_writer_of_the_process_in(monkeypatch) -> None:
    # The turn is only asked for, never a guard: a turn left taken would cost each later
    # transaction of the process the whole 20 s timeout, then it would go on (SQLite decides).
    connection.ensure_connection()

    def write(slug: str) -> None:
        with transaction.atomic():  # a transaction: the process's turn, then SQLite's lock
            Edition.objects.create(slug=slug, name=slug)

    def another_thread_writes(slug: str) -> None:  # at once: nobody is writing any more
        thread = in_thread(lambda: write(slug))
        thread.join(2)
        assert not thread.is_alive(), f"{slug}: still waiting for this process's turn"

    with transaction.atomic():  # committed
        Edition.objects.create(slug="us", name="US")
    another_thread_writes("after-commit")
    with pytest.raises(RuntimeError), transaction.atomic():  # rolled back
        Edition.objects.create(slug="gone", name="Gone")
        raise RuntimeError("the view failed")
    another_thread_writes("after-rollback")
    with monkeypatch.context() as patch:  # every thread's connections share these options
        patch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.2)
        holder, _ = writer_after(0.5)  # another process holds SQLite's lock past the timeout
        with pytest.raises(OperationalError, match="locked"), transaction.atomic():
            Edition.objects.create(slug="late", name="Late")
        holder.join()
    another_thread_writes("after-locked")
    with transaction.atomic():  # the connection closed inside its transaction
        Edition.objects.create(slug="closed", name="Closed")
        connection.close()
    another_thread_writes("after-close")
    assert set(Edition.objects.values_list("slug", flat=True)) == {
        "us",
        "after-commit",
        "after-rollback",
        "after-locked",
        "after-close",
    }


def test_each_database_file_has_its_own_turn_and_memory_none(tmp_path) -> None:
    from headlines.core.sqlite import base

    one, two = str(tmp_path / "one.sqlite3"), str(tmp_path / "two.sqlite3")
    assert base._writers(one) is base._writers(one)
    assert base._writers(one) is not base._writers(two)
    assert base._writers(":memory:") is None
    assert base._writers("file:memorydb_default?mode=memory&cache=shared") is None
