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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min, Q, QuerySet, Value
from django.db.models.functions import Concat

from headlines.core.mail import sender_address
from headlines.delivery.message import message_id_parts
from headlines.delivery.models import Delivery
from headlines.digests.models import Digest
from headlines.subscriptions import audience

State = Delivery.State
# What a row that was retried until its window closed says first: `bring_forward` revives it.
RAN_OUT = "retries ran out: "
OPEN = (State.QUEUED, State.DEFERRED, State.SENDING)
FILL_CHUNK = 20_000
# At most this many cohorts (zone, hour) in one statement: four parameters each, under SQLite's
# oldest limit of 999 a statement. An edition with more is filled in a few statements a slice.
FILL_COHORTS = 200


def window() -> dt.timedelta:
    return dt.timedelta(hours=float(settings.CONFIG["HEADLINES_SEND_WINDOW_HOURS"]))


# FILL_SQL: the ledger rows for one slice of the audience (subscriptions.audience.audience_sql:
# the slice's readers, each with their cohort's due time and deadline), in one statement.
# INSERT … SELECT keeps the readers in the database (memory stays flat at a million readers)
# and ON CONFLICT DO NOTHING makes a re-run, or a second sender filling at the same moment, add
# only what is missing. The rows go in by due time, then reader: readers due together lie
# together in the table, as when each cohort was a statement of its own, so a due cohort's
# rows (what the sweep, the due check and each claim read) fill a twentieth of the pages with
# 20 zones rather than one row in twenty of every page (the sweep read the whole ledger, 0.3 s
# a tick at a million). Portable: SQLite ≥ 3.24 and PostgreSQL (the `WHERE true` is SQLite's
# way to tell an upsert from a join's ON).
FILL_SQL = """
INSERT INTO delivery_delivery (
    digest_id, subscription_id, state, next_attempt_at, deadline, attempts, lease_owner,
    last_reply, relay, message_id, created_at, updated_at
)
SELECT * FROM (
    SELECT %s, a.subscription_id AS reader, 'queued', a.carry0 AS due, a.carry1, 0, '', '', '',
           %s || CAST(a.subscription_id AS TEXT) || %s, %s, %s
    FROM ({audience}) AS a
) AS chunk
WHERE true
ORDER BY chunk.due, chunk.reader
ON CONFLICT (digest_id, subscription_id) DO NOTHING
"""


# CUSTOM_PLANS_SQL: the late readers' fill (`since`, every scheduler tick) planned for its own
# values, never as a prepared statement's generic plan. It bounds its slice by subscription id
# as well as by `since`; a generic plan cannot tell that `since` is minutes ago and walked the
# slice by primary key instead of finding the few late readers through the (edition,
# created_at) and (edition, confirmed_at) indexes: from the 11th tick on, 55-65 ms a tick at
# 270,000 readers where it had taken 0.5 ms. Back to the default (DEFAULT_PLANS_SQL) before the
# commit: the foreign keys' deferred checks run then, one statement a row, and each of them
# planned afresh made a first fill of 270,000 readers 2.6 times slower. PostgreSQL only.
CUSTOM_PLANS_SQL = "SET LOCAL plan_cache_mode = force_custom_plan"
DEFAULT_PLANS_SQL = "SET LOCAL plan_cache_mode = DEFAULT"


def fill(
    *, digest: Digest, now: dt.datetime, send_now: bool, since: dt.datetime | None = None
) -> int:
    """One queued delivery per reader of the audience who has none yet; returns rows added.

    `send_now` makes every new row due at once; otherwise each is due at the reader's evening.
    `since` limits it to readers who joined or were confirmed from then on (a send under way
    picking up its late readers, every scheduler tick): its cost follows those readers, not
    the audience. Set-based and chunked by subscription id (FILL_CHUNK readers a chunk), one
    statement and one short transaction per chunk, every cohort (zone, hour) in it at once.

    A reader who moves to a (zone, hour) no other reader has between the cohorts' read and
    their slice's insert is in none of the cohorts: the cohorts are read again after the
    slices, and any new ones filled (the late readers' fill only finds those who joined, so
    such a reader went without the digest).
    """
    added, seen = 0, set[tuple[str, int | None]]()
    while True:
        more, found = _fill_pass(digest=digest, now=now, send_now=send_now, since=since, skip=seen)
        added += more
        if not found:
            return added
        seen |= found


