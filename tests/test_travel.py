"""The travelled run (`pytest --travel-days=N`) really moves this process's clock, and only it."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from headlines.core import clock
from tests.travel import child_now, travel_days


def test_the_clocks_this_process_reads_are_moved_and_a_child_keeps_the_real_one(
    request: pytest.FixtureRequest,
) -> None:
    days = travel_days(request.config)
    ahead = clock.now() - child_now()
    # A child started a moment ago reads a clock no later than ours, give or take the travel.
    assert dt.timedelta(days=days, seconds=-60) < ahead < dt.timedelta(days=days, seconds=60)
    assert abs(timezone.now() - clock.now()) < dt.timedelta(seconds=60)
    assert abs(time.time() - clock.now().timestamp()) < 60


def test_the_travelled_clock_ticks() -> None:
    before = clock.now()
    time.sleep(0.05)
    assert clock.now() > before
