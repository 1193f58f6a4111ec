from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from typing import Any

import pytest

from headlines.core import mail
from headlines.core.errors import Conflict
from headlines.core.messenger import SendResult
from headlines.delivery import services
from headlines.delivery.models import Delivery
from headlines.delivery.selectors import digest_progress
from headlines.digests.models import Digest
from headlines.subscriptions.models import Subscription, Suppression
from headlines.subscriptions.services import subscription_unsubscribe, suppression_add
from tests.conftest import SMTPPeer
from tests.delivery import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_send_now_mails_every_confirmed_reader_once(smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition()
    factories.readers(ed, 45)
    factories.reader(ed, status="pending", email="pending@example.org")
    gone = factories.reader(ed, status="unsubscribed", email="gone@example.org")
    digest = factories.digest(ed)

    totals = services.delivery_send_now(digest_id=digest.pk)

    received = Counter(m.recipients[0] for m in smtp_messenger.received)
    assert len(received) == 45 and set(received.values()) == {1}
    assert "pending@example.org" not in received and gone.subscriber.email not in received
    assert (totals.sent, totals.remaining, totals.failed) == (45, 0, 0)
    digest.refresh_from_db()
    assert digest.state == Digest.State.SENT


def test_running_it_again_sends_nothing_twice_and_reaches_new_readers(
    smtp_messenger: SMTPPeer,
) -> None:
    ed = factories.edition()
    factories.readers(ed, 10)
    digest = factories.digest(ed)
    services.delivery_send_now(digest_id=digest.pk)
    late = factories.reader(ed, email="late@example.org")

    services.delivery_send_now(digest_id=digest.pk)

    received = Counter(m.recipients[0] for m in smtp_messenger.received)
    assert len(received) == 11 and set(received.values()) == {1}
    assert received[late.subscriber.email] == 1


def test_readers_who_join_while_it_runs_get_it_in_the_same_run(
    smtp_messenger: SMTPPeer,
) -> None:
    ed = factories.edition()
    factories.readers(ed, 20)
    digest = factories.digest(ed)
    relay = mail.get_messenger()
    joined: list[str] = []

    class SignUpMeanwhile:  # the relay's first message: a reader is confirmed meanwhile
        def send(self, **message: Any) -> SendResult:
            if not joined:
                joined.append(factories.reader(ed, email="joined@example.org").subscriber.email)
            return relay.send(**message)

        def close(self) -> None:
            relay.close()

    totals = services.delivery_send_now(digest_id=digest.pk, messenger=SignUpMeanwhile(), threads=1)

    received = Counter(m.recipients[0] for m in smtp_messenger.received)
    assert joined and received["joined@example.org"] == 1
    assert len(received) == 21 and set(received.values()) == {1}
    assert (totals.sent, totals.remaining) == (21, 0)


def test_a_draft_is_refused_and_nothing_is_queued() -> None:
    ed = factories.edition()
    factories.readers(ed, 3)
    digest = factories.digest(ed, state="draft")
    with pytest.raises(Conflict, match="approve"):
        services.delivery_send_now(digest_id=digest.pk)
    assert not Delivery.objects.exists()


def test_suppressed_and_unsubscribed_readers_are_not_mailed(smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition()
    kept = factories.reader(ed, email="kept@example.org")
    bounced = factories.reader(ed, email="bounced@example.org")
    factories.reader(ed, email="left@example.org")
    digest = factories.digest(ed)
    suppression_add(email="Bounced@Example.org", reason=Suppression.Reason.HARD_BOUNCE)
    from headlines.core import clock
    from headlines.delivery import ledger

    ledger.fill(digest=digest, now=clock.now(), send_now=True)
    # The reader leaves after the ledger was filled: the send must still notice.
    from headlines.subscriptions.models import Subscription

    Subscription.objects.filter(subscriber__email="left@example.org").update(
        status=Subscription.Status.UNSUBSCRIBED
    )

    totals = services.delivery_send_now(digest_id=digest.pk)

    assert [m.recipients for m in smtp_messenger.received] == [[kept.subscriber.email]]
    assert (totals.sent, totals.suppressed) == (1, 2)
    assert bounced.deliveries.get().state == Delivery.State.SUPPRESSED
    assert digest_progress(digest_id=digest.pk).remaining == 0


def test_a_reader_who_unsubscribes_while_their_batch_is_going_out_is_not_mailed(
    smtp_messenger: SMTPPeer,
) -> None:
    # One claimed batch of 20 (tests.delivery.conftest), sent behind a slow relay: the reader
    # leaves after the first messages went, long before the batch reaches them.
    ed = factories.edition()
    ids = factories.readers(ed, 20)
    digest = factories.digest(ed)
    relay = mail.get_messenger()
    leaver = Subscription.objects.select_related("subscriber").get(pk=ids[-1])
    sent: list[str] = []

    class LeaveAfterFirst:
        def send(self, **message: Any) -> SendResult:
            if len(sent) == 1:
                subscription_unsubscribe(subscription_id=leaver.pk, source="one_click")
            sent.append(message["recipients"][0])
            return relay.send(**message)

        def close(self) -> None:
            relay.close()

    totals = services.delivery_send_now(digest_id=digest.pk, messenger=LeaveAfterFirst(), threads=1)

    received = {m.recipients[0] for m in smtp_messenger.received}
    assert leaver.subscriber.email not in received and len(received) == 19
    assert (totals.sent, totals.suppressed, totals.remaining) == (19, 1, 0)
    row = leaver.deliveries.get()
    assert (row.state, row.last_reply) == (Delivery.State.SUPPRESSED, "no longer subscribed")


def test_send_now_refreshes_its_progress_from_one_thread_and_seldom_when_counting_is_slow(
    smtp_messenger: SMTPPeer,
) -> None:
    """`headlines send` counts its progress in the ledger, about a second at a million rows; it
    did so every 0.2 s from whichever sender thread flushed, so a thread spent most of its time
    counting instead of sending, and several could count at once."""
    ed = factories.edition()
    factories.readers(ed, 480)
    digest = factories.digest(ed)
    relay = mail.get_messenger()

    class SlowRelay:  # 10 ms a message: over a second on 4 threads
        def send(self, **message: Any) -> SendResult:
            time.sleep(0.01)
            return relay.send(**message)

        def close(self) -> None:
            relay.close()

    calls: list[tuple[float, float]] = []
    inside = threading.Semaphore(1)

    def show(_: Any) -> None:  # a count that takes 50 ms
        assert inside.acquire(blocking=False), "two threads counted at once"
        started = time.monotonic()
        time.sleep(0.05)
        calls.append((started, time.monotonic()))
        inside.release()

    totals = services.delivery_send_now(
        digest_id=digest.pk, messenger=SlowRelay(), threads=4, progress=show
    )

    assert totals.sent == 480
    refreshes = calls[:-1]  # the last is the final count, shown once the send is over
    assert len(refreshes) >= 2
    gaps = [nxt[0] - prev[1] for prev, nxt in itertools.pairwise(refreshes)]
    assert min(gaps) >= 0.5  # ten times the 50 ms the last count took
