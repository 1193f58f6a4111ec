"""The time zones a reader chooses among: the common ones, by region, labelled as people say them.

Not the ~600 raw IANA names (`Etc/GMT+5` is five hours behind UTC, which no reader guesses):
a city per zone that most readers live in or next to, with its offset now. Any valid IANA
name is still accepted, so a browser's own zone or an older choice outside the list works.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache, lru_cache

from headlines.core import clock

REGIONS: dict[str, tuple[str, ...]] = {
    "Americas": (
        "America/St_Johns", "America/Halifax", "America/Puerto_Rico", "America/New_York",
        "America/Toronto", "America/Chicago", "America/Mexico_City", "America/Denver",
        "America/Phoenix", "America/Los_Angeles", "America/Vancouver", "America/Anchorage",
        "America/Bogota", "America/Lima", "America/Caracas", "America/Santiago",
        "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
    ),
    "Europe": (
        "Atlantic/Reykjavik", "Europe/London", "Europe/Dublin", "Europe/Lisbon",
        "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam",
        "Europe/Brussels", "Europe/Zurich", "Europe/Vienna", "Europe/Stockholm", "Europe/Oslo",
        "Europe/Copenhagen", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest",
        "Europe/Athens", "Europe/Helsinki", "Europe/Bucharest", "Europe/Kyiv",
        "Europe/Istanbul", "Europe/Moscow",
    ),
    "Africa": (
        "Africa/Casablanca", "Africa/Accra", "Africa/Lagos", "Africa/Cairo",
        "Africa/Johannesburg", "Africa/Nairobi",
    ),
    "Asia": (
        "Asia/Jerusalem", "Asia/Riyadh", "Asia/Tehran", "Asia/Dubai", "Asia/Karachi",
        "Asia/Kolkata", "Asia/Kathmandu", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta",
        "Asia/Ho_Chi_Minh", "Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Manila",
        "Asia/Seoul", "Asia/Tokyo",
    ),
    "Australia and Pacific": (
        "Australia/Perth", "Australia/Darwin", "Australia/Adelaide", "Australia/Brisbane",
        "Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland", "Pacific/Fiji",
        "Pacific/Honolulu",
    ),
    "Universal": ("UTC",),
}  # fmt: skip

# Names browsers still report for zones the list spells the modern way (Chrome says
# Asia/Calcutta for India): the page maps them before looking for the reader's zone.
BROWSER_ALIASES = {
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Europe/Kiev": "Europe/Kyiv",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "Etc/UTC": "UTC",
    "Etc/GMT": "UTC",
    "GMT": "UTC",
    "Universal": "UTC",
}


@cache
def common_zones() -> frozenset[str]:
    return frozenset(zone for zones in REGIONS.values() for zone in zones)


def place(zone: str) -> str:
    """The city a zone is named after: `America/Argentina/Buenos_Aires` → `Buenos Aires`."""
    return zone.rpartition("/")[2].replace("_", " ")


def offset(zone: str, at: dt.datetime) -> str:
    """`UTC+5:30`, `UTC` and a minus sign for zones behind, for the zone's offset at `at`."""
    delta = at.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or dt.timedelta()
    minutes = int(delta.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\N{MINUS SIGN}"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def label(zone: str, at: dt.datetime) -> str:
    return f"{place(zone)} ({offset(zone, at)})" if zone != "UTC" else "UTC"


def zone_choices(*, extra: str = "", empty_label: str) -> list[tuple[str, object]]:
    """Grouped choices for a <select>: the common zones by region, each region in offset order.

    `extra`, a valid zone outside the list (the reader's current choice), gets its own group
    so the page shows what is stored rather than silently picking another zone.
    """
    now = clock.now()
    choices: list[tuple[str, object]] = [("", empty_label)]
    if extra and extra not in common_zones():
        choices.append(("Your current choice", [(extra, f"{extra} ({offset(extra, now)})")]))
    minute = now.astimezone(dt.UTC).replace(second=0, microsecond=0)
    choices.extend((region, list(zones)) for region, zones in _regions_at(minute))
    return choices


@lru_cache(maxsize=4)
def _regions_at(minute: dt.datetime) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """The regions' labelled zones as of `minute`, made once a minute: an offset changes only
    on a whole minute, and the 85 zones' offsets, read twice each, were 40 % of the
    preferences page (3.8 of 9.7 ms)."""
    return tuple(
        (
            region,
            tuple(
                (z, label(z, minute))
                for z in sorted(zones, key=lambda z: (_minutes(z, minute), place(z)))
            ),
        )
        for region, zones in REGIONS.items()
    )


def _minutes(zone: str, at: dt.datetime) -> float:
    delta = at.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset() or dt.timedelta()
    return delta.total_seconds() / 60
