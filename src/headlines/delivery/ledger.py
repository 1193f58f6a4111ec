"""The ledger's moves: fill (set-based), claim under a lease, record replies, sweep the late.

Every move is a short transaction. On PostgreSQL a claim is `SELECT … FOR UPDATE SKIP LOCKED`,
so any number of senders on any number of machines take disjoint batches; on SQLite the
connection opens every transaction with BEGIN IMMEDIATE (see database.py), so claims are
serialised by the database's write lock and Django drops the FOR UPDATE clause. The ledger
advances to `sent` only when the relay's 250 for that message is in hand.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Min, Q

from headlines.core.models import Edition
from headlines.delivery.message import message_id_parts, sender_address
from headlines.delivery.models import Delivery
from headlines.digests.models import Digest
from headlines.subscriptions.models import Subscription

State = Delivery.State
OPEN = (State.QUEUED, State.DEFERRED, State.SENDING)
FILL_CHUNK = 20_000


def window() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.CONFIG["HEADLINES_SEND_WINDOW_HOURS"]))


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_due(*, digest: Digest, timezone: str, send_hour: int | None) -> dt.datetime:
    """When a reader with this zone and hour is due this digest (the edition's by default)."""
    edition: Edition = digest.edition
    zone = _zone(timezone) or _zone(edition.timezone) or dt.UTC
    at = edition.send_at if send_hour is None else dt.time(int(send_hour) % 24, 0)
    return dt.datetime.combine(digest.date, at, tzinfo=zone).astimezone(dt.UTC)


# FILL_SQL: the ledger rows for one slice of an edition's confirmed readers who share a due
# time, in one statement. INSERT … SELECT keeps the readers in the database (memory stays flat
# at a million readers) and ON CONFLICT DO NOTHING makes a re-run, or a second sender filling
# at the same moment, add only what is missing. Portable: SQLite ≥ 3.24 and PostgreSQL
# (the `WHERE true` is SQLite's way to tell an upsert from a join's ON clause).
FILL_SQL = """
INSERT INTO delivery_delivery (
    digest_id, subscription_id, state, next_attempt_at, deadline, attempts, lease_owner,
    last_reply, relay, message_id, created_at, updated_at
)
SELECT * FROM (
    SELECT %s, s.id, 'queued', %s, %s, 0, '', '', '',
           %s || CAST(s.id AS TEXT) || %s, %s, %s
    FROM subscriptions_subscription s
    WHERE s.edition_id = %s AND s.status = 'confirmed' AND s.id > %s AND s.id <= %s {where}
) AS chunk
WHERE true
ON CONFLICT (digest_id, subscription_id) DO NOTHING
"""


def _due_groups(
    digest: Digest, now: dt.datetime, send_now: bool
) -> list[tuple[str, list[Any], dt.datetime]]:
    """(extra WHERE, its parameters, due time) for each group of readers due together."""
    if send_now:
        return [("", [], now)]
    combos = (
        Subscription.objects.filter(
            edition_id=digest.edition_id, status=Subscription.Status.CONFIRMED
        )
        .values_list("timezone", "send_hour")
        .distinct()
    )
    groups: list[tuple[str, list[Any], dt.datetime]] = []
    for zone, hour in combos:
        due = local_due(digest=digest, timezone=zone, send_hour=hour)
        if hour is None:
            groups.append(("AND s.timezone = %s AND s.send_hour IS NULL", [zone], due))
        else:
            groups.append(("AND s.timezone = %s AND s.send_hour = %s", [zone, hour], due))
    return groups


def fill(*, digest: Digest, now: dt.datetime, send_now: bool) -> int:
    """One queued delivery per confirmed subscription that has none yet; returns rows added.

    `send_now` makes every new row due at once; otherwise each is due at the reader's evening.
    Set-based and chunked by subscription id, one short transaction per chunk.
    """
    domain = sender_address(digest.edition).rpartition("@")[2] or "localhost"
    prefix, suffix = message_id_parts(digest_id=digest.pk, domain=domain)
    bounds = Subscription.objects.filter(edition_id=digest.edition_id).aggregate(
        low=Min("id"), high=Max("id")
    )
    if bounds["low"] is None:
        return 0
    groups = _due_groups(digest, now, send_now)
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value(now)
    added = 0
    for low in range(bounds["low"] - 1, bounds["high"], FILL_CHUNK):
        with transaction.atomic(), connection.cursor() as cursor:
            for where, params, due in groups:
                deadline = (now if send_now else due) + window()
                cursor.execute(
                    FILL_SQL.format(where=where),
                    [
                        digest.pk,
                        ops.adapt_datetimefield_value(due),
                        ops.adapt_datetimefield_value(deadline),
                        prefix,
                        suffix,
                        stamp,
                        stamp,
                        digest.edition_id,
                        low,
                        low + FILL_CHUNK,
                        *params,
                    ],
                )
                added += max(0, cursor.rowcount)
    return added


@transaction.atomic
def bring_forward(*, digest_id: int, now: dt.datetime) -> int:
    """`headlines send`: every reader who has not had it is due now, whatever their hour.

    Skipped rows and rows that ran out of retries come back; refusals (5xx) and suppressions
    do not.
    """
    deadline = now + window()
    waiting = Delivery.objects.filter(
        digest_id=digest_id, state__in=(State.QUEUED, State.DEFERRED), next_attempt_at__gt=now
    ).update(next_attempt_at=now, deadline=deadline)
    revived = Delivery.objects.filter(
        Q(state=State.SKIPPED) | Q(state=State.FAILED) & (Q(last_code__lt=500) | Q(last_code=None)),
        digest_id=digest_id,
    ).update(state=State.QUEUED, next_attempt_at=now, deadline=deadline)
    Delivery.objects.filter(digest_id=digest_id, state__in=OPEN, deadline__lt=deadline).update(
        deadline=deadline
    )
    return waiting + revived


@dataclass(frozen=True)
class Claimed:
    id: int
    subscription_id: int
    email: str
    confirmed: bool
    attempts: int
    deadline: dt.datetime


def _due_kinds(now: dt.datetime) -> tuple[Q, ...]:
    """The rows a sender may take, most urgent first; each is one index range scan."""
    return (
        Q(state=State.SENDING, lease_expires_at__lt=now),  # its sender died: back to the queue
        Q(state=State.DEFERRED, next_attempt_at__lte=now),
        Q(state=State.QUEUED, next_attempt_at__lte=now),
    )


def claim(*, digest_id: int, owner: str, limit: int, now: dt.datetime) -> list[Claimed]:
    """Lease up to `limit` due deliveries of a digest to `owner`."""
    lease = _lease()
    rows = Delivery.objects.select_for_update(skip_locked=True).filter(
        digest_id=digest_id, deadline__gt=now
    )
    with transaction.atomic():
        ids: list[int] = []
        for kind in _due_kinds(now):
            if len(ids) < limit:
                ids += (
                    rows.filter(kind)
                    .order_by("next_attempt_at")
                    .values_list("id", flat=True)[: limit - len(ids)]
                )
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids).update(
            state=State.SENDING,
            lease_owner=owner[:64],
            lease_expires_at=now + lease,
            attempts=F("attempts") + 1,
        )
    found = Delivery.objects.filter(id__in=ids).values_list(
        "id",
        "subscription_id",
        "subscription__subscriber__email",
        "subscription__status",
        "attempts",
        "deadline",
    )
    return [
        Claimed(i, s, e, status == Subscription.Status.CONFIRMED, a, d)
        for i, s, e, status, a, d in found
    ]


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed delivery; `state` is where its row goes next."""

    delivery_id: int
    state: str
    code: int | None
    reply: str
    relay: str = ""
    retry_at: dt.datetime | None = None
    hard_bounce: bool = False


def record(*, owner: str, outcomes: Iterable[Outcome], now: dt.datetime) -> None:
    """Write replies to the ledger: one UPDATE per group of like outcomes, one transaction.

    Only rows still `sending` under this owner move: a row whose lease expired and went to
    another sender keeps that sender's account of it.
    """
    groups: dict[tuple[str, int | None, str, str, dt.datetime | None], list[int]] = defaultdict(
        list
    )
    for o in outcomes:
        groups[(o.state, o.code, o.reply[:2000], o.relay[:200], o.retry_at)].append(o.delivery_id)
    if not groups:
        return
    with transaction.atomic():
        for (state, code, reply, relay, retry_at), ids in groups.items():
            changes: dict[str, object] = {
                "state": state,
                "last_code": code,
                "last_reply": reply,
                "relay": relay,
                # lease_owner stays: which sender (host:pid:…) last had the row, for staff and
                # for checking that a send really spread over the workers.
                "lease_expires_at": None,
            }
            if state == State.SENT:
                changes["sent_at"] = now
            if retry_at is not None:
                changes["next_attempt_at"] = retry_at
            Delivery.objects.filter(id__in=ids, state=State.SENDING, lease_owner=owner[:64]).update(
                **changes
            )


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.CONFIG["HEADLINES_DELIVERY_LEASE_SECONDS"]))


def renew(*, digest_id: int, owner: str, now: dt.datetime) -> int:
    """The sender's heartbeat: extend the lease on every row of the digest it still holds.

    Its rows are found through the claim index (digest, state): only in-flight rows are read.
    """
    return int(
        Delivery.objects.filter(
            digest_id=digest_id, state=State.SENDING, lease_owner=owner[:64]
        ).update(lease_expires_at=now + _lease())
    )


@transaction.atomic
def sweep(*, digest_id: int, now: dt.datetime) -> dict[str, int]:
    """Close rows whose window has passed: never attempted → skipped, retried → failed."""
    late = Delivery.objects.filter(digest_id=digest_id, deadline__lte=now)
    skipped = late.filter(state=State.QUEUED).update(
        state=State.SKIPPED, last_reply="its window passed before it could be sent"
    )
    failed = late.filter(state=State.DEFERRED).update(state=State.FAILED)
    failed += late.filter(state=State.SENDING, lease_expires_at__lt=now).update(
        state=State.FAILED,
        lease_owner="",
        last_reply="its sender stopped after the window closed; outcome unknown",
    )
    return {"skipped": skipped, "failed": failed}


def open_rows(*, digest_id: int) -> int:
    return Delivery.objects.filter(digest_id=digest_id, state__in=OPEN).count()


def next_wake(*, digest_id: int) -> dt.datetime | None:
    """The earliest moment an open row could become claimable again."""
    rows = Delivery.objects.filter(digest_id=digest_id)
    waiting = rows.filter(state__in=(State.QUEUED, State.DEFERRED)).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    leased = rows.filter(state=State.SENDING).aggregate(at=Min("lease_expires_at"))["at"]
    times = [t for t in (waiting, leased) if t is not None]
    return min(times) if times else None


def due_rows(*, digest_id: int, now: dt.datetime) -> bool:
    rows = Delivery.objects.filter(digest_id=digest_id, deadline__gt=now)
    return any(rows.filter(kind).exists() for kind in _due_kinds(now))
