"""The per-source memory of short lines: what it forgets, and how (intake's housekeeping)."""

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection

from headlines.core import clock
from headlines.core.housekeeping import DELETE_CHUNK
from headlines.intake.models import RepeatedLine, Source
from headlines.intake.services import FORGET_SINGLE_LINES_DAYS
from headlines.intake.storing.line_memory import SourceLineMemory, repeated_lines_prune

NOW = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)
MONTH = dt.timedelta(days=FORGET_SINGLE_LINES_DAYS)


@contextlib.contextmanager
def clock_at(when: dt.datetime) -> Iterator[None]:
    previous = clock.set_clock(clock.FixedClock(when))
    try:
        yield
    finally:
        clock.set_clock(previous)


def seen(source: Source, lines: dict[str, int], at: dt.datetime) -> None:
    """One run of `source` at `at` that saw each line its number of times."""
    with clock_at(at):
        memory = SourceLineMemory(source, threshold=3)
        for line, times in lines.items():
            for _ in range(times):
                memory.record([line], {line: f"example of {line}"})
        memory.flush()


def prune_at(at: dt.datetime) -> int:
    with clock_at(at):
        return repeated_lines_prune(older_than_days=FORGET_SINGLE_LINES_DAYS)


def stored() -> dict[str, int]:
    return dict(RepeatedLine.objects.values_list("line_hash", "seen"))


@pytest.mark.django_db
def test_lines_seen_once_a_month_ago_are_forgotten_and_the_sources_furniture_stays() -> None:
    wire = Source.objects.create(name="Wire", slug="wire")
    other = Source.objects.create(name="Other", slug="other")
    import_day = NOW - MONTH - dt.timedelta(hours=1)
    seen(wire, {"once-long-ago": 1, "menu": 5}, import_day)
    seen(other, {"once-long-ago": 1}, import_day)
    seen(wire, {"once-lately": 1}, NOW - MONTH + dt.timedelta(minutes=1))
    seen(wire, {"twice": 1}, import_day)
    seen(wire, {"twice": 1}, NOW - dt.timedelta(days=2))  # seen again since: counted, kept

    assert prune_at(NOW) == 2
    assert stored() == {"menu": 5, "once-lately": 1, "twice": 2}
    assert prune_at(NOW) == 0


@pytest.mark.django_db(transaction=True)  # each chunk's transaction is then a real one
def test_on_sqlite_an_imports_lines_go_a_chunk_at_a_time_and_one_seen_again_meanwhile_stays() -> (
    None
):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: its one write lock is why the rows go a chunk at a time")
    wire = Source.objects.create(name="Wire", slug="wire")
    import_day = NOW - MONTH - dt.timedelta(hours=1)
    lines = [f"line-{n:05d}" for n in range(DELETE_CHUNK + 20)]
    seen(wire, dict.fromkeys(lines, 1), import_day)  # one run stamps them all alike
    chunks: list[int] = []

    def an_ingest_sees_one_again_meanwhile(execute, sql, params, many, context):
        if sql.startswith("DELETE"):
            chunks.append(len(params))
            if len(chunks) == 1:  # between the chunk's read and its delete
                seen(wire, {RepeatedLine.objects.get(pk=params[0]).line_hash: 1}, NOW)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(an_ingest_sees_one_again_meanwhile):
        assert prune_at(NOW) == len(lines) - 1
    # Two transactions, each the chunk's ids and the "seen once" check (the row seen again
    # fails it), so a line counted twice is not lost with the others.
    assert [n - 1 for n in chunks] == [DELETE_CHUNK, 20]
    assert list(stored().values()) == [2]