def _fill_pass(
    *,
    digest: Digest,
    now: dt.datetime,
    send_now: bool,
    since: dt.datetime | None,
    skip: set[tuple[str, int | None]],
) -> tuple[int, set[tuple[str, int | None]]]:
    """`fill` for the cohorts not in `skip`; returns rows added and the cohorts filled."""
    ops = connection.ops
    cohorts: list[tuple[audience.Cohort, tuple[object, object]]] | None = None
    if not send_now:
        cohorts = [
            (
                c,
                (
                    ops.adapt_datetimefield_value(c.due),
                    ops.adapt_datetimefield_value(c.due + window()),
                ),
            )
            for c in audience.audience_cohorts(
                edition=digest.edition, day=digest.date, since=since, ready_at=digest.approved_at
            )
            if (c.timezone, c.send_hour) not in skip
        ]
        if not cohorts:
            return 0, set()
    carry = (ops.adapt_datetimefield_value(now), ops.adapt_datetimefield_value(now + window()))
    domain = sender_address(digest.edition).rpartition("@")[2] or "localhost"
    prefix, suffix = message_id_parts(digest_id=digest.pk, domain=domain)
    stamp = ops.adapt_datetimefield_value(now)
    added = 0
    slices = audience.audience_slices(edition_id=digest.edition_id, size=FILL_CHUNK, since=since)
    groups = [None] if cohorts is None else batched(cohorts, FILL_COHORTS)
    custom = since is not None and connection.vendor == "postgresql"
    for low, high in slices:
        with transaction.atomic(), connection.cursor() as cursor:
            if custom:
                cursor.execute(CUSTOM_PLANS_SQL)
            for group in groups:
                sql, params = audience.audience_sql(
                    edition_id=digest.edition_id,
                    cohorts=group,
                    carry=carry,
                    after=low,
                    upto=high,
                    since=since,
                )
                cursor.execute(
                    FILL_SQL.format(audience=sql),
                    [digest.pk, prefix, suffix, stamp, stamp, *params],
                )
                added += max(0, cursor.rowcount)
            if custom:
                cursor.execute(DEFAULT_PLANS_SQL)
    return added, {(c.timezone, c.send_hour) for c, _ in cohorts or ()}


def batched(items: list[Any], size: int) -> list[list[Any]]:
    return [items[n : n + size] for n in range(0, len(items), size)]


@transaction.atomic
def bring_forward(*, digest_id: int, now: dt.datetime) -> int:
    """`headlines send`: every reader who has not had it is due now, whatever their hour.

    Skipped rows and rows that ran out of retries come back (a 4xx, and a refusal of us
    retried until the window closed: the relay fixed after it, the readers are still owed the
    digest); refusals of the reader or of the message (5xx) and suppressions do not.
    """
    deadline = now + window()
    waiting = Delivery.objects.filter(
        digest_id=digest_id, state__in=(State.QUEUED, State.DEFERRED), next_attempt_at__gt=now
    ).update(next_attempt_at=now, deadline=deadline)
    ran_out = Q(last_code__lt=500) | Q(last_code=None) | Q(last_reply__startswith=RAN_OUT)
    revived = Delivery.objects.filter(
        Q(state=State.SKIPPED) | Q(state=State.FAILED) & ran_out,
        digest_id=digest_id,
    ).update(state=State.QUEUED, next_attempt_at=now, deadline=deadline)
    Delivery.objects.filter(digest_id=digest_id, state__in=OPEN, deadline__lt=deadline).update(
        deadline=deadline
    )
    return waiting + revived


