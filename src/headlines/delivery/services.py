"""Writes on deliveries: start a digest's deliveries, send now, and the scheduler's dispatch."""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable
from email.utils import make_msgid

from django.db.models import Q

from headlines.core import clock, jobs
from headlines.core.errors import Conflict, InvalidInput
from headlines.core.mail import Messenger, sender_address
from headlines.delivery import journal, ledger
from headlines.delivery.channels import Reply, channel_for
from headlines.delivery.ledger import Outcome
from headlines.delivery.message import NO_SUBSCRIPTION
from headlines.delivery.segments import Segments
from headlines.delivery.selectors import DigestProgress, digest_progress
from headlines.delivery.sender import Sender, Tally
from headlines.digests import services as digest_services
from headlines.digests.models import Digest
from headlines.digests.rendering import web_url
from headlines.digests.selectors import digest_get
from headlines.engagement.readers import ReaderTracking
from headlines.subscriptions import audience
from headlines.subscriptions.hashing import normalise_email
from headlines.subscriptions.selectors import is_suppressed

log = logging.getLogger(__name__)
SENDABLE = (Digest.State.APPROVED, Digest.State.SENDING, Digest.State.SENT)
# How many days back the scheduler still looks for approved digests (by their day, or by
# their approval: one approved late is due at its readers' next evening, up to a day after
# it): older ones are left to `headlines send`.
LOOKBACK_DAYS = 2
# A send under way adds the readers who joined or were confirmed since it started, from this
# long before its start: a confirmation committed just after the first fill read the readers,
# but stamped just before it, is still found (a row already there is never added twice).
LATE_READERS_MARGIN = dt.timedelta(minutes=10)
# `headlines send` refreshes its progress at most this often (seconds), and waits at least
# PROGRESS_SHARE times as long as the last refresh took: at most a tenth of one thread's time.
PROGRESS_EVERY = 0.2
PROGRESS_SHARE = 10


def _late_readers_since(digest: Digest, started: dt.datetime | None) -> dt.datetime:
    return (started or digest.sending_started_at or clock.now()) - LATE_READERS_MARGIN


def deliveries_retime(*, subscription_ids: list[int], now: dt.datetime) -> int:
    """A reader changed their time zone or hour: the digests still waiting for them go at the
    new evening (`ledger.retime`). Returns how many moved."""
    return ledger.retime(subscription_ids=subscription_ids, now=now)


def deliveries_retime_edition(*, edition_id: int, now: dt.datetime) -> int:
    """Staff changed the edition's time zone or send time: the digests still waiting for its
    readers go at their evening as it now falls (`ledger.retime_edition`). Returns how many
    moved."""
    return ledger.retime_edition(edition_id=edition_id, now=now)


def delivery_send_now(
    *,
    digest_id: int,
    progress: Callable[[DigestProgress], None] | None = None,
    messenger: Messenger | None = None,
    threads: int | None = None,
    stop: jobs.Stop | None = None,
    tally: Tally | None = None,
) -> DigestProgress:
    """Send an approved digest now to every confirmed reader who has not had it.

    Safe to run again and on several machines at once: all of them work from the ledger.
    Returns when nothing is left (waiting out retries and other senders' leases), or once
    `stop` is set and the replies in hand are recorded (the digest then stays *sending*).
    The progress returned is the ledger's, every sender's; `tally` counts this call's own
    outcomes by state (what other senders sent meanwhile is not in it).
    """
    stop = stop or threading.Event()
    digest = digest_get(digest_id=digest_id)
    if digest.state not in SENDABLE:
        raise Conflict(f"{digest} is {digest.get_state_display().lower()}; approve it first")
    now = clock.now()
    ledger.fill(digest=digest, now=now, send_now=True)
    ledger.bring_forward(digest_id=digest_id, now=now)
    digest_services.digest_mark_sending(digest_id=digest_id)
    channel = channel_for(digest.edition, messenger=messenger)
    next_report = [0.0]
    reporting = threading.Lock()

    def report(_: list[Outcome]) -> None:
        # Run by a sender thread after each flush. Progress is counted in the ledger, about a
        # second at a million rows: one thread counts at a time, and the next count waits
        # PROGRESS_SHARE times as long as the last took, so the sender threads keep sending.
        if progress is None or time.monotonic() < next_report[0]:
            return
        if not reporting.acquire(blocking=False):
            return
        try:
            started = time.monotonic()
            progress(digest_progress(digest_id=digest_id))
            took = time.monotonic() - started
            next_report[0] = time.monotonic() + max(PROGRESS_EVERY, PROGRESS_SHARE * took)
        finally:
            reporting.release()

    try:
        sender = Sender(
            digest_id=digest_id,
            channel=channel,
            threads=threads,
            on_progress=report,
            stop=stop,
            tally=tally,
        )
        while True:
            sender.run_available()
            if stop.is_set():
                return digest_progress(digest_id=digest_id)
            # Readers confirmed (or imported) while this ran are owed the digest too.
            if ledger.fill(
                digest=digest,
                now=clock.now(),
                send_now=True,
                since=_late_readers_since(digest, now),
            ):
                continue
            ledger.sweep(digest_id=digest_id, now=clock.now(), settle=journal.settled)
            if not ledger.any_open(digest_id=digest_id):
                break
            _wait(digest_id, stop, owner=sender.owner)
    finally:
        channel.close()
    digest_services.digest_mark_sent(digest_id=digest_id)
    final = digest_progress(digest_id=digest_id)
    if progress is not None:
        progress(final)
    return final


