"""The PostgreSQL connection as the settings make it: values bound and statements prepared."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection

from headlines.core.models import Edition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend only")


def test_a_statement_run_often_is_prepared_once_and_then_reused() -> None:
    Edition.objects.create(slug="us", name="US")
    for _ in range(8):
        assert Edition.objects.filter(slug="us").count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ['%FROM "core_edition"%', "%COUNT(*)%"],
        )
        found = cursor.fetchall()
    # psycopg prepares a statement once it has run it five times (prepare_threshold 5): the
    # sixth, seventh and eighth runs are the prepared statement's.
    assert [runs for _, runs in found] == [3], found
    assert "$1" in found[0][0], "the value is bound by the server, not written into the text"


# --- the health check: a connection used moments ago is not pinged -------------------------


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each `SELECT 1` health check the connection sends, with whether it found it alive."""
    sent: list[bool] = []
    usable = connection.is_usable

    def counted() -> bool:
        sent.append(usable())
        return sent[-1]

    monkeypatch.setattr(connection, "is_usable", counted)
    return sent


def request() -> int:
    """One request's use of the database, between the calls Django makes at its ends."""
    connection.close_if_unusable_or_obsolete()
    try:
        return Edition.objects.count()
    finally:
        connection.close_if_unusable_or_obsolete()


def drop_connection() -> None:
    """The server ends the connection, as a restart or an idle timeout does."""
    import psycopg

    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.django_db(transaction=True)
def test_a_connection_busy_with_requests_is_not_pinged_before_each(pings: list[bool]) -> None:
    from headlines.core.postgresql.base import ALIVE_BYPASS

    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    request()
    pings.clear()
    for _ in range(5):
        request()
    assert pings == [], "each request came within ALIVE_BYPASS of the last"
    connection.answered_at -= ALIVE_BYPASS  # idle for half a second
    request()
    assert pings == [True], "a connection idle for longer is pinged, as Django does"


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_while_idle_is_replaced_before_the_request_uses_it(
    pings: list[bool],
) -> None:
    from headlines.core.postgresql.base import ALIVE_BYPASS

    request()
    drop_connection()
    connection.answered_at -= ALIVE_BYPASS
    assert request() == 0, "the request is served on a new connection"
    assert pings == [False]


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_within_the_window_fails_one_request_then_is_replaced(
    pings: list[bool],
) -> None:
    from django.db import OperationalError

    request()
    drop_connection()
    with pytest.raises(OperationalError):
        request()
    assert connection.connection is None, "closed at the end of the failed request"
    assert request() == 0


# --- a connection the server dropped, in a long-lived process --------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_scheduler_whose_connection_the_server_dropped_ticks_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from headlines.core import clock, jobs, scheduler
    from headlines.core.models import Job

    fixed = clock.FixedClock(dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC))
    clock.set_clock(fixed)
    monkeypatch.setattr(scheduler, "_PERIODIC", {})  # this test's job alone
    scheduler.every(60, "tests.pg_tick")
    jobs.job("tests.pg_tick")(lambda: None)
    sched = scheduler.Scheduler(tick_seconds=30)
    assert sched.tick(now=0.0) == ["tests.pg_tick"]
    # `pg_terminate_backend`, as a failover, an idle timeout or a DBA does to it.
    killer = connection.get_new_connection(connection.get_connection_params())
    killer.autocommit = True
    killer.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    killer.close()
    fixed.advance(seconds=60)
    time.sleep(0.6)  # ticks are 30 s apart: past the half second a used connection is trusted
    # It used to fail every tick from then on ("the connection is closed"): no periodic job,
    # no doorbell rung again, a send stalled until someone restarted it.
    assert sched.tick(now=60.0) == ["tests.pg_tick"]
    assert Job.objects.filter(kind="tests.pg_tick").count() == 2