def retime(*, subscription_ids: list[int], now: dt.datetime) -> int:
    """A reader changed their time zone or hour: the rows still waiting for their old evening
    are due at the new one, by the rule `fill` used (`audience.due_at`), so they get each
    digest once, at the hour they chose (the row was frozen at the old hour, which could be
    hours away or already past tonight's new one). A row already due, under way or done is
    left alone. When the new evening of the digest's day has already passed, it goes at the
    reader's next evening (never lost, and never at night, as the old hour could be in the new
    zone).
    """
    moved = 0
    rows = Delivery.objects.filter(
        subscription_id__in=subscription_ids, state=State.QUEUED, next_attempt_at__gt=now
    ).select_related("digest__edition", "subscription")
    for row in rows:
        due = _due_from(
            digest=row.digest,
            timezone=row.subscription.timezone,
            send_hour=row.subscription.send_hour,
            now=now,
        )
        if due == row.next_attempt_at:
            continue
        moved += Delivery.objects.filter(
            pk=row.pk, state=State.QUEUED, next_attempt_at__gt=now
        ).update(next_attempt_at=due, deadline=due + window())
    return moved


def retime_edition(*, edition_id: int, now: dt.datetime) -> int:
    """The edition's time zone or send time changed: `retime` for every row of its digests
    still waiting, as each reader's evening now falls (a reader with no zone or hour of their
    own reads at the edition's; and the edition's send time decides which day a reader far
    ahead of it gets a digest). One UPDATE per (digest, zone, hour) of the waiting rows, not one
    a row: a million readers can wait on the edition's zone."""
    waiting = Delivery.objects.filter(
        digest__edition_id=edition_id, state=State.QUEUED, next_attempt_at__gt=now
    )
    cohorts = list(
        waiting.order_by()
        .values_list("digest_id", "subscription__timezone", "subscription__send_hour")
        .distinct()
    )
    digests = Digest.objects.select_related("edition").in_bulk(
        {digest_id for digest_id, _, _ in cohorts}
    )
    moved = 0
    for digest_id, timezone, send_hour in cohorts:
        due = _due_from(digest=digests[digest_id], timezone=timezone, send_hour=send_hour, now=now)
        hour = (
            Q(subscription__send_hour=send_hour)
            if send_hour is not None
            else Q(subscription__send_hour__isnull=True)
        )
        moved += (
            waiting.filter(hour, digest_id=digest_id, subscription__timezone=timezone)
            .exclude(next_attempt_at=due)
            .update(next_attempt_at=due, deadline=due + window())
        )
    return moved


def _due_from(
    *, digest: Digest, timezone: str, send_hour: int | None, now: dt.datetime
) -> dt.datetime:
    """When a waiting row is due by `fill`'s rule (`audience.due_at`), or at the reader's next
    evening when that one's window has already passed (never lost, never at night)."""
    for later in range(3):
        due = audience.due_at(
            edition=digest.edition,
            day=digest.date + dt.timedelta(days=later),
            timezone=timezone,
            send_hour=send_hour,
            ready_at=digest.approved_at,
        )
        if due + window() > now:
            break
    return due


@dataclass(frozen=True)
class Claimed:
    id: int
    subscription_id: int
    attempts: int
    deadline: dt.datetime


def _due_kinds(now: dt.datetime) -> tuple[Q, ...]:
    """The rows a sender may take, most urgent first; each is one index range scan."""
    return (
        Q(state=State.SENDING, lease_expires_at__lt=now),  # its sender died: back to the queue
        Q(state=State.DEFERRED, next_attempt_at__lte=now),
        Q(state=State.QUEUED, next_attempt_at__lte=now),
    )


def _on_machine_of(owner: str) -> Q:
    """Rows leased by senders on the machine of `owner` (`sender.new_owner`: host:pid:random)."""
    return Q(lease_owner__startswith=f"{owner.partition(':')[0]}:")


