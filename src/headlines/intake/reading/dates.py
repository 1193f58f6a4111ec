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
    """ISO, or a date written out: "28 September 2022", "Sep 28, 2022" (and the other day
    shapes `_LOOSE_DATE` reads: "10.03.2022", "2022/03/10"), without a time."""
    value = " ".join(value.split())
    if plain_digits(value[:4]) and (found := parse_date(value.replace(" ", "T", 1))):
        return found
    match = _LOOSE_DATE.fullmatch(value)
    return _loose_day(match) if match else None


# How far ahead of our clock a date may be and still be kept: a time zone slip (a local time
# read as UTC, UTC+14 the furthest ahead) or a publisher's clock a little fast, not a wrong year.
FUTURE_SLACK = dt.timedelta(hours=14)


def in_future(value: DateLike, *, now: dt.datetime) -> bool:
    """Whether `value` is past FUTURE_SLACK ahead of `now`; a bare date, whether that day has
    not begun anywhere on Earth."""
    latest = now + FUTURE_SLACK
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)) > latest
    return value > latest.date()


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
    "'March 10th, 2020 4:52 PM ET', '2020/03/10', '10.03.2020', '20200310', "
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
    if _COMPACT.match(text):
        return _compact(text)
    if _EPOCH.match(text):
        return _from_epoch(float(text))
    found = parse_date(text) or parse_written_date(text) or _parse_loose(text)
    if found is not None or _MERIDIEM.search(text):
        return found  # RFC 2822's reader would drop the "PM" of "4:52 PM"
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return in_range(parsed)


# The shapes scraped dumps write beyond ISO and RFC 2822 (parse_record_date): a weekday before
# the date, ordinals ("March 10th, 2020", "10th of March 2020"), "10-Mar-2020", "2020/03/10",
# day first with dots ("10.03.2020"), a date with slashes when only one reading is a date
# ("25/03/2020", "03/25/2020"; "03/10/2020" is refused: March or October), "20200310"; then a
# time, on a 12-hour clock too ("4:52 PM", "at 4:52 p.m."), and a zone: an offset, UTC/GMT, or
# the US zones and Europe's most common abbreviations. No zone: UTC, as for ISO without one.
_WEEKDAY_FIRST = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.I)
_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b(?:\s+of\b)?", re.I)
_MERIDIEM = re.compile(r"\d\s*(?:[ap]\.\s?m\.?|[ap]m\b)", re.I)
_LOOSE_DATE = re.compile(
    rf"^(?:(?P<d1>\d{{1,2}})[ -](?P<m1>{MONTH})[ -](?P<y1>\d{{4}})"
    rf"|(?P<m2>{MONTH}) (?P<d2>\d{{1,2}}),? (?P<y2>\d{{4}})"
    r"|(?P<y3>\d{4})[/.](?P<m3>\d{1,2})[/.](?P<d3>\d{1,2})"
    r"|(?P<d4>\d{1,2})\.(?P<m4>\d{1,2})\.(?P<y4>\d{4})"
    r"|(?P<a5>\d{1,2})/(?P<b5>\d{1,2})/(?P<y5>\d{4}))",
    re.I,
)
_LOOSE_TIME = re.compile(
    r"^(?:,?\s*(?:at\s+|-\s*|T)?)(?P<h>\d{1,2})(?::(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d{1,6})?)?)?"
    r"\s*(?P<ap>[ap])?(?(ap)\.?\s?m\b\.?)"
    r"\s*(?P<zone>Z|(?:UTC|GMT)?\s?[+-]\d{1,2}(?::?\d{2})?|UTC|GMT|[ECMP][SD]?T|BST|CES?T|"
    r"EES?T|WES?T)?$",
    re.I,
)
_ZONES = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "WET": 0, "WEST": 1, "UTC": 0, "GMT": 0,
    "Z": 0,
}  # fmt: skip
# Without a letter for summer or winter ("ET"), the zone's own rules say which.
_REGIONS = {
    "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}  # fmt: skip
_COMPACT = re.compile(r"^(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$")


def _compact(text: str) -> dt.date | None:
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _parse_loose(text: str) -> DateLike | None:
    text = _ORDINAL.sub(r"\1", _WEEKDAY_FIRST.sub("", text))
    match = _LOOSE_DATE.match(text)
    if match is None:
        return None
    day = _loose_day(match)
    rest = text[match.end() :].strip()
    if day is None or not rest:
        return day
    clock = _LOOSE_TIME.match(rest)
    if clock is None:
        return None
    hour, minute = int(clock["h"]), int(clock["mi"] or 0)
    if clock["ap"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if clock["ap"].lower() == "p" else 0)
    elif clock["mi"] is None:
        return None  # "2020 4" is no time
    try:
        when = dt.datetime.combine(day, dt.time(hour, minute, int(clock["s"] or 0)))
    except ValueError:
        return None
    return in_range(when.replace(tzinfo=_zone(clock["zone"])))


def _loose_day(match: re.Match[str]) -> dt.date | None:
    if match["y1"] or match["y2"]:
        year = int(match["y1"] or match["y2"])
        month = MONTHS.get((match["m1"] or match["m2"]).lower().rstrip("."), 0)
        day = int(match["d1"] or match["d2"])
    elif match["y3"]:
        year, month, day = int(match["y3"]), int(match["m3"]), int(match["d3"])
    elif match["y4"]:
        year, month, day = int(match["y4"]), int(match["m4"]), int(match["d4"])
    else:
        first, second, year = int(match["a5"]), int(match["b5"]), int(match["y5"])
        if first > 12 >= second or first == second:
            day, month = first, second
        elif second > 12 >= first:
            month, day = first, second
        else:
            return None  # "03/10/2020": March or October
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def two_ways(value: Any) -> bool:
    """Whether `value` is a date with slashes that reads as two dates ("03/10/2020")."""
    if not isinstance(value, str):
        return False
    match = _LOOSE_DATE.match(_WEEKDAY_FIRST.sub("", " ".join(value.split())))
    return bool(
        match
        and match["a5"]
        and 1 <= int(match["a5"]) <= 12
        and 1 <= int(match["b5"]) <= 12
        and match["a5"] != match["b5"]
    )


def _zone(name: str | None) -> dt.tzinfo:
    if not name:
        return dt.UTC
    label = name.replace(" ", "").upper()
    if label in _ZONES:
        return dt.timezone(dt.timedelta(hours=_ZONES[label]))
    if label in _REGIONS:
        from zoneinfo import ZoneInfo

        return ZoneInfo(_REGIONS[label])
    offset = re.match(r"^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$", label)
    if offset is None:
        return dt.UTC
    sign = -1 if offset[1] == "-" else 1
    hours, minutes = int(offset[2]), int(offset[3] or 0)
    if hours > 14 or minutes > 59:
        return dt.UTC
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _from_epoch(count: float) -> dt.datetime | None:
    if not math.isfinite(count) or count < _EPOCH_FROM:
        return None
    seconds = count / 1000 if count >= _MILLISECONDS_FROM else count
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
