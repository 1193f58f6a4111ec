import datetime as dt

import pytest
from django.db import connection

from headlines.core.windowed import forget_older, lock_keys
from headlines.subscriptions.models import SignupAttempt

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
WINDOW = dt.timedelta(minutes=15)


@pytest.mark.django_db(transaction=True)  # each chunk's transaction is then a real one
def test_old_rows_are_forgotten_oldest_first_a_chunk_a_transaction() -> None:
    old = [NOW - WINDOW - dt.timedelta(seconds=n) for n in range(11, 0, -1)]  # oldest first
    kept = [NOW - WINDOW, NOW - dt.timedelta(minutes=1), NOW]  # the window's first instant stays
    rows = SignupAttempt.objects.bulk_create(
        SignupAttempt(key=f"k{n}", created_at=at) for n, at in enumerate(reversed(old + kept))
    )
    created = {row.pk: row.created_at for row in rows}
    chunks: list[list[dt.datetime]] = []

    def recorded(execute, sql, params, many, context):
        if sql.startswith("DELETE"):
            assert connection.in_atomic_block and connection.savepoint_ids == [None]  # outermost
            chunks.append(sorted(created[pk] for pk in params))
        return execute(sql, params, many, context)

    assert not connection.in_atomic_block
    with connection.execute_wrapper(recorded):
        assert forget_older(SignupAttempt, before=NOW - WINDOW, chunk=4) == 11
    assert chunks == [old[:4], old[4:8], old[8:]]
    assert sorted(SignupAttempt.objects.values_list("created_at", flat=True)) == kept
    assert forget_older(SignupAttempt, before=NOW - WINDOW, chunk=4) == 0


@pytest.mark.django_db
def test_after_each_full_chunk_it_pauses_as_long_as_the_chunk_held_the_lock(monkeypatch) -> None:
    from headlines.core import windowed

    old = NOW - WINDOW - dt.timedelta(seconds=1)
    SignupAttempt.objects.bulk_create(SignupAttempt(key=f"k{n}", created_at=old) for n in range(9))
    ticks = iter([0.0, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4])
    slept: list[float] = []
    monkeypatch.setattr(windowed.time, "monotonic", lambda: next(ticks))
    monkeypatch.setattr(windowed.time, "sleep", slept.append)
    assert forget_older(SignupAttempt, before=NOW - WINDOW, chunk=3) == 9
    # Three full chunks, each followed by its own length outside the lock; the fourth was empty.
    assert slept == pytest.approx([0.025, 0.05, 0.1])


def test_every_keys_lock_is_taken_in_one_statement_in_the_order_given() -> None:
    class Cursor:
        def __init__(self) -> None:
            self.ran: list[tuple[str, list[str]]] = []

        def execute(self, sql: str, params: list[str]) -> None:
            self.ran.append((sql, params))

    cursor = Cursor()
    lock_keys(cursor, ["address:a", "ip:b"])
    assert cursor.ran == [
        (
            "SELECT pg_advisory_xact_lock(hashtext(%s)), pg_advisory_xact_lock(hashtext(%s))",
            ["address:a", "ip:b"],
        )
    ]
