"""Old rows deleted a chunk a transaction (the periodic jobs' housekeeping)."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from headlines.core import clock, jobqueue
from headlines.core.housekeeping import delete_old_rows
from headlines.core.models import Job
from headlines.subscriptions.models import SignupAttempt

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
WINDOW = dt.timedelta(minutes=15)


def old_attempts() -> QuerySet[SignupAttempt]:
    return SignupAttempt.objects.filter(created_at__lt=NOW - WINDOW)


@pytest.fixture
def sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: its one write lock is why the rows go a chunk at a time")


@pytest.mark.django_db
def test_on_postgresql_old_rows_go_in_one_statement() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    SignupAttempt.objects.bulk_create(
        SignupAttempt(key=f"k{n}", created_at=NOW - WINDOW - dt.timedelta(seconds=n))
        for n in range(1, 8)
    )
    SignupAttempt.objects.create(key="new", created_at=NOW)
    with CaptureQueriesContext(connection) as ran:
        assert delete_old_rows(old_attempts(), order_by="created_at", chunk=3) == 7
    assert [q["sql"].split()[0] for q in ran.captured_queries] == ["DELETE"]
    assert list(SignupAttempt.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db(transaction=True)  # each chunk's transaction is then a real one
def test_old_rows_are_deleted_oldest_first_a_chunk_a_transaction_by_their_keys(sqlite) -> None:
    old = [NOW - WINDOW - dt.timedelta(seconds=n) for n in range(11, 0, -1)]  # oldest first
    kept = [NOW - WINDOW, NOW - dt.timedelta(minutes=1), NOW]  # the window's first instant stays
    rows = SignupAttempt.objects.bulk_create(
        SignupAttempt(key=f"k{n}", created_at=at) for n, at in enumerate(reversed(old + kept))
    )
    created = {row.pk: row.created_at for row in rows}
    chunks: list[list[dt.datetime]] = []

    def recorded(execute, sql, params, many, context):
        if sql.startswith("DELETE"):
            assert connection.in_atomic_block and connection.savepoint_ids == [None]  # its own
            assert "created_at" not in sql  # by key alone: SQLite read the filter's index
            chunks.append(sorted(created[pk] for pk in params))
        return execute(sql, params, many, context)

    assert not connection.in_atomic_block
    with connection.execute_wrapper(recorded):
        assert delete_old_rows(old_attempts(), order_by="created_at", chunk=4) == 11
    assert chunks == [old[:4], old[4:8], old[8:]]
    assert sorted(SignupAttempt.objects.values_list("created_at", flat=True)) == kept
    assert delete_old_rows(old_attempts(), order_by="created_at", chunk=4) == 0


@pytest.mark.django_db
def test_rows_of_one_time_across_chunks_are_all_deleted_and_each_chunk_reads_on(sqlite) -> None:
    at = NOW - WINDOW - dt.timedelta(seconds=5)
    SignupAttempt.objects.bulk_create(SignupAttempt(key=f"k{n}", created_at=at) for n in range(7))
    SignupAttempt.objects.create(key="later", created_at=at + dt.timedelta(seconds=1))
    reads: list[str] = []

    def recorded(execute, sql, params, many, context):
        if sql.startswith("SELECT"):
            reads.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(recorded):
        assert delete_old_rows(old_attempts(), order_by="created_at", chunk=3) == 8
    assert not SignupAttempt.objects.exists()
    # The first read from the start, every later one from where the last chunk ended.
    assert [sql.count('"created_at" >=') for sql in reads] == [0, 1, 1]


@pytest.mark.django_db
def test_after_each_full_chunk_it_pauses_as_long_as_the_chunk_held_the_lock(
    sqlite, monkeypatch
) -> None:
    from headlines.core import housekeeping

    old = NOW - WINDOW - dt.timedelta(seconds=1)
    SignupAttempt.objects.bulk_create(SignupAttempt(key=f"k{n}", created_at=old) for n in range(9))
    ticks = iter([0.0, 0.025, 0.05, 0.1, 0.2, 0.3])
    slept: list[float] = []
    monkeypatch.setattr(housekeeping.time, "monotonic", lambda: next(ticks))
    monkeypatch.setattr(housekeeping.time, "sleep", slept.append)
    assert delete_old_rows(old_attempts(), order_by="created_at", chunk=3) == 9
    # Three full chunks, each followed by its own length outside the lock; the fourth was empty.
    assert slept == pytest.approx([0.025, 0.05, 0.1])


@pytest.mark.django_db
def test_done_jobs_are_forgotten_after_a_week_and_nothing_else_is() -> None:
    fixed = clock.FixedClock(NOW)
    previous = clock.set_clock(fixed)
    try:
        week = dt.timedelta(days=7)

        def job(status: str, run_after: dt.datetime, finished: dt.datetime | None) -> Job:
            return Job.objects.create(
                kind="test.job", status=status, run_after=run_after, finished_at=finished
            )

        old = NOW - week - dt.timedelta(hours=1)
        gone = [job("done", old, old), job("done", old - dt.timedelta(days=3), old)]
        stay = [
            job("done", old, NOW - week + dt.timedelta(minutes=1)),  # ran late: finished since
            job("done", NOW, NOW),
            job("failed", old, old),  # failed ones stay for staff
            job("queued", old, None),
        ]
        assert jobqueue.purge(older_than=week) == 2
        assert set(Job.objects.values_list("pk", flat=True)) == {j.pk for j in stay}
        assert not Job.objects.filter(pk__in=[j.pk for j in gone]).exists()
    finally:
        clock.set_clock(previous)


def test_the_housekeeping_jobs_are_long_so_no_confirmation_email_waits_behind_one() -> None:
    from headlines.core import jobs
    from headlines.core.scheduler import periodic_jobs

    housekeeping = {
        "core.jobs_purge",
        "webhooks.purge",
        "subscriptions.forget_signup_attempts",
        "staff.forget_login_failures",
    }
    assert housekeeping <= {p.name for p in periodic_jobs()}
    assert housekeeping <= jobs.long_kinds()
    assert "subscriptions.send_confirmation" not in jobs.long_kinds()
