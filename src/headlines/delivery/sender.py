"""The sending engine: threads that claim batches, render, hand to the channel, record replies.

The same engine runs inside `headlines send`, an embedded worker thread and a Celery task. It
sees three narrow interfaces: the ledger (database), the audience (subscriptions.audience: who
the claimed rows are, read right before the send) and a `Channel` (delivery.channels).
Each thread writes its replies back every HEADLINES_DELIVERY_FLUSH messages or RECORD_SECONDS,
whichever comes first, and each relay's 250 at once to the sender's journal (delivery.journal).
A sender killed at any instant leaves its rows to the next one once their lease expires, and
that one records as sent what the journal lists (on the same machine): what goes twice is the
message on the wire of each thread, that the relay took and whose 250 the thread never read
(the only way a reader can get a digest twice; without the journal, also the replies of the
last tenth of a second, at most FLUSH a thread).
A sender asked to stop (its `stop` event: Ctrl-C or SIGTERM on `headlines send`) is not killed:
it finishes the message on the wire, records every reply in hand and gives back the rows it
claimed but did not send, so a stop sends nobody twice.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections

from headlines.core import clock
from headlines.core.jobs import Stop
from headlines.delivery import journal, ledger
from headlines.delivery.channels import Channel, Reply, Verdict
from headlines.delivery.ledger import Claimed, Outcome
from headlines.delivery.models import Delivery
from headlines.delivery.segments import Segments
from headlines.digests.selectors import digest_get
from headlines.subscriptions import audience
from headlines.subscriptions.audience import Recipient
from headlines.subscriptions.hashing import without_addresses

log = logging.getLogger(__name__)
State = Delivery.State
# A thread writes the replies in hand once this long has passed since its last write, even
# before HEADLINES_DELIVERY_FLUSH of them: a busy thread writes every FLUSH messages as before
# (tens in a tenth of a second), one behind a slow relay each reply before its next message.
RECORD_SECONDS = 0.1


def new_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


# Readers refused in a row with the same reply (addresses taken out) after which the refusal is
# about us, whatever its code said: a relay that answers every reader alike is refusing us.
SAME_REFUSALS = 5


class Refusals:
    """The hard bounces of one send, held while they might all be one refusal of ours.

    A relay that refuses us but words it as a refusal of the reader (a smarthost that takes
    itself for every domain's last stop: `550 5.1.1 <ann@…>: User unknown in local recipient
    table`) answers every reader alike, and each refusal suppressed its reader for good.
    Refusals with the same text, addresses taken out, are held until a message is accepted,
    another refusal comes or the send ends: then they are the readers' bounces. SAME_REFUSALS
    of them in a row are about us: nobody of them is blamed, nor any later reader refused so
    in this send. A sender that dies loses what it held: those readers are refused again, and
    blamed, at their next digest."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.text = ""
        self.held: list[Outcome] = []
        self.ours: set[str] = set()

    def add(self, outcomes: list[Outcome]) -> tuple[list[Outcome], list[Outcome]]:
        """Note outcomes as recorded, in order; returns the hard bounces now the readers', and
        the refusals now judged ours (to be retried, not failed: `Sender._record`)."""
        blamed: list[Outcome] = []
        ours: list[Outcome] = []
        with self.lock:
            for outcome in outcomes:
                if outcome.state == State.SENT:
                    blamed += self._broken()
                elif outcome.bounce == "hard":
                    blamed += self._refused(outcome, ours)
        return blamed, ours

    def end(self) -> list[Outcome]:
        with self.lock:
            return self._broken()

    def _refused(self, outcome: Outcome, ours: list[Outcome]) -> list[Outcome]:
        text = without_addresses(outcome.reply)
        if text in self.ours:
            ours.append(outcome)
            return []
        blamed = self._broken() if text != self.text else []
        self.text = text
        self.held.append(outcome)
        if len({o.delivery_id for o in self.held}) >= SAME_REFUSALS:
            log.warning(
                "%d readers in a row refused with %r: a refusal of us, nobody suppressed",
                len(self.held),
                text,
            )
            self.ours.add(text)
            ours += self.held
            self.text, self.held = "", []
        return blamed

    def _broken(self) -> list[Outcome]:
        blamed, self.text, self.held = self.held, "", []
        return blamed


class Breaker:
    """Refusals of us in a row, across the threads of one send: at SAME_REFUSALS the send
    pauses (`Sender._pause`), rather than open a transaction a reader against a relay that
    refuses us all (relaying denied, auth missing, our DKIM or IP refused) until the window
    closes. A reply about a reader (sent, no such user, mailbox full) breaks the row; a 4xx or
    a message too big neither counts nor breaks it. Closed again at each `run_available`: the
    send then tries again, after the pause."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.run = 0
        self.tripped = False
        # Set once the pause is decided (`Sender.held`): the threads then stop sending.
        self.open = threading.Event()

    def close(self) -> None:
        with self.lock:
            self.run, self.tripped = 0, False
            self.open.clear()

    def note(self, verdict: Verdict) -> bool:
        """Count one reply; True for the one that trips the breaker."""
        with self.lock:
            if verdict == Verdict.REFUSED_US:
                self.run += 1
            elif verdict not in (Verdict.RETRY, Verdict.REFUSED_MESSAGE):
                self.run = 0
            return self.run >= SAME_REFUSALS and self._trip()

    def trip(self) -> bool:
        """Trip it (Refusals judged a run of refusals ours); True if it was not tripped."""
        with self.lock:
            return self._trip()

    def _trip(self) -> bool:
        was, self.tripped = self.tripped, True
        return not was


@dataclass
class Tally:
    counts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcomes: list[Outcome]) -> None:
        with self.lock:
            for o in outcomes:
                self.counts[o.state] = self.counts.get(o.state, 0) + 1


class Sender:
    def __init__(
        self,
        *,
        digest_id: int,
        channel: Channel,
        threads: int | None = None,
        on_progress: Callable[[list[Outcome]], None] | None = None,
        stop: Stop | None = None,
        tally: Tally | None = None,
    ) -> None:
        """`tally`: where this sender counts its own outcomes by state (a new one if None)."""
        config = settings.CONFIG
        self.digest_id = digest_id
        self.channel = channel
        self.owner = new_owner()
        self.threads = max(1, threads or int(config["HEADLINES_DELIVERY_THREADS"]))
        self.batch = max(1, int(config["HEADLINES_DELIVERY_BATCH"]))
        self.flush = max(1, int(config["HEADLINES_DELIVERY_FLUSH"]))
        self.on_progress = on_progress
        self.segments = Segments(digest_get(digest_id=digest_id))
        self.tally = tally if tally is not None else Tally()
        self.journal = journal.Journal(self.owner)
        # Dead senders' journals, read once each when their rows are taken over.
        self.journals: dict[str, dict[int, journal.Accepted]] = {}
        self.journals_lock = threading.Lock()
        self.errors: list[BaseException] = []
        self.refusals = Refusals()
        self.breaker = Breaker()
        self.held: ledger.Hold | None = None  # the last pause (`_pause`)
        self.done = threading.Event()
        self.stop: Stop = stop or threading.Event()

    def run_available(self) -> Tally:
        """Send everything claimable now, on `threads` threads; return when none is left."""
        beat = threading.Thread(target=self._heartbeat, name="headlines-send-beat", daemon=True)
        self.done.clear()
        self.breaker.close()
        journal.tidy()
        beat.start()
        recorded = False
        try:
            self._run_threads()
            recorded = not self.errors
            self._bounced(self.refusals.end())
        finally:
            self.done.set()
            beat.join()
            if recorded:  # every reply is in the ledger; with an error some may not be
                self.journal.remove()
        if self.errors:
            raise self.errors[0]
        return self.tally

    def _heartbeat(self) -> None:
        """Renew the leases of the rows this sender holds every quarter lease, so a short lease
        (a dead sender's rows return within seconds) never runs out under a live one."""
        every = max(0.2, int(settings.CONFIG["HEADLINES_DELIVERY_LEASE_SECONDS"]) / 4)
        try:
            while not self.done.wait(every):
                try:
                    ledger.renew(digest_id=self.digest_id, owner=self.owner, now=clock.now())
                except Exception:
                    log.exception("could not renew delivery leases")
        finally:
            connections.close_all()

    def _run_threads(self) -> None:
        if self.threads == 1:
            self._loop()
        else:
            workers = [
                threading.Thread(target=self._thread, name=f"headlines-send-{n}", daemon=True)
                for n in range(self.threads)
            ]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()

    def _thread(self) -> None:
        try:
            self._loop()
        except BaseException as exc:
            log.exception("sender thread failed")
            self.errors.append(exc)
        finally:
            connections.close_all()

    def _loop(self) -> None:
        while not self.stop.is_set() and not self.breaker.open.is_set():
            settled: list[Outcome] = []
            claimed = ledger.claim(
                digest_id=self.digest_id,
                owner=self.owner,
                limit=self.batch,
                now=clock.now(),
                settle=functools.partial(self._accepted_before, into=settled),
            )
            self._counted(settled)
            if not claimed and not settled:
                return
            self._send_batch(claimed)

    def _send_batch(self, claimed: list[Claimed]) -> None:
        # The audience is read again for every HEADLINES_DELIVERY_FLUSH messages, right before
        # they go: a bounce or an unsubscribe recorded while this batch is being sent stops the
        # messages not yet sent (a batch can take minutes behind a slow relay). The replies in
        # hand are written at the chunk's end, or sooner once RECORD_SECONDS have passed.
        for start in range(0, len(claimed), self.flush):
            chunk = claimed[start : start + self.flush]
            readers = audience.audience_recipients(
                subscription_ids=[c.subscription_id for c in chunk]
            )
            pending: list[Outcome] = []
            written = time.monotonic()
            for n, item in enumerate(chunk):
                if self.stop.is_set() or self.breaker.open.is_set():
                    self._record(pending)
                    self._give_back(chunk[n:] + claimed[start + self.flush :])
                    return
                reader = readers.get(item.subscription_id)
                if reader is None or reader.refusal:
                    reason = reader.refusal if reader else "no longer subscribed"
                    pending.append(Outcome(item.id, State.SUPPRESSED, None, reason))
                else:
                    pending.append(self._send_one(item, reader))
                if time.monotonic() - written >= RECORD_SECONDS:
                    self._record(pending)
                    pending = []
                    written = time.monotonic()
            self._record(pending)

    def _send_one(self, item: Claimed, reader: Recipient) -> Outcome:
        try:
            message = self.segments.template(reader.topics).render(reader)
        except Exception as exc:  # a malformed stored address must not stop the batch
            return Outcome(item.id, State.FAILED, None, f"could not build the message: {exc}")
        reply = self.channel.deliver(message)
        outcome = classify(item, reply, now=clock.now())
        if outcome.state == State.SENT:
            self.journal.accepted(
                item.id, code=outcome.code, reply=outcome.reply, relay=outcome.relay
            )
        if self.breaker.note(reply.verdict):
            self._pause(reply.code, reply.text, attempts=item.attempts)
        return outcome

    def _pause(self, code: int | None, text: str, *, attempts: int) -> None:
        """The relay refuses us (the breaker just tripped): every row of the digest due before
        the usual backoff is over waits until then, deferred with the relay's reply, addresses
        taken out; this sender's threads defer the rows they claimed and stop (`_give_back`).
        Logged, and shown to staff as what holds the digest back (the dashboard, Digest
        deliveries)."""
        reply = without_addresses(text)
        self.held = ledger.Hold(
            until=clock.now() + backoff(attempts),
            code=code,
            reply=f"{reply} (held back: the relay refused the readers before it so)",
        )
        self.breaker.open.set()
        deferred = ledger.hold_due(digest_id=self.digest_id, held=self.held, now=clock.now())
        log.warning(
            "%s: the relay refuses us (%r to %d readers in a row; nobody blamed): sending "
            "paused until %s, %d more readers deferred; they are retried until their window "
            "closes",
            digest_get(digest_id=self.digest_id),
            reply,
            SAME_REFUSALS,
            f"{self.held.until:%H:%M:%S} UTC",
            deferred,
        )

    def _accepted_before(self, taken_from: dict[int, str], *, into: list[Outcome]) -> list[Outcome]:
        """Rows taken over from senders that died before recording them, whose journals on this
        machine say the relay accepted them: sent, not to be sent again (`ledger.claim` records
        them). Also left in `into`, to be counted once the claim has committed."""
        with self.journals_lock:
            # Its own rows, if a heartbeat failed for a whole lease: its journal read afresh.
            self.journals.pop(self.owner[:64], None)
            into[:] = journal.settled(taken_from, read_from=self.journals)
        return into

    def _give_back(self, unsent: list[Claimed]) -> None:
        """Claimed but never handed to the channel: due again at once, for any sender; or, the
        relay refusing us (the breaker open), deferred with the others (`_pause`)."""
        ids = [c.id for c in unsent]
        if self.held is not None and self.breaker.open.is_set() and not self.stop.is_set():
            ledger.hold(owner=self.owner, ids=ids, held=self.held)
        else:
            ledger.release(owner=self.owner, ids=ids)

    def _record(self, outcomes: list[Outcome]) -> None:
        if not outcomes:
            return
        ledger.record(owner=self.owner, outcomes=outcomes, now=clock.now())
        soft = [o for o in outcomes if o.bounce == "soft"]
        blamed, ours = self.refusals.add(outcomes)
        self._bounced(soft + blamed)
        if ours:
            self._retry_ours(ours)
        self._counted(outcomes)

    def _retry_ours(self, ours: list[Outcome]) -> None:
        """Refusals recorded as the readers' that Refusals now judges ours: retried as any
        refusal of us is (after the pause), and the send paused as the breaker pauses it."""
        first = ours[0]
        if self.breaker.trip():
            self._pause(first.code, first.reply, attempts=1)
        until = self.held.until if self.held else clock.now() + backoff(1)
        ledger.reopen(owner=self.owner, ids=[o.delivery_id for o in ours], until=until)

    def _bounced(self, outcomes: list[Outcome]) -> None:
        from headlines.delivery.bounces import bounce_record_refusal

        for outcome in outcomes:
            bounce_record_refusal(
                delivery_id=outcome.delivery_id, reply=outcome.reply, kind=outcome.bounce
            )

    def _counted(self, outcomes: list[Outcome]) -> None:
        """Outcomes now in the ledger, for the tally and the progress report."""
        if not outcomes:
            return
        self.tally.add(outcomes)
        if self.on_progress is not None:
            self.on_progress(outcomes)


def backoff(attempts: int) -> dt.timedelta:
    base = float(settings.CONFIG["HEADLINES_RETRY_BASE_SECONDS"])
    cap = float(settings.CONFIG["HEADLINES_RETRY_MAX_SECONDS"])
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def classify(item: Claimed, reply: Reply, *, now: dt.datetime) -> Outcome:
    """Where a channel's verdict sends the row: sent, failed (refused) or deferred (retry).

    A full mailbox (`soft_bounce`) is retried as a 4xx is, until the reader's window closes,
    and noted as a soft bounce: it was a hard bounce, and one full evening suppressed the
    reader for good. A refusal of us (`refused_us`: relaying denied, our DKIM refused) is
    retried the same way, blaming nobody: it failed at once, and a relay misconfigured for an
    hour lost the digest for every reader even once it was fixed."""
    if reply.verdict == Verdict.SENT:
        return Outcome(item.id, State.SENT, reply.code, reply.text, reply.relay)
    if reply.verdict in (Verdict.REFUSED_READER, Verdict.REFUSED_MESSAGE):
        return Outcome(
            item.id,
            State.FAILED,
            reply.code,
            reply.text,
            reply.relay,
            bounce="hard" if reply.verdict == Verdict.REFUSED_READER else "",
        )
    bounce = "soft" if reply.verdict == Verdict.SOFT_BOUNCE else ""
    retry_at = now + backoff(item.attempts)
    if retry_at >= item.deadline:
        return Outcome(
            item.id,
            State.FAILED,
            reply.code,
            f"{ledger.RAN_OUT}{reply.text}",
            reply.relay,
            bounce=bounce,
        )
    return Outcome(
        item.id,
        State.DEFERRED,
        reply.code,
        reply.text,
        reply.relay,
        retry_at=retry_at,
        bounce=bounce,
    )
