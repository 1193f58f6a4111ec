"""Failed staff sign-ins, limited per username and per client address, counted in the database.

The staff admin's login form asks `staff_login_begin` before it checks a password: past either
limit the attempt is refused whatever the password, so guessing stops even on the right one.
The database, not the cache, is the shared store: the limits hold across web processes and
machines and survive restarts. Rows older than the window are forgotten by a periodic job
(`staff.forget_login_failures`, every minute).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet

from headlines.core import clock
from headlines.core.errors import DomainError
from headlines.core.housekeeping import delete_old_rows
from headlines.core.windowed import lock_keys
from headlines.staff.models import ADDRESS_MAX, USERNAME_MAX, StaffLoginFailure

log = logging.getLogger(__name__)


class SignInPaused(DomainError):
    """Too many failed sign-ins for this username or from this address; try again `until`."""

    def __init__(self, *, until: dt.datetime, now: dt.datetime) -> None:
        self.until = until
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        # The same words whichever limit was reached and whether or not the username exists.
        super().__init__(
            "Too many failed sign-in attempts. Signing in is paused until "
            f"{until:%H:%M} UTC (in {minutes} minute{'s' if minutes != 1 else ''}); please try "
            "again then. Another staff member can lift the pause sooner."
        )


@dataclass(frozen=True)
class Attempt:
    """A sign-in under way: counted as failed until `staff_login_succeeded` says otherwise."""

    id: int
    username: str
    address: str


def window() -> dt.timedelta:
    return dt.timedelta(minutes=int(settings.CONFIG["HEADLINES_STAFF_LOGIN_WINDOW_MINUTES"]))


def normalised_username(username: str) -> str:
    """The username as Django's auth matches it: NFKC (as `UsernameField` and
    `AbstractBaseUser.normalize_username` do), otherwise exact. Longer than any username can
    be, it is cut: such names belong to nobody, so sharing a count costs no one anything."""
    text = unicodedata.normalize("NFKC", username).replace("\x00", "\ufffd")
    return text[:USERNAME_MAX]


def normalised_address(address: str | None) -> str:
    return "".join(ch for ch in (address or "") if ch.isprintable())[:ADDRESS_MAX]


def staff_login_begin(*, username: str, address: str | None) -> Attempt:
    """Count this sign-in as failed before its password is checked, or refuse it.

    Raises SignInPaused when the username's or the address's failures within the window have
    reached their limit. A refused attempt is not recorded, so a flood cannot hold a username
    locked for longer than the window after it stops.
    """
    now = clock.now()
    user, ip = normalised_username(username), normalised_address(address)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two attempts could both count 9 and both go on to guess: the keys' locks first.
            keys = sorted([f"staff-login:user:{user}", f"staff-login:ip:{ip}"])
            with connection.cursor() as cursor:
                lock_keys(cursor, keys)
        until = _paused_until(user=user, ip=ip, now=now)
        if until is not None:
            log.warning(
                "staff sign-in refused from %s for username %r: too many failed attempts, "
                "paused until %s",
                ip or "an unknown address",
                user,
                f"{until:%Y-%m-%d %H:%M:%S} UTC",
            )
            raise SignInPaused(until=until, now=now)
        row = StaffLoginFailure.objects.create(username=user, address=ip, created_at=now)
    return Attempt(id=row.pk, username=user, address=ip)


def staff_login_succeeded(*, attempt: Attempt) -> None:
    """The password was right: this attempt and this address's earlier failures for this
    username are forgotten. Other addresses' failures stay: a staff member signing in must
    not hand whoever is guessing their password a fresh allowance."""
    StaffLoginFailure.objects.filter(username=attempt.username, address=attempt.address).delete()


def staff_login_unlock(*, username: str | None = None, address: str | None = None) -> int:
    """Forget the failures of a username, of an address, or of both; how many were forgotten."""
    if username is None and address is None:
        raise ValueError("name a username, an address or both")
    rows = StaffLoginFailure.objects.all()
    if username is not None:
        rows = rows.filter(username=normalised_username(username))
    if address is not None:
        rows = rows.filter(address=normalised_address(address))
    deleted, _ = rows.delete()
    return deleted


@dataclass(frozen=True)
class Pause:
    kind: str  # "username" or "address"
    value: str
    failures: int
    until: dt.datetime


def staff_login_pauses() -> list[Pause]:
    """Every username and address refused right now, with when each pause ends."""
    now = clock.now()
    recent = StaffLoginFailure.objects.filter(created_at__gt=now - window())
    found = []
    for kind, field, limit in (
        ("username", "username", _limit("USER")),
        ("address", "address", _limit("ADDRESS")),
    ):
        values = recent.exclude(**{field: ""}).values_list(field, flat=True).distinct()
        for value in sorted(values):
            rows = recent.filter(**{field: value})
            until = _until(rows, limit)
            if until is not None:
                found.append(Pause(kind, value, rows.count(), until))
    return found


def _limit(kind: str) -> int:
    return int(settings.CONFIG[f"HEADLINES_STAFF_LOGIN_FAILURES_PER_{kind}"])


def _paused_until(*, user: str, ip: str, now: dt.datetime) -> dt.datetime | None:
    recent = StaffLoginFailure.objects.filter(created_at__gt=now - window())
    ends = [_until(recent.filter(username=user), _limit("USER"))]
    if ip:  # without a client address (a broken proxy setup) only the username is limited
        ends.append(_until(recent.filter(address=ip), _limit("ADDRESS")))
    return max((end for end in ends if end is not None), default=None)


def _until(rows: QuerySet[StaffLoginFailure], limit: int) -> dt.datetime | None:
    """When fewer than `limit` of these failures will be left in the window; None if already.
    That is when the limit-th newest leaves it."""
    newest = list(rows.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    return newest[-1] + window() if len(newest) >= limit else None


def staff_login_failures_forget() -> int:
    """Delete the failures older than the window (the periodic job's work); how many went."""
    old = StaffLoginFailure.objects.filter(created_at__lt=clock.now() - window())
    return delete_old_rows(old, order_by="created_at")