def _claim_kinds(now: dt.datetime, owner: str, held_for: dt.timedelta) -> tuple[Q, ...]:
    """`_due_kinds` for a sender named `owner`: a dead sender's rows go first to a sender on its
    own machine, where its journal is (delivery.journal), and to one elsewhere a lease later, so
    that the worker restarted there, or a neighbour, records what the journal lists rather than
    a sender on another machine mailing those readers again. A lost machine's rows wait one
    lease more."""
    died, *rest = _due_kinds(now)
    here = _on_machine_of(owner)
    return (died & here, died & ~here & Q(lease_expires_at__lt=now - held_for), *rest)


def claim(
    *,
    digest_id: int,
    owner: str,
    limit: int,
    now: dt.datetime,
    settle: Callable[[dict[int, str]], list[Outcome]] | None = None,
) -> list[Claimed]:
    """Lease up to `limit` due deliveries of a digest to `owner`.

    `settle` is shown the rows taken over from a sender whose lease ran out (row id: that
    sender). The outcomes it gives back (its journal says the relay accepted those messages:
    delivery.journal) are recorded in the same transaction as the takeover, so no later sender
    can take them for unsent, and those rows are not returned to be sent.
    """
    held_for = _lease()
    rows = Delivery.objects.select_for_update(skip_locked=True).filter(
        digest_id=digest_id, deadline__gt=now
    )
    with transaction.atomic():
        ids: list[int] = []
        taken_from: dict[int, str] = {}
        for kind in _claim_kinds(now, owner, held_for):
            if len(ids) < limit:
                due = rows.filter(kind).order_by("next_attempt_at")
                for row_id, state, previous in due.values_list("id", "state", "lease_owner")[
                    : limit - len(ids)
                ]:
                    ids.append(row_id)
                    if state == State.SENDING:
                        taken_from[row_id] = previous
        if not ids:
            return []
        Delivery.objects.filter(id__in=ids).update(
            state=State.SENDING,
            lease_owner=owner[:64],
            lease_expires_at=now + held_for,
            attempts=F("attempts") + 1,
        )
        if settle is not None and taken_from:
            settled = settle(taken_from)
            record(owner=owner, outcomes=settled, now=now)
            done = {o.delivery_id for o in settled}
            ids = [i for i in ids if i not in done]
    if not ids:
        return []
    found = Delivery.objects.filter(id__in=ids).values_list(
        "id", "subscription_id", "attempts", "deadline"
    )
    return [Claimed(i, s, a, d) for i, s, a, d in found]


@dataclass(frozen=True)
class Outcome:
    """What happened to one claimed delivery; `state` is where its row goes next."""

    delivery_id: int
    state: str
    code: int | None
    reply: str
    relay: str = ""
    retry_at: dt.datetime | None = None
    # "hard" (a refusal about the reader) or "soft" (their mailbox is full): a bounce to note.
    bounce: str = ""


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


def release(*, owner: str, ids: list[int]) -> int:
    """Give back rows this owner claimed and never sent (a sender asked to stop): queued again,
    due as they were, the claim's attempt not counted. A row already taken over is left alone."""
    if not ids:
        return 0
    return int(
        Delivery.objects.filter(id__in=ids, state=State.SENDING, lease_owner=owner[:64]).update(
            state=State.QUEUED, lease_expires_at=None, attempts=F("attempts") - 1
        )
    )


@dataclass(frozen=True)
class Hold:
    """Why and until when rows wait: a relay refusing us (delivery.sender.Breaker)."""

    until: dt.datetime
    code: int | None
    reply: str


def hold(*, owner: str, ids: list[int], held: Hold) -> int:
    """Rows this owner claimed and never handed to the channel, deferred until `held.until`
    with the reply that stopped the send; the claim's attempt not counted. A row already taken
    over is left alone."""
    if not ids:
        return 0
    rows = Delivery.objects.filter(id__in=ids, state=State.SENDING, lease_owner=owner[:64])
    return _defer(
        rows,
        held.until,
        state=State.DEFERRED,
        last_code=held.code,
        last_reply=held.reply[:2000],
        lease_expires_at=None,
        attempts=F("attempts") - 1,
    )


