"""`pytest --travel-days=N`: the whole run with the wall clock moved N days ahead, still ticking.

A test that passes only on the day it was written (a timestamp read from the wall clock instead
of `headlines.core.clock`, a date typed into a test) fails in a travelled run. CI runs the SQLite
suite once more this way (`make test-travel`). `HEADLINES_TEST_TRAVEL_DAYS` does the same as the
option.

time-machine moves the clock of this process only (every thread of it, `time.time()`,
`datetime.now()`, Django's `timezone.now()`), not `time.monotonic()`, so timeouts and
`time.sleep` keep working. A child process (`headlines run`, a Celery worker, SpamAssassin)
keeps the real clock: a test that hands times to a child takes them from `child_now()`, which
asks a child for its clock, never from this process's clock.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest

ENV = "HEADLINES_TEST_TRAVEL_DAYS"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--travel-days",
        type=int,
        default=None,
        metavar="N",
        help=f"run every test with the wall clock moved N days ahead (ticking); env {ENV}",
    )


def travel_days(config: pytest.Config) -> int:
    option = config.getoption("--travel-days")
    if option is not None:
        return int(option)
    return int(os.environ.get(ENV) or 0)


def pytest_configure(config: pytest.Config) -> None:
    days = travel_days(config)
    if not days:
        return
    import time_machine

    destination = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    traveller = time_machine.travel(destination, tick=True)
    traveller.start()
    config.stash[_TRAVELLER] = traveller


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_TRAVELLER, None)
    if traveller is not None:
        traveller.stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    days = travel_days(config)
    if not days:
        return None
    return f"clock travelled {days:+d} days: tests see {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"


_TRAVELLER = pytest.StashKey[Any]()


def child_now() -> dt.datetime:
    """The wall clock a child process started now reads (the real one, even in a travelled run)."""
    out = subprocess.run(
        [sys.executable, "-I", "-c", "import time; print(repr(time.time()))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    return dt.datetime.fromtimestamp(float(out), dt.UTC)
