"""Sign-up rate limits per client IP and per address, counted in the database.

The database, not the cache, is the shared store: the limits must hold across web processes and
machines, and rows older than the window are pruned as new ones arrive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

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
    _prune(now)
    per_ip = int(settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_IP"])
    per_address = int(settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_ADDRESS"])
    keys = {"ip": f"ip:{ip_key}", "address": f"address:{address_key}"}
    wanted = sorted([keys["address"], keys["ip"]] if ip_key else [keys["address"]])
    ops = connection.ops
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # LOCK_SQL: on PostgreSQL two transactions could both count 19 and both insert the
            # 20th (READ COMMITTED); a lock per key for the rest of this transaction makes the
            # second count after the first commits. On SQLite BEGIN IMMEDIATE serialises them.
            # One statement takes them all, in order (PostgreSQL evaluates a select list left to
            # right): two sign-ups never wait on each other's second key.
            cursor.execute(LOCK_SQL % ", ".join([LOCK_ONE] * len(wanted)), wanted)
        cursor.execute(
            COUNT_SQL % ", ".join(["%s"] * len(wanted)),
            [*wanted, ops.adapt_datetimefield_value(now - WINDOW)],
        )
        counts = {key: int(n) for key, n in cursor.fetchall()}
        ip_allowed = not ip_key or counts.get(keys["ip"], 0) < per_ip
        address_allowed = counts.get(keys["address"], 0) < per_address
        if ip_allowed and address_allowed:
            at = ops.adapt_datetimefield_value(now)
            cursor.execute(
                INSERT_SQL % ", ".join(["(%s, %s)"] * len(wanted)),
                [value for key in wanted for value in (key, at)],
            )
    return Verdict(ip_allowed=ip_allowed, address_allowed=address_allowed)


# The three statements every sign-up runs, written out: the ORM spent more CPU building them
# than the database spends answering (docs/benchmarks.md, "Sign-ups under a spike").
# COUNT_SQL: attempts per key within the window, on the (key, created_at) index.
COUNT_SQL = (
    'SELECT "key", COUNT(*) FROM subscriptions_signupattempt '
    'WHERE "key" IN (%s) AND created_at >= %%s GROUP BY "key"'
)
INSERT_SQL = 'INSERT INTO subscriptions_signupattempt ("key", created_at) VALUES %s'
LOCK_SQL = "SELECT %s"
LOCK_ONE = "pg_advisory_xact_lock(hashtext(%s))"


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