def hold_due(*, digest_id: int, held: Hold, now: dt.datetime) -> int:
    """Every row of the digest that would come due before `held.until`, and no sender holds,
    deferred until then: the other senders of the digest (other threads, jobs, machines) do not
    each open a transaction a reader against a relay that refuses us all. Rows whose window is
    already closed are left to the sweep."""
    rows = Delivery.objects.filter(
        digest_id=digest_id,
        state__in=(State.QUEUED, State.DEFERRED),
        next_attempt_at__lt=held.until,
        deadline__gt=now,
    )
    return _defer(
        rows, held.until, state=State.DEFERRED, last_code=held.code, last_reply=held.reply[:2000]
    )


def reopen(*, owner: str, ids: list[int], until: dt.datetime) -> int:
    """Rows this owner recorded as failed, refused in words that a later look judged a refusal
    of us (delivery.sender.Refusals): deferred until `until`, their replies kept. A row that
    moved since (revived by `bring_forward`) is left alone."""
    if not ids:
        return 0
    rows = Delivery.objects.filter(id__in=ids, state=State.FAILED, lease_owner=owner[:64])
    return _defer(rows, until, state=State.DEFERRED)


@transaction.atomic
def _defer(rows: Any, until: dt.datetime, **changes: Any) -> int:
    """`rows` changed so, and due at `until`, or at their deadline when that comes first (a
    waiting row is due by its deadline: the sweep's bound). Two statements, not LEAST(): the
    same on both databases."""
    later = rows.filter(deadline__gt=until).update(next_attempt_at=until, **changes)
    sooner = rows.filter(deadline__lte=until).update(next_attempt_at=F("deadline"), **changes)
    return int(later + sooner)


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(settings.CONFIG["HEADLINES_DELIVERY_LEASE_SECONDS"]))


def renew(*, digest_id: int, owner: str, now: dt.datetime) -> int:
    """The sender's heartbeat: extend the lease on every row of the digest it still holds.

    Its rows are found through the claim index (digest, state): only in-flight rows are read.
    Rows another transaction has locked are skipped (SKIP LOCKED): they are this sender's own
    rows being recorded by one of its threads, which ends their lease anyway. Waiting for them
    deadlocked on PostgreSQL: a record locks its rows group by group, the heartbeat all of them
    in index order, and each waited for a row the other held (seen in bench_million's send).
    A row skipped is renewed at the next beat, a quarter lease later.
    """
    with transaction.atomic():
        held = Delivery.objects.select_for_update(skip_locked=True).filter(
            digest_id=digest_id, state=State.SENDING, lease_owner=owner[:64]
        )
        return int(
            Delivery.objects.filter(
                pk__in=held.values("pk"), state=State.SENDING, lease_owner=owner[:64]
            ).update(lease_expires_at=now + _lease())
        )


