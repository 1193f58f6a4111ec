"""Sign-up rate limits per client IP and per address, counted in the database.

The database, not the cache, is the shared store: the limits must hold across web processes and
machines, and rows older than the window are pruned as new ones arrive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from headlines.core import clock
from headlines.subscriptions.models import SignupAttempt

WINDOW = dt.timedelta(hours=1)
PRUNE_EVERY = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Verdict:
    ip_allowed: bool
    address_allowed: bool


def signup_attempt_check(*, ip_key: str, address_key: str) -> Verdict:
    """Count this attempt against both limits and say which, if any, it exceeds.

    Only attempts within the limits are recorded, so a flood from one IP cannot lock a
    genuine reader's address out for longer than the window. Call it inside the sign-up's
    transaction: the count and the insert must see the same rows.
    """
    now = clock.now()
    since = now - WINDOW
    _prune(now)
    per_ip = int(settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_IP"])
    per_address = int(settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_ADDRESS"])
    keys = {"ip": f"ip:{ip_key}", "address": f"address:{address_key}"}
    counts = _counts([keys["address"], keys["ip"]] if ip_key else [keys["address"]], since)
    ip_allowed = not ip_key or counts.get(keys["ip"], 0) < per_ip
    address_allowed = counts.get(keys["address"], 0) < per_address
    if ip_allowed and address_allowed:
        rows = [SignupAttempt(key=keys["address"], created_at=now)]
        if ip_key:
            rows.append(SignupAttempt(key=keys["ip"], created_at=now))
        SignupAttempt.objects.bulk_create(rows)
    return Verdict(ip_allowed=ip_allowed, address_allowed=address_allowed)


def _counts(keys: list[str], since: dt.datetime) -> dict[str, int]:
    """Attempts per key within the window, in one query (the (key, created_at) index)."""
    rows = (
        SignupAttempt.objects.filter(key__in=keys, created_at__gte=since)
        .values_list("key")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


_pruned_at: dt.datetime | None = None


def _prune(now: dt.datetime) -> None:
    """Delete rows older than the window, at most once a minute per process.

    Only housekeeping: the counts ignore old rows anyway. Deleting on every sign-up cost a
    statement inside each sign-up's write transaction for nothing.
    """
    global _pruned_at
    if _pruned_at is not None and _pruned_at <= now < _pruned_at + PRUNE_EVERY:
        return
    SignupAttempt.objects.filter(created_at__lt=now - WINDOW).delete()
    _pruned_at = now
