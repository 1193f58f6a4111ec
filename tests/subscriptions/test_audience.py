"""The audience's rule for when a reader is due a digest (`audience.due_at`)."""

from __future__ import annotations

import datetime as dt

from headlines.core.models import Edition
from headlines.subscriptions.audience import due_at

WEDNESDAY = dt.date(2026, 11, 25)


def utc(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=dt.UTC)


def due(
    edition: Edition, timezone: str, hour: int, ready_at: dt.datetime | None = None
) -> dt.datetime:
    return due_at(
        edition=edition, day=WEDNESDAY, timezone=timezone, send_hour=hour, ready_at=ready_at
    )


def test_a_window_that_closes_minutes_after_the_send_time_is_the_next_evenings() -> None:
    # 18:59 in London (UTC in November), a 3 h window: 16:00's closes at 19:00, a minute
    # after the send, too soon to go out; 17:00's at 20:00.
    late = Edition(timezone="Europe/London", send_at=dt.time(18, 59))
    assert due(late, "Europe/London", 16) == utc(26, 16)
    assert due(late, "Europe/London", 17) == utc(25, 17)
    # A quarter hour is enough: Kathmandu's 21:00 (15:15 UTC) closes at 18:15, after 18:00.
    on_time = Edition(timezone="Europe/London", send_at=dt.time(18, 0))
    assert due(on_time, "Asia/Kathmandu", 21) == utc(25, 15, 15)


def test_a_late_approval_moves_only_the_readers_whose_window_it_closed() -> None:
    edition = Edition(timezone="Europe/London", send_at=dt.time(18, 0))
    # Approved before the send time: the send time decides, as without an approval.
    assert due(edition, "Europe/London", 16, ready_at=utc(25, 9)) == utc(25, 16)
    # Approved at 20:00: 18:00's window (to 21:00) is still open; 16:00's (to 19:00) is not.
    assert due(edition, "Europe/London", 18, ready_at=utc(25, 20)) == utc(25, 18)
    assert due(edition, "Europe/London", 16, ready_at=utc(25, 20)) == utc(26, 16)
    # Approved at 20:55, five minutes before 18:00's window closes: too late to go out.
    assert due(edition, "Europe/London", 18, ready_at=utc(25, 20, 55)) == utc(26, 18)
    # New York's 18:00 (23:00 UTC) is still ahead.
    assert due(edition, "America/New_York", 18, ready_at=utc(25, 20, 55)) == utc(25, 23)
    # Approved four days late: the reader's next evening after it, not one long gone.
    assert due(edition, "Europe/London", 18, ready_at=utc(29, 22)) == utc(30, 18)