@transaction.atomic
def sweep(
    *,
    digest_id: int,
    now: dt.datetime,
    settle: Callable[[dict[int, str]], list[Outcome]] | None = None,
) -> dict[str, int]:
    """Close rows whose window has passed: never attempted → skipped, retried → failed, held by
    a sender that died → sent where `settle` finds them in its journal (as in `claim`), else
    failed with the outcome unknown.

    Run every scheduler tick. A queued or deferred row is always due before its deadline (fill,
    bring_forward and a retry's backoff all keep next_attempt_at < deadline), so only rows due
    by now can be late: that bound makes each look a range of the claim index (digest, state,
    next_attempt_at) instead of every queued row of the digest (0.6 s a tick at a million).
    """
    late = Delivery.objects.filter(digest_id=digest_id, deadline__lte=now)
    due = late.filter(next_attempt_at__lte=now)
    skipped = due.filter(state=State.QUEUED).update(
        state=State.SKIPPED, last_reply="its window passed before it could be sent"
    )
    failed = due.filter(state=State.DEFERRED).update(
        state=State.FAILED, last_reply=Concat(Value(RAN_OUT), F("last_reply"))
    )
    stopped = late.filter(state=State.SENDING, lease_expires_at__lt=now)
    # Read, not updated blind: a tick with none (nearly every tick) still costs one statement.
    held_by = dict(stopped.values_list("id", "lease_owner"))
    if not held_by:
        return {"skipped": skipped, "failed": failed, "sent": 0}
    by_owner: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in settle(held_by) if settle is not None else []:
        by_owner[held_by[outcome.delivery_id]].append(outcome)
    for owner, outcomes in by_owner.items():
        record(owner=owner, outcomes=outcomes, now=now)
    failed += stopped.update(
        state=State.FAILED,
        lease_owner="",
        last_reply="its sender stopped after the window closed; outcome unknown",
    )
    sent = sum(len(outcomes) for outcomes in by_owner.values())
    return {"skipped": skipped, "failed": failed, "sent": sent}


def open_rows(*, digest_id: int) -> int:
    return Delivery.objects.filter(digest_id=digest_id, state__in=OPEN).count()


def any_open(*, digest_id: int) -> bool:
    """Whether any row of the digest is still open: what the send loop and the scheduler's tick
    ask, one state at a time (see `_any_in_claim_order`; a bare EXISTS over the three read the
    whole ledger once most of it was sent: 143-157 ms a tick at a million rows)."""
    return _any_in_claim_order(
        Delivery.objects.filter(digest_id=digest_id), [Q(state=state) for state in OPEN]
    )


def next_wake(*, digest_id: int, owner: str) -> dt.datetime | None:
    """The earliest moment an open row could become claimable again by `owner` (another
    machine's leased rows a lease after theirs runs out, as `claim` takes them).

    One minimum per state: each is the first entry of the claim index's (digest, state) range,
    where a minimum over two states at once read every open row (0.5 s at a million, asked up
    to once a second by a send waiting out retries)."""
    rows = Delivery.objects.filter(digest_id=digest_id)
    waiting = [
        rows.filter(state=state).aggregate(at=Min("next_attempt_at"))["at"]
        for state in (State.QUEUED, State.DEFERRED)
    ]
    leased = rows.filter(state=State.SENDING)
    here = _on_machine_of(owner)
    elsewhere = leased.exclude(here).aggregate(at=Min("lease_expires_at"))["at"]
    held = [
        leased.filter(here).aggregate(at=Min("lease_expires_at"))["at"],
        None if elsewhere is None else elsewhere + _lease(),
    ]
    times = [t for t in (*waiting, *held) if t is not None]
    return min(times) if times else None


def due_rows(*, digest_id: int, now: dt.datetime) -> bool:
    """Whether a sender has anything to take now: each kind read as a claim reads it (see
    `_any_in_claim_order`; a bare EXISTS took 160-240 ms a tick at 1.1 million rows from the
    11th tick for the `sending` kind, 0.3 ms before, and 90 ms for the queued kind while no
    reader was due yet)."""
    return _any_in_claim_order(
        Delivery.objects.filter(digest_id=digest_id, deadline__gt=now), _due_kinds(now)
    )


def _any_in_claim_order(rows: QuerySet[Delivery], kinds: Iterable[Q]) -> bool:
    """Whether `rows` hold a row of any of `kinds`, each kind read as its first row in the
    claim index's order (digest, state, next_attempt_at). The order keeps that index in any
    plan: a bare EXISTS (LIMIT 1) was planned, under the generic plan PostgreSQL keeps for a
    statement psycopg has prepared (the scheduler asks every tick), as a sequential scan of the
    whole ledger in hope of an early row."""
    return any(
        rows.filter(kind).order_by("next_attempt_at").values_list("pk", flat=True)[:1]
        for kind in kinds
    )
