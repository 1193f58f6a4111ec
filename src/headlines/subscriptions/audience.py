"""The audience: who is due a digest, when, with which topics and links, suppression included.

This is the only place that decides who is a reader. Delivery asks it two things:

- `audience_cohorts` / `audience_sql`: the readers of an edition due together, as one SQL
  statement delivery embeds in its own INSERT … SELECT, so a million readers never pass
  through Python (memory stays flat) and delivery never names a subscriptions table itself;
- `audience_recipients`: for a claimed batch, each reader's address, topics, links, and whether
  they may still be sent to (still confirmed, not suppressed), read right before the send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min, Q

from headlines.core.models import Edition
from headlines.subscriptions import links
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import Subscription, Suppression

CONFIRMED = Subscription.Status.CONFIRMED


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


# A reader's window must stay open this long after the digest can first go out, or their
# evening is the next one. The approval job ticks once a minute and the scheduler every 30 s:
# a window closing a minute after the send time (an 18:59 edition, a 16:00 reader, a 3 h
# window) closed before the first send, and the reader was skipped. Under 15 minutes, so
# editions sending on the quarter hour, in zones a quarter hour apart, see no change.
SLACK = dt.timedelta(minutes=10)


def due_at(
    *,
    edition: Edition,
    day: dt.date,
    timezone: str,
    send_hour: int | None,
    ready_at: dt.datetime | None = None,
) -> dt.datetime:
    """When a reader with this zone and hour is due the day's digest (the edition's by default).

    Their evening of that day, unless its window (HEADLINES_SEND_WINDOW_HOURS) closes before
    the digest can go out, with SLACK to spare: a reader far ahead of the edition (Tokyo for
    London) would be skipped every day, so they get it at their next evening instead. The
    digest goes out at the edition's send time, or at `ready_at` (its approval) when that is
    later: a reader whose window closed before an editor approved it late gets it at their
    next evening, never at night and never not at all.
    """
    zone = _zone(timezone) or _zone(edition.timezone) or dt.UTC
    at = edition.send_at if send_hour is None else dt.time(int(send_hour) % 24, 0)
    edition_zone = _zone(edition.timezone) or dt.UTC
    sends = dt.datetime.combine(day, edition.send_at, tzinfo=edition_zone)
    if ready_at is not None and ready_at > sends:
        sends = ready_at
    window = dt.timedelta(hours=float(settings.CONFIG["HEADLINES_SEND_WINDOW_HOURS"]))
    # Zones and hours differ by at most two days, plus the days an approval came late.
    for later in range(4 + max(0, (sends.date() - day).days)):
        # In UTC before the window is added: an aware datetime's arithmetic is wall-clock time,
        # so a window over the reader's own clock change (23:00 at Lord Howe on the night it
        # goes back half an hour) ran 30 min past the ledger's deadline, and the reader was
        # due a window the ledger had already closed when the edition sent: skipped.
        due = dt.datetime.combine(day + dt.timedelta(days=later), at, tzinfo=zone).astimezone(
            dt.UTC
        )
        if due + window > sends + SLACK:
            break
    return due


@dataclass(frozen=True)
class Cohort:
    """Readers due together: one (time zone, send hour) of the edition's and their due time."""

    due: dt.datetime
    timezone: str = ""
    send_hour: int | None = None


def _confirmed(edition_id: int, since: dt.datetime | None = None) -> Any:
    """The edition's confirmed readers; with `since`, only those who joined or were confirmed
    from then on, found through the (edition, created_at) and (edition, confirmed_at) indexes:
    a send under way asks every tick, and must not read a million readers to find none."""
    rows = Subscription.objects.filter(edition_id=edition_id, status=CONFIRMED)
    if since is not None:
        rows = rows.filter(Q(created_at__gte=since) | Q(confirmed_at__gte=since))
    return rows


