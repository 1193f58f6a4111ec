"""Writes on deliveries: start a digest's deliveries, send now, and the scheduler's dispatch."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable

from headlines.core import clock, jobs
from headlines.core.errors import Conflict
from headlines.core.mail import Messenger, get_messenger, messenger_installed
from headlines.delivery import ledger
from headlines.delivery.ledger import Outcome
from headlines.delivery.selectors import DigestProgress, digest_progress
from headlines.delivery.sender import Sender
from headlines.digests import services as digest_services
from headlines.digests.models import Digest
from headlines.digests.selectors import digest_get
from headlines.subscriptions.models import Subscription

log = logging.getLogger(__name__)
SENDABLE = (Digest.State.APPROVED, Digest.State.SENDING, Digest.State.SENT)
# How many days back the scheduler still looks for approved digests: older ones are only
# swept (their readers reported as skipped), never sent.
LOOKBACK_DAYS = 2


def _messenger_or_default(messenger: Messenger | None) -> tuple[Messenger, bool]:
    """The messenger to use, and whether this call opened it (and so must close it)."""
    if messenger is not None:
        return messenger, False
    return get_messenger(), not messenger_installed()


def delivery_send_now(
    *,
    digest_id: int,
    progress: Callable[[DigestProgress], None] | None = None,
    messenger: Messenger | None = None,
    threads: int | None = None,
) -> DigestProgress:
    """Send an approved digest now to every confirmed reader who has not had it.

    Safe to run again and on several machines at once: all of them work from the ledger.
    Returns when nothing is left (waiting out retries and other senders' leases).
    """
    digest = digest_get(digest_id=digest_id)
    if digest.state not in SENDABLE:
        raise Conflict(f"{digest} is {digest.get_state_display().lower()}; approve it first")
    now = clock.now()
    ledger.fill(digest=digest, now=now, send_now=True)
    ledger.bring_forward(digest_id=digest_id, now=now)
    digest_services.digest_mark_sending(digest_id=digest_id)
    chosen, owned = _messenger_or_default(messenger)
    last_report = [0.0]

    def report(_: list[Outcome]) -> None:
        if progress is not None and time.monotonic() - last_report[0] > 0.2:
            last_report[0] = time.monotonic()
            progress(digest_progress(digest_id=digest_id))

    try:
        sender = Sender(digest_id=digest_id, messenger=chosen, threads=threads, on_progress=report)
        while True:
            sender.run_available()
            ledger.sweep(digest_id=digest_id, now=clock.now())
            if ledger.open_rows(digest_id=digest_id) == 0:
                break
            _wait(digest_id)
    finally:
        if owned:
            chosen.close()
    digest_services.digest_mark_sent(digest_id=digest_id)
    final = digest_progress(digest_id=digest_id)
    if progress is not None:
        progress(final)
    return final


def _wait(digest_id: int) -> None:
    """Sleep until the next retry is due or another sender's lease runs out (at most 1 s)."""
    wake = ledger.next_wake(digest_id=digest_id)
    seconds = 1.0 if wake is None else (wake - clock.now()).total_seconds()
    time.sleep(min(1.0, max(0.02, seconds)))


def _first_due(digest: Digest) -> dt.datetime | None:
    """The earliest local evening among the edition's confirmed readers."""
    combos = (
        Subscription.objects.filter(
            edition_id=digest.edition_id, status=Subscription.Status.CONFIRMED
        )
        .values_list("timezone", "send_hour")
        .distinct()
    )
    dues = [ledger.local_due(digest=digest, timezone=z, send_hour=h) for z, h in combos]
    return min(dues) if dues else None


def delivery_dispatch() -> dict[str, int]:
    """The scheduler's tick: start approved digests whose first reader is due, queue senders
    for digests with due readers, close windows that passed, finish digests with none left."""
    now = clock.now()
    started = senders = finished = 0
    since = (now - dt.timedelta(days=LOOKBACK_DAYS)).date()
    for digest in Digest.objects.select_related("edition").filter(
        state__in=(Digest.State.APPROVED, Digest.State.SENDING),
        date__gte=since,
        edition__enabled=True,  # a paused edition sends nothing on its own (`send` still can)
    ):
        if digest.state == Digest.State.APPROVED:
            first = _first_due(digest)
            if first is None or first > now:
                continue
            ledger.fill(digest=digest, now=now, send_now=False)
            digest_services.digest_mark_sending(digest_id=digest.pk)
            started += 1
        swept = ledger.sweep(digest_id=digest.pk, now=now)
        if swept["skipped"]:
            log.warning(
                "%s: %d readers skipped, their window passed before it could be sent",
                digest,
                swept["skipped"],
            )
        if ledger.due_rows(digest_id=digest.pk, now=now):
            _queue_sender(digest.pk)
            senders += 1
        elif ledger.open_rows(digest_id=digest.pk) == 0:
            digest_services.digest_mark_sent(digest_id=digest.pk)
            finished += 1
    return {"started": started, "senders": senders, "finished": finished}


def _queue_sender(digest_id: int) -> None:
    # Keyed: at most one send job of a digest waits in the queue. In the Celery tier each
    # send job that starts queues the next one (see delivery_send_due), so one always waits
    # for the next free worker until every worker takes part or nothing is left.
    jobs.enqueue("delivery.send", key=f"delivery.send:{digest_id}", digest_id=digest_id)


_running: set[int] = set()
_running_lock = threading.Lock()


def delivery_send_due(*, digest_id: int, messenger: Messenger | None = None) -> dict[str, int]:
    """Send what is due now for one digest (the send job).

    Celery tier: a send fans out. Before it starts, this job queues another for the same digest
    (if readers are still due), which the next free worker slot on any machine takes; all of
    them claim disjoint batches from the ledger. The chain stops when nothing is due.
    Embedded tier: one sender per digest per process; extra jobs return at once.
    """
    fan_out = jobs.distributed()
    if fan_out:
        if ledger.due_rows(digest_id=digest_id, now=clock.now()):
            _queue_sender(digest_id)
    else:
        with _running_lock:
            if digest_id in _running:
                return {}
            _running.add(digest_id)
    chosen, owned = _messenger_or_default(messenger)
    try:
        counts = dict(Sender(digest_id=digest_id, messenger=chosen).run_available().counts)
    finally:
        if owned:
            chosen.close()
        if not fan_out:
            with _running_lock:
                _running.discard(digest_id)
    _follow_up(digest_id)
    return counts


def _follow_up(digest_id: int) -> None:
    """Nothing is claimable now, but rows are still open (another sender's lease, a retry's
    backoff): come back when the first of them can be claimed. A sender that died mid-send so
    has its rows taken over within a lease, not at the next dispatch tick."""
    wake = ledger.next_wake(digest_id=digest_id)
    if wake is None:
        return
    delay = min(3600.0, max(0.5, (wake - clock.now()).total_seconds() + 0.5))
    jobs.enqueue(
        "delivery.send", key=f"delivery.send:{digest_id}", delay=delay, digest_id=digest_id
    )
