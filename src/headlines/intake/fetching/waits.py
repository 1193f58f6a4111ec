"""How long a server asks us to wait (Retry-After), and a wait in words an editor reads."""

from __future__ import annotations

import datetime as dt
import email.utils

from headlines.core import clock
from headlines.core.untrusted import plain_digits

# A server asking for longer is still left alone a week at most: an editor can ingest it sooner.
MAX_RETRY_AFTER = 7 * 24 * 3600.0


def retry_after_seconds(value: str) -> float | None:
    """The wait a Retry-After (seconds, or an HTTP date read against the project's clock) asks
    for, at most MAX_RETRY_AFTER; None when there is none or it cannot be read."""
    value = value.strip()
    if plain_digits(value):
        return min(float(value), MAX_RETRY_AFTER)
    if value:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, OverflowError):
            return None
        if parsed.tzinfo is None:  # "-0000": UTC, origin unknown (RFC 5322)
            parsed = parsed.replace(tzinfo=dt.UTC)
        return max(0.0, min((parsed - clock.now()).total_seconds(), MAX_RETRY_AFTER))
    return None


def duration(seconds: float) -> str:
    """A wait as people say it: 45 s, 20 min, 2 h, 1.5 h, 3 days."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h".replace(".0 h", " h")
    return f"{seconds / 86400:.1f} days".replace(".0 days", " days")