# ZONES_SQL: the distinct (time zone, send hour) of an edition's confirmed readers, read as a
# skip scan of the `subscription_audience` index (edition, status, timezone, send_hour): each
# step is one index probe for the next zone, or the next hour within a zone, so the cost
# follows the number of zones and hours (a few dozen probes), not the readers (a DISTINCT over
# a million rows was a sequential scan, 0.3-0.6 s, run every scheduler tick while a digest
# waited for its first evening). Portable (SQLite and PostgreSQL both answer MIN over an index
# prefix with one probe); a blank hour (the edition's) is checked once a zone with EXISTS,
# because the two databases sort NULL at opposite ends.
ZONES_SQL = """
WITH RECURSIVE zones(tz) AS (
    SELECT MIN(s.timezone) FROM subscriptions_subscription s
    WHERE s.edition_id = %(edition)s AND s.status = 'confirmed'
    UNION ALL
    SELECT (SELECT MIN(s.timezone) FROM subscriptions_subscription s
            WHERE s.edition_id = %(edition)s AND s.status = 'confirmed' AND s.timezone > zones.tz)
    FROM zones WHERE zones.tz IS NOT NULL
),
hours(tz, hour) AS (
    SELECT zones.tz, (SELECT MIN(s.send_hour) FROM subscriptions_subscription s
                      WHERE s.edition_id = %(edition)s AND s.status = 'confirmed'
                        AND s.timezone = zones.tz AND s.send_hour IS NOT NULL)
    FROM zones WHERE zones.tz IS NOT NULL
    UNION ALL
    SELECT hours.tz, (SELECT MIN(s.send_hour) FROM subscriptions_subscription s
                      WHERE s.edition_id = %(edition)s AND s.status = 'confirmed'
                        AND s.timezone = hours.tz AND s.send_hour > hours.hour)
    FROM hours WHERE hours.hour IS NOT NULL
)
SELECT tz, hour FROM hours WHERE hour IS NOT NULL
UNION ALL
SELECT tz, NULL FROM zones WHERE tz IS NOT NULL AND EXISTS (
    SELECT 1 FROM subscriptions_subscription s
    WHERE s.edition_id = %(edition)s AND s.status = 'confirmed'
      AND s.timezone = zones.tz AND s.send_hour IS NULL
)
"""


def _combos(edition_id: int, since: dt.datetime | None) -> list[tuple[str, int | None]]:
    if since is not None:
        # The late readers: a handful, found through their own indexes.
        return list(_confirmed(edition_id, since).values_list("timezone", "send_hour").distinct())
    with connection.cursor() as cursor:
        cursor.execute(ZONES_SQL, {"edition": edition_id})
        return [(tz, None if hour is None else int(hour)) for tz, hour in cursor.fetchall()]


def audience_cohorts(
    *,
    edition: Edition,
    day: dt.date,
    since: dt.datetime | None = None,
    ready_at: dt.datetime | None = None,
) -> list[Cohort]:
    """One cohort per (time zone, send hour) among the edition's confirmed readers (with
    `since`, among those who joined or were confirmed from then on), due as `due_at` says for
    a digest that can go out from `ready_at` on."""
    return [
        Cohort(
            due_at(edition=edition, day=day, timezone=zone, send_hour=hour, ready_at=ready_at),
            zone,
            hour,
        )
        for zone, hour in _combos(edition.pk, since)
    ]


def audience_first_due(
    *, edition: Edition, day: dt.date, ready_at: dt.datetime | None = None
) -> dt.datetime | None:
    """The earliest local evening among the edition's confirmed readers, if it has any."""
    dues = [c.due for c in audience_cohorts(edition=edition, day=day, ready_at=ready_at)]
    return min(dues) if dues else None


def audience_last_due(*, edition: Edition, day: dt.date) -> dt.datetime | None:
    """The latest local evening among the edition's confirmed readers, if it has any."""
    dues = [c.due for c in audience_cohorts(edition=edition, day=day)]
    return max(dues) if dues else None


def audience_slices(
    *, edition_id: int, size: int, since: dt.datetime | None = None
) -> Iterator[tuple[int, int]]:
    """Consecutive subscription id ranges (after, upto], each holding at most `size` of the
    edition's confirmed readers (with `since`, of its late readers): callers fill one range per
    transaction. The work follows the readers, not the ids between them: a few late readers of
    a million-reader edition are one range, found through the indexes in one query (not fifty
    id ranges read whole); more than `size` are walked by keyset pagination, each range ending
    at the `size`-th reader past the last one."""
    readers = _confirmed(edition_id, since)
    span = readers.aggregate(low=Min("id"), high=Max("id"), count=Count("id"))
    if not span["count"]:
        return
    if span["count"] <= size:
        yield int(span["low"]) - 1, int(span["high"])
        return
    after = 0
    while True:
        rest = readers.filter(id__gt=after)
        upto = list(rest.order_by("id").values_list("id", flat=True)[size - 1 : size])
        if not upto:
            last = rest.aggregate(last=Max("id"))["last"]
            if last is not None:
                yield after, int(last)
            return
        yield after, int(upto[0])
        after = int(upto[0])


