import datetime as dt

from headlines.core.windowed import PRUNE_EVERY, Pruner, lock_keys

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
WINDOW = dt.timedelta(minutes=15)


def test_old_rows_are_deleted_at_most_once_a_minute_per_process() -> None:
    deleted_before: list[dt.datetime] = []
    prune = Pruner(deleted_before.append)
    prune(NOW, WINDOW)
    prune(NOW + dt.timedelta(seconds=59), WINDOW)  # within the minute: nothing
    prune(NOW + PRUNE_EVERY, WINDOW)
    prune(NOW - dt.timedelta(hours=1), WINDOW)  # a clock set back: prunes again
    assert deleted_before == [
        NOW - WINDOW,
        NOW + PRUNE_EVERY - WINDOW,
        NOW - dt.timedelta(hours=1) - WINDOW,
    ]


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