def delivery_send_now_queue(*, digest_id: int) -> Digest:
    """`delivery_send_now` in the background (the API's "send now"): checked here, run by a job."""
    digest = digest_get(digest_id=digest_id)
    if digest.state not in SENDABLE:
        raise Conflict(f"{digest} is {digest.get_state_display().lower()}; approve it first")
    jobs.enqueue("delivery.send_now", digest_id=digest.pk)
    return digest


def _wait(digest_id: int, stop: jobs.Stop, *, owner: str) -> None:
    """Sleep until the next retry is due or another sender's lease runs out (at most 1 s)."""
    wake = ledger.next_wake(digest_id=digest_id, owner=owner)
    seconds = 1.0 if wake is None else (wake - clock.now()).total_seconds()
    stop.wait(min(1.0, max(0.02, seconds)))


def _first_due(digest: Digest) -> dt.datetime | None:
    return audience.audience_first_due(
        edition=digest.edition, day=digest.date, ready_at=digest.approved_at
    )


def delivery_dispatch() -> dict[str, int]:
    """The scheduler's tick: start approved digests whose first reader is due, queue senders
    for digests with due readers, close windows that passed, finish digests with none left."""
    now = clock.now()
    started = senders = finished = 0
    back = now - dt.timedelta(days=LOOKBACK_DAYS)
    for digest in Digest.objects.select_related("edition").filter(
        Q(date__gte=back.date()) | Q(approved_at__gte=back),
        state__in=(Digest.State.APPROVED, Digest.State.SENDING),
        edition__enabled=True,  # a paused edition sends nothing on its own (`send` still can)
    ):
        if digest.state == Digest.State.APPROVED:
            first = _first_due(digest)
            if first is None or first > now:
                continue
            ledger.fill(digest=digest, now=now, send_now=False)
            digest_services.digest_mark_sending(digest_id=digest.pk)
            started += 1
        else:
            # A send under way: readers confirmed since it started get the digest at their
            # evening too (or are reported skipped once their window has passed).
            ledger.fill(
                digest=digest, now=now, send_now=False, since=_late_readers_since(digest, None)
            )
        swept = ledger.sweep(digest_id=digest.pk, now=now, settle=journal.settled)
        if swept["skipped"]:
            log.warning(
                "%s: %d readers skipped, their window passed before it could be sent",
                digest,
                swept["skipped"],
            )
        if ledger.due_rows(digest_id=digest.pk, now=now):
            _queue_sender(digest.pk)
            senders += 1
        elif not ledger.any_open(digest_id=digest.pk):
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
    channel = channel_for(digest_get(digest_id=digest_id).edition, messenger=messenger)
    try:
        sender = Sender(digest_id=digest_id, channel=channel, stop=jobs.stop_requested())
        counts = dict(sender.run_available().counts)
    finally:
        channel.close()
        if not fan_out:
            with _running_lock:
                _running.discard(digest_id)
    _follow_up(digest_id, owner=sender.owner)
    return counts


