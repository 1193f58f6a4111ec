"""Dates as records and pages write them: ISO 8601 first, then the common written shapes."""

from __future__ import annotations

import datetime as dt
import email.utils
import math
import re
from typing import Any

from headlines.core.untrusted import plain_digits

DateLike = dt.date | dt.datetime
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"  # fmt: skip
ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
# "28 September 2022", "September 28, 2022", "28 Sep. 2022".
WRITTEN_DATE = rf"\d{{1,2}}\s+{MONTH}\s+\d{{4}}|{MONTH}\s+\d{{1,2}},?\s+\d{{4}}"
ANY_DATE = rf"{ISO_DATE}|{WRITTEN_DATE}"
_WRITTEN = re.compile(rf"^(?:(\d{{1,2}})\s+({MONTH})|({MONTH})\s+(\d{{1,2}}),?)\s+(\d{{4}})$", re.I)


def parse_date(value: str) -> DateLike | None:
    """ISO dates and date-times; a bare date stays a date (it has no time of day to invent)."""
    value = value.strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        if value.endswith("T00:00:00"):  # htmldate's shape for a date without a time
            return dt.date.fromisoformat(value[:10])
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return in_range(parsed)


def in_range(parsed: dt.datetime) -> dt.datetime | None:
    """`parsed` (UTC when it names no zone), or None when it has no UTC time a datetime holds:
    "9999-12-31T23:59:59-14:00" is in the year 10000 in UTC, and storing it crashed the import
    (and reading it in a feed, the extract)."""
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    try:
        parsed.astimezone(dt.UTC)
    except OverflowError:
        return None
    return parsed


def parse_written_date(value: str) -> DateLike | None:
    """ISO, or a date written out: "28 September 2022", "Sep 28, 2022"."""
    value = " ".join(value.split())
    if plain_digits(value[:4]):
        return parse_date(value.replace(" ", "T", 1))
    match = _WRITTEN.match(value)
    if match is None:
        return None
    day = match.group(1) or match.group(4)
    month = MONTHS.get((match.group(2) or match.group(3)).lower().rstrip("."))
    try:
        return dt.date(int(match.group(5)), month or 0, int(day))
    except ValueError:
        return None


def as_datetime(value: DateLike | None) -> dt.datetime | None:
    """For storage: a bare date is taken as noon UTC, inside that day in every edition's zone
    from UTC-11 to UTC+11, so date-only records land in the right evening's digest."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, 12, tzinfo=dt.UTC)


# A JSON record's time as aggregators and scrapers write it, under any of these keys (the first
# present wins): ISO 8601, an RSS pubDate (RFC 2822), a written date, or seconds or
# milliseconds since 1970 (a number, or its digits).
RECORD_DATE_KEYS = (
    "date",
    "published",
    "published_at",
    "datetime",
    "pubDate",
    "pub_date",
    "publish_date",
    "published_date",
    "date_published",
    "datePublished",
    "publishedAt",
    "timestamp",
    "created_at",
)
RECORD_DATE_SHAPES = (
    "ISO 8601, an RSS date such as 'Mon, 10 Mar 2014 16:52:50 GMT', '28 September 2022', "
    "or seconds or milliseconds since 1970"
)
# Seconds since 1970 stop before this (the year 5138); a count at or past it is milliseconds.
# A count under 10**8 (March 1973) is no news record's time: a year, an id, a typo.
_MILLISECONDS_FROM, _EPOCH_FROM = 10**11, 10**8
_EPOCH = re.compile(r"^\d{1,16}(?:\.\d{1,9})?$")


def parse_record_date(value: Any) -> DateLike | None:
    """A record's date in any of RECORD_DATE_SHAPES; None when it is none of them."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value)) if abs(value) < 10**16 else None
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    found = parse_date(text) or parse_written_date(text)
    if found is not None:
        return found
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return in_range(parsed)


def _from_epoch(count: float) -> dt.datetime | None:
    if not math.isfinite(count) or count < _EPOCH_FROM:
        return None
    seconds = count / 1000 if count >= _MILLISECONDS_FROM else count
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
