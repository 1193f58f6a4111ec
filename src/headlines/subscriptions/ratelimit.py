"""Sign-up rate limits per client IP and per address, counted in the database.

The database, not the cache, is the shared store: the limits must hold across web processes and
machines, and rows older than the window are pruned as new ones arrive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from headlines.core import clock
from headlines.subscriptions.models import SignupAttempt

WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    ip_allowed: bool
    address_allowed: bool


def signup_attempt_check(*, ip_key: str, address_key: str) -> Verdict:
    """Count this attempt against both limits and say which, if any, it exceeds.

    Only attempts within the limits are recorded, so a flood from one IP cannot lock a
    genuine reader's address out for longer than the window.
    """
    now = clock.now()
    since = now - WINDOW
    SignupAttempt.objects.filter(created_at__lt=since).delete()
    per_ip = int(settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_IP"])
    per_address = int(settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_ADDRESS"])
    keys = {"ip": f"ip:{ip_key}", "address": f"address:{address_key}"}
    ip_allowed = not ip_key or _count(keys["ip"], since) < per_ip
    address_allowed = _count(keys["address"], since) < per_address
    if ip_allowed and address_allowed:
        rows = [SignupAttempt(key=keys["address"], created_at=now)]
        if ip_key:
            rows.append(SignupAttempt(key=keys["ip"], created_at=now))
        SignupAttempt.objects.bulk_create(rows)
    return Verdict(ip_allowed=ip_allowed, address_allowed=address_allowed)


def _count(key: str, since: dt.datetime) -> int:
    return SignupAttempt.objects.filter(key=key, created_at__gte=since).count()
