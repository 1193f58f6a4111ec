"""Sign-up rate limits per client IP and per address, counted in the database.

The database, not the cache, is the shared store: the limits must hold across web processes and
machines. Rows older than the window are forgotten by a periodic job
(`subscriptions.forget_signup_attempts`, every minute), never by a sign-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection

from headlines.core import clock
from headlines.core.housekeeping import delete_old_rows
from headlines.core.windowed import lock_keys
from headlines.subscriptions.models import SignupAttempt

WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    ip_allowed: bool
    address_allowed: bool
    also: tuple[object, ...] = ()  # the values of `also`'s expressions, in its order


def signup_attempt_check(
    *, ip_key: str, address_key: str, also: Sequence[tuple[str, Sequence[object]]] = ()
) -> Verdict:
    """Count this attempt against both limits and say which, if any, it exceeds.

    Only attempts within the limits are recorded, so a flood from one IP cannot lock a
    genuine reader's address out for longer than the window. Call it inside the sign-up's
    transaction: the count and the insert must see the same rows.

    `also`: scalar SQL expressions with their parameters (`("(SELECT id FROM t WHERE k = %s)",
    [k])`), read in the same statement as the counts, which saves the caller a round trip to
    the database per sign-up; their values come back in `Verdict.also`.
    """
    now = clock.now()
    per_ip = int(settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_IP"])
    per_address = int(settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_ADDRESS"])
    ip, address = f"ip:{ip_key}", f"address:{address_key}"
    wanted = sorted([address, ip] if ip_key else [address])
    ops = connection.ops
    since, at = ops.adapt_datetimefield_value(now - WINDOW), ops.adapt_datetimefield_value(now)
    also_sql = "".join(f", {sql}" for sql, _ in also)
    also_params: list[Any] = [value for _, params in also for value in params]
    # Without a client address (a test client, a broken proxy) only the address is limited.
    ip_ok, ip_params = (f"{COUNT_ONE} < %s", [ip, since, per_ip]) if ip_key else ("TRUE", [])
    verdict_sql = f"SELECT {ip_ok}, {COUNT_ONE} < %s"
    verdict_params: list[Any] = [*ip_params, address, since, per_address]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two sign-ups could both count 19 and both insert the 20th: the keys' locks first.
            lock_keys(cursor, wanted)
            # The verdict, the insert when both limits allow it, and `also`: one round trip.
            keys = ", ".join(["(%s)"] * len(wanted))
            cursor.execute(
                CHECK_AND_RECORD_SQL.format(verdict=verdict_sql, keys=keys, also=also_sql),
                [*verdict_params, at, *wanted, *also_params],
            )
            ip_allowed, address_allowed, *values = cursor.fetchone()
        else:
            cursor.execute(verdict_sql + also_sql, [*verdict_params, *also_params])
            ip_allowed, address_allowed, *values = cursor.fetchone()
            if ip_allowed and address_allowed:
                cursor.execute(
                    INSERT_SQL % ", ".join(["(%s, %s)"] * len(wanted)),
                    [value for key in wanted for value in (key, at)],
                )
    return Verdict(
        ip_allowed=bool(ip_allowed), address_allowed=bool(address_allowed), also=tuple(values)
    )


# The statements every sign-up runs, written out: the ORM spent more CPU building them than the
# database spends answering (docs/benchmarks.md, "Sign-ups under a spike"). COUNT_ONE: one
# key's attempts within the window, on the (key, created_at) index.
COUNT_ONE = (
    '(SELECT COUNT(*) FROM subscriptions_signupattempt WHERE "key" = %s AND created_at >= %s)'
)
INSERT_SQL = 'INSERT INTO subscriptions_signupattempt ("key", created_at) VALUES %s'
# PostgreSQL: a data-modifying WITH runs whether or not the query reads it, and the counts do
# not see its new rows (one snapshot): as if counted first and inserted after.
CHECK_AND_RECORD_SQL = (
    "WITH verdict (ip_ok, address_ok) AS ({verdict}), "
    'recorded AS (INSERT INTO subscriptions_signupattempt ("key", created_at) '
    "SELECT k, %s FROM (VALUES {keys}) AS wanted (k), verdict WHERE ip_ok AND address_ok) "
    "SELECT ip_ok, address_ok{also} FROM verdict"
)


def signup_attempts_forget() -> int:
    """Delete the attempts older than the window (the periodic job's work); how many went."""
    old = SignupAttempt.objects.filter(created_at__lt=clock.now() - WINDOW)
    return delete_old_rows(old, order_by="created_at")