# AUDIENCE_SQL: the subscription ids of one slice of an edition's readers due together, in a
# column named `subscription_id`, each with the values its caller attached to the reader's
# cohort (`carry0`, `carry1`…: the ledger's due time and deadline). Raw because delivery
# embeds it in an INSERT … SELECT (see delivery.ledger.FILL_SQL); portable between SQLite and
# PostgreSQL (a VALUES table's columns are column1, column2… in both). The slice is read once
# whatever the number of cohorts: the cohorts are a small table joined on (zone, hour), not
# one statement each (which read every slice once per cohort: 20 times with 20 zones). A
# reader in none of the cohorts (who joined after they were read) is left out, for the late
# readers' fill. Suppressed addresses stay in: the ledger records them as suppressed, so
# staff see why a reader got nothing.
AUDIENCE_SQL = """
SELECT s.id AS subscription_id, {carry}
FROM subscriptions_subscription s {join}
WHERE s.edition_id = %s AND s.status = 'confirmed' AND s.id > %s AND s.id <= %s {where}
"""
# A blank send hour (the edition's) is -1 in the join: NULL never equals NULL.
NO_HOUR = -1


def audience_sql(
    *,
    edition_id: int,
    cohorts: Sequence[tuple[Cohort, Sequence[Any]]] | None,
    carry: Sequence[Any] = (),
    after: int,
    upto: int,
    since: dt.datetime | None = None,
) -> tuple[str, list[Any]]:
    """The statement and parameters selecting one id slice of the readers in `cohorts`, each
    cohort with the values to carry for its readers (all the same length); None: every
    confirmed reader, with the values `carry`.

    `since`: only readers who joined or were confirmed at or after it (a sign-up confirmed, or
    a CSV imported, while a digest is already going out), not the whole edition again.
    """
    where, params = "", []
    if cohorts is None:
        join = ""
        columns = ", ".join(f"%s AS carry{n}" for n in range(len(carry)))
        params += list(carry)
    else:
        if not cohorts:
            raise ValueError("audience_sql needs at least one cohort (None: every reader)")
        width = len(cohorts[0][1])
        if any(len(values) != width for _, values in cohorts):
            raise ValueError("every cohort carries the same number of values")
        row = "(" + ", ".join(["%s"] * (2 + width)) + ")"
        join = (
            f"JOIN (VALUES {', '.join([row] * len(cohorts))}) AS c"
            f" ON c.column1 = s.timezone AND c.column2 = COALESCE(s.send_hour, {NO_HOUR})"
        )
        columns = ", ".join(f"c.column{3 + n} AS carry{n}" for n in range(width))
        for cohort, values in cohorts:
            hour = NO_HOUR if cohort.send_hour is None else int(cohort.send_hour)
            params += [cohort.timezone, hour, *values]
    params += [edition_id, after, upto]
    if since is not None:
        stamp = connection.ops.adapt_datetimefield_value(since)
        where += " AND (s.created_at >= %s OR s.confirmed_at >= %s)"
        params += [stamp, stamp]
    return AUDIENCE_SQL.format(carry=columns or "0 AS carry", join=join, where=where), params


@dataclass(frozen=True)
class Recipient:
    """One reader as a send sees them; `refusal` is why not to send ("" when fine)."""

    subscription_id: int
    email: str
    topics: tuple[str, ...]
    unsubscribe_url: str
    preferences_url: str
    refusal: str = ""


def audience_reader_by_email(*, edition_id: int, email: str) -> Recipient | None:
    """The edition's reader with this address as a send would see them, if there is one."""
    found = (
        Subscription.objects.filter(edition_id=edition_id, subscriber__email_hash=email_hash(email))
        .values_list("id", flat=True)
        .first()
    )
    return None if found is None else audience_recipients(subscription_ids=[found]).get(found)


def audience_recipients(*, subscription_ids: list[int]) -> dict[int, Recipient]:
    """The readers behind these subscriptions, read now (a bounce or an unsubscribe recorded a
    moment ago counts). Subscriptions that no longer exist are missing from the answer."""
    rows = list(
        Subscription.objects.filter(pk__in=subscription_ids).values_list(
            "id", "subscriber__email", "status", "topics"
        )
    )
    hashes = {sid: email_hash(addr) for sid, addr, _, _ in rows}
    suppressed = set(
        Suppression.objects.filter(email_hash__in=set(hashes.values())).values_list(
            "email_hash", flat=True
        )
    )
    found = {}
    for sid, addr, status, topics in rows:
        refusal = ""
        if status != CONFIRMED:
            refusal = "no longer subscribed"
        elif hashes[sid] in suppressed:
            refusal = "address is suppressed"
        found[sid] = Recipient(
            subscription_id=sid,
            email=addr,
            topics=tuple(sorted(topics or ())),
            unsubscribe_url=links.unsubscribe_url(sid),
            preferences_url=links.preferences_url(sid),
            refusal=refusal,
        )
    return found
