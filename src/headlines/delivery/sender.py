"""The sending engine: threads that claim batches, render, hand to the messenger, record replies.

The same engine runs inside `headlines send`, an embedded worker thread and a Celery task. It
sees two narrow interfaces: the ledger (database) and a `Messenger`. Replies are written back
every HEADLINES_DELIVERY_FLUSH messages, so a sender killed at any instant leaves at most that
many messages per thread accepted by the relay but not yet marked sent; their lease expires and
they go again (the only way a reader can get a digest twice).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections

from headlines.core import clock
from headlines.core.mail import Messenger, SendResult
from headlines.delivery import ledger
from headlines.delivery.ledger import Claimed, Outcome
from headlines.delivery.message import DigestTemplate
from headlines.delivery.models import Delivery
from headlines.digests.selectors import digest_get
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import Suppression

log = logging.getLogger(__name__)
State = Delivery.State


def new_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def is_hard_bounce(result: SendResult) -> bool:
    """A 5xx about the recipient. 5.7.x (policy: our DKIM, our reputation) and 5.3.4 (size)
    are about us, not the reader, and must not suppress them."""
    reply = result.reply.strip()
    return result.permanent_failure and not reply.startswith(("5.7.", "5.3.4"))


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
        messenger: Messenger,
        threads: int | None = None,
        on_progress: Callable[[list[Outcome]], None] | None = None,
    ) -> None:
        config = settings.CONFIG
        self.digest_id = digest_id
        self.messenger = messenger
        self.owner = new_owner()
        self.threads = max(1, threads or int(config["HEADLINES_DELIVERY_THREADS"]))
        self.batch = max(1, int(config["HEADLINES_DELIVERY_BATCH"]))
        self.flush = max(1, int(config["HEADLINES_DELIVERY_FLUSH"]))
        self.on_progress = on_progress
        self.template = DigestTemplate.for_digest(digest_get(digest_id=digest_id))
        self.tally = Tally()
        self.errors: list[BaseException] = []
        self.done = threading.Event()

    def run_available(self) -> Tally:
        """Send everything claimable now, on `threads` threads; return when none is left."""
        beat = threading.Thread(target=self._heartbeat, name="headlines-send-beat", daemon=True)
        self.done.clear()
        beat.start()
        try:
            self._run_threads()
        finally:
            self.done.set()
            beat.join()
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
        while True:
            claimed = ledger.claim(
                digest_id=self.digest_id, owner=self.owner, limit=self.batch, now=clock.now()
            )
            if not claimed:
                return
            self._send_batch(claimed)

    def _send_batch(self, claimed: list[Claimed]) -> None:
        # Suppression is read once per batch, right before its messages go: a bounce or an
        # unsubscribe recorded before this claim stops this send.
        hashes = {c.id: email_hash(c.email) for c in claimed}
        suppressed = set(
            Suppression.objects.filter(email_hash__in=set(hashes.values())).values_list(
                "email_hash", flat=True
            )
        )
        pending: list[Outcome] = []
        for item in claimed:
            if not item.confirmed:
                pending.append(Outcome(item.id, State.SUPPRESSED, None, "no longer subscribed"))
            elif hashes[item.id] in suppressed:
                pending.append(Outcome(item.id, State.SUPPRESSED, None, "address is suppressed"))
            else:
                pending.append(self._send_one(item))
            if len(pending) >= self.flush:
                self._record(pending)
                pending = []
        self._record(pending)

    def _send_one(self, item: Claimed) -> Outcome:
        try:
            message = self.template.render(subscription_id=item.subscription_id, email=item.email)
        except Exception as exc:  # a malformed stored address must not stop the batch
            return Outcome(item.id, State.FAILED, None, f"could not build the message: {exc}")
        result = self.messenger.send(
            envelope_from=message.envelope_from, recipients=[item.email], raw=message.raw
        )
        return classify(item, result, now=clock.now())

    def _record(self, outcomes: list[Outcome]) -> None:
        if not outcomes:
            return
        ledger.record(owner=self.owner, outcomes=outcomes, now=clock.now())
        for outcome in outcomes:
            if outcome.state == State.FAILED and outcome.hard_bounce:
                from headlines.delivery.bounces import bounce_record_refusal

                bounce_record_refusal(delivery_id=outcome.delivery_id, reply=outcome.reply)
        self.tally.add(outcomes)
        if self.on_progress is not None:
            self.on_progress(outcomes)


def backoff(attempts: int) -> dt.timedelta:
    base = float(settings.CONFIG["HEADLINES_RETRY_BASE_SECONDS"])
    cap = float(settings.CONFIG["HEADLINES_RETRY_MAX_SECONDS"])
    return dt.timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def classify(item: Claimed, result: SendResult, *, now: dt.datetime) -> Outcome:
    """Where a relay's reply sends the row: 2xx sent, 5xx failed, anything else deferred."""
    reply = f"{result.code} {result.reply}"
    if result.accepted:
        return Outcome(item.id, State.SENT, result.code, reply, result.relay)
    if result.permanent_failure:
        return Outcome(
            item.id,
            State.FAILED,
            result.code,
            reply,
            result.relay,
            hard_bounce=is_hard_bounce(result),
        )
    retry_at = now + backoff(item.attempts)
    if retry_at >= item.deadline:
        return Outcome(
            item.id, State.FAILED, result.code, f"retries ran out: {reply}", result.relay
        )
    return Outcome(item.id, State.DEFERRED, result.code, reply, result.relay, retry_at=retry_at)