def _follow_up(digest_id: int, *, owner: str) -> None:
    """Nothing is claimable now, but rows are still open (another sender's lease, a retry's
    backoff): come back when the first of them can be claimed, by a sender on this machine. A
    sender that died mid-send so has its rows taken over within a lease (another machine's,
    two), not at the next dispatch tick."""
    wake = ledger.next_wake(digest_id=digest_id, owner=owner)
    if wake is None:
        return
    delay = min(3600.0, max(0.5, (wake - clock.now()).total_seconds() + 0.5))
    jobs.enqueue(
        "delivery.send", key=f"delivery.send:{digest_id}", delay=delay, digest_id=digest_id
    )


# What a relay's RCPT TO cannot take of a staff account's address: a second address, a display
# name, a space or a line break (the admin's Users page keeps most of these out; `createsuperuser
# --noinput` and older accounts do not).
_NOT_ONE_ADDRESS = re.compile(r"[\s,;<>()\[\]\"\\]|[\x00-\x1f\x7f]")


def _test_address(to: str) -> str:
    """The staff account's address as a relay takes it (an international domain in its ASCII
    form, as sign-up stores a reader's), or InvalidInput saying why it cannot be mailed. The
    outbox stored `a b@example.com` as "250 Ok", and a relay's RCPT TO of `ed@bücher.example`
    crashed the page (smtplib speaks ASCII)."""
    to = (to or "").strip()
    if not to or "@" not in to:
        raise InvalidInput("a test goes to an email address; set one on your staff account")
    local, _, domain = to.rpartition("@")
    if not local or not domain or _NOT_ONE_ADDRESS.search(to):
        raise InvalidInput(
            f"{to[:80]!r} is not an email address a relay takes (one address, without spaces, "
            "commas or a display name): correct it on your staff account"
        )
    if not local.isascii():
        raise InvalidInput(
            f"{to[:80]!r} has letters beyond ASCII before the @, which not every relay takes: "
            "set another address on your staff account"
        )
    address = normalise_email(to)
    if not address.isascii():  # a domain that has no ASCII form is no domain
        raise InvalidInput(
            f"{to[:80]!r} is not an email address a relay takes (its domain is not one): "
            "correct it on your staff account"
        )
    return address


def delivery_send_test(*, digest_id: int, to: str, topics: tuple[str, ...] = ()) -> Reply:
    """Send the digest to one address (an editor) through the same builder and channel as a
    real send: the bytes are a reader's but for the Message-ID (and so the DKIM signature). An
    address that reads the edition gets exactly its own email (its links, its topics); any
    other gets the web page's link in their place, and no List-Unsubscribe (it is on no list)."""
    digest = digest_get(digest_id=digest_id)
    if not digest.html:
        raise Conflict(f"{digest} has not been rendered; build it first")
    to = _test_address(to)
    if is_suppressed(email=to):
        # Every send checks the suppression first: a test is mail to that address too, and a
        # complaint or a hard bounce from it counts against the newsroom as a digest's would.
        raise Conflict(f"{to} is suppressed (Subscriptions → Suppressions): no test sent to it")
    reader = audience.audience_reader_by_email(edition_id=digest.edition_id, email=to)
    if reader is None:
        link = web_url(digest)
        reader = audience.Recipient(NO_SUBSCRIPTION, to, tuple(topics), link, link)
    # A test is no delivery: a Message-ID of its own each time. A mailbox that holds a message
    # (Gmail) drops a later one with its id: with the delivery's, an editor who reads the
    # edition never saw the real digest after a test, and with "subscription 0"'s, a second
    # test after an edit never showed.
    own_id = make_msgid(domain=sender_address(digest.edition).rpartition("@")[2])
    tracking = ReaderTracking.for_reader(digest, subscription_id=reader.subscription_id)
    message = (
        Segments(digest, tracking=tracking).template(reader.topics).render(reader, own_id=own_id)
    )
    channel = channel_for(digest.edition)
    try:
        return channel.deliver(message)
    finally:
        channel.close()
