"""What a user of the ledger must be able to rely on, in-process: struggling and refusing relays,
and readers who leave or bounce."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from headlines.core import mail
from headlines.core.messenger import SendResult
from headlines.delivery import bounces, ledger, services
from headlines.delivery.message import verp_address
from headlines.delivery.models import BounceEvent, Delivery
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.links import unsubscribe_url
from headlines.subscriptions.models import Subscription, Suppression
from tests.conftest import SMTPPeer
from tests.delivery import factories
from tests.subscriptions.conftest import rows_naming

pytestmark = pytest.mark.django_db(transaction=True)


def counts(peer: SMTPPeer) -> Counter[str]:
    return Counter(m.recipients[0] for m in peer.received)


def test_a_relay_that_struggles_then_recovers_loses_none_and_doubles_none(
    smtp_messenger: SMTPPeer,
) -> None:
    ed = factories.edition()
    factories.readers(ed, 60)
    digest = factories.digest(ed)
    refusals = itertools.count()
    lock = threading.Lock()

    def struggling(rcpt: str) -> str | None:
        with lock:
            n = next(refusals)
        if n < 40:  # the first 40 attempts: a relay under load, then a restarting one
            return "451 4.3.0 busy, try later" if n % 2 else "421 4.3.2 shutting down"
        return None

    smtp_messenger.reply_for = struggling

    totals = services.delivery_send_now(digest_id=digest.pk)

    received = counts(smtp_messenger)
    assert len(received) == 60 and set(received.values()) == {1}
    assert (totals.sent, totals.failed, totals.deferred) == (60, 0, 0)
    assert Delivery.objects.filter(attempts__gt=1).exists()  # the retries really happened


def test_a_relay_that_refuses_some_readers(smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition()
    factories.readers(ed, 20)
    gone = [factories.reader(ed, email=f"gone{n}@example.org") for n in range(3)]
    digest = factories.digest(ed)
    smtp_messenger.reply_for = lambda rcpt: (
        "550 5.1.1 no such user here" if rcpt.startswith("gone") else None
    )

    totals = services.delivery_send_now(digest_id=digest.pk)

    assert (totals.sent, totals.failed) == (20, 3)
    assert not any(r.startswith("gone") for r in counts(smtp_messenger))
    for sub in gone:
        delivery = sub.deliveries.get()
        assert delivery.state == Delivery.State.FAILED
        assert "550 5.1.1 no such user here" in delivery.last_reply
        assert Suppression.objects.filter(
            email_hash=email_hash(sub.subscriber.email), reason="hard_bounce"
        ).exists()
    # The next digest does not even try them.
    smtp_messenger.reply_for = None
    tomorrow = factories.digest(ed, day=digest.date.replace(day=digest.date.day + 1))
    again = services.delivery_send_now(digest_id=tomorrow.pk)
    assert (again.sent, again.suppressed) == (20, 3)


def short_window(monkeypatch: pytest.MonkeyPatch, seconds: float = 1.0) -> None:
    """Each reader's window closes `seconds` after the send starts (3 hours in production)."""
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SEND_WINDOW_HOURS", seconds / 3600)


def test_a_policy_refusal_is_not_blamed_on_the_reader(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    short_window(monkeypatch)
    ed = factories.edition()
    sub = factories.reader(ed)
    digest = factories.digest(ed)
    smtp_messenger.reply_for = lambda rcpt: "550 5.7.1 DKIM signature required"
    totals = services.delivery_send_now(digest_id=digest.pk)
    assert totals.failed == 1
    assert not Suppression.objects.filter(email_hash=email_hash(sub.subscriber.email)).exists()
    assert sub.deliveries.get().last_reply == "retries ran out: 550 5.7.1 DKIM signature required"


def test_a_full_mailbox_is_retried_and_counted_as_one_soft_bounce(
    smtp_messenger: SMTPPeer,
) -> None:
    # "552 5.2.2 mailbox full" was a hard bounce: a reader whose mailbox was full one evening
    # was suppressed for good. Now the message is tried again, as after a 4xx, and gets there
    # once the reader has made room; the refusals count once, as a soft bounce.
    ed = factories.edition()
    sub = factories.reader(ed, email="full@example.org")
    digest = factories.digest(ed)
    tries = itertools.count()
    smtp_messenger.reply_for = lambda rcpt: "552 5.2.2 mailbox full" if next(tries) < 3 else None

    totals = services.delivery_send_now(digest_id=digest.pk)

    assert totals.sent == 1 and counts(smtp_messenger) == {"full@example.org": 1}
    assert not Suppression.objects.filter(email_hash=email_hash(sub.subscriber.email)).exists()
    assert [(b.kind, b.delivery_id) for b in BounceEvent.objects.all()] == [
        ("soft", sub.deliveries.get().pk)
    ]


def test_a_mailbox_full_on_several_evenings_suppresses_at_the_soft_bounce_limit(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Retried until the reader's window closes (a second here), never for ever; each evening's
    # digest counts once toward HEADLINES_SOFT_BOUNCE_LIMIT, like a DSN's delay warnings.
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SEND_WINDOW_HOURS", 0.0003)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SOFT_BOUNCE_LIMIT", 2)
    ed = factories.edition()
    sub = factories.reader(ed, email="full@example.org")
    smtp_messenger.reply_for = lambda rcpt: "552 5.2.2 mailbox full"
    first = factories.digest(ed)
    totals = services.delivery_send_now(digest_id=first.pk)
    assert totals.failed == 1
    assert "retries ran out: 552 5.2.2 mailbox full" in sub.deliveries.get().last_reply
    assert not Suppression.objects.exists()
    second = factories.digest(ed, day=first.date.replace(day=first.date.day + 1))
    services.delivery_send_now(digest_id=second.pk)
    assert Suppression.objects.get().reason == "soft_bounces"
    assert BounceEvent.objects.filter(kind="soft").count() == 2


def test_a_relay_that_will_not_relay_for_us_blames_no_reader(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A relay without enhanced status codes answering "554 Relay access denied" (or "530
    # Authentication required") to every reader was judged a refusal of each reader: every
    # reader of the send was suppressed for good. It is about us: nobody is suppressed.
    short_window(monkeypatch)
    ed = factories.edition()
    subs = [factories.reader(ed) for _ in range(3)]
    digest = factories.digest(ed)
    smtp_messenger.reply_for = lambda rcpt: f"554 <{rcpt}>: Relay access denied"
    totals = services.delivery_send_now(digest_id=digest.pk)
    assert totals.failed == 3
    assert not Suppression.objects.exists() and not BounceEvent.objects.exists()
    assert all(s.deliveries.get().state == Delivery.State.FAILED for s in subs)


def test_a_relay_that_refuses_every_reader_alike_blames_none_of_them(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A smarthost that takes itself for every domain's last stop answers each reader with
    # its own "no such user", enhanced code and all: every reader of the send was suppressed
    # for good. The same words, addresses aside, for reader after reader are about us.
    short_window(monkeypatch)
    ed = factories.edition()
    factories.readers(ed, 12)
    digest = factories.digest(ed)
    smtp_messenger.reply_for = lambda rcpt: (
        f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table"
    )
    totals = services.delivery_send_now(digest_id=digest.pk)
    assert totals.failed == 12
    assert not Suppression.objects.exists() and not BounceEvent.objects.exists()


def test_readers_refused_in_a_row_but_fewer_than_a_relay_refusing_us_are_blamed(
    smtp_messenger: SMTPPeer,
) -> None:
    ed = factories.edition()
    factories.readers(ed, 5)
    gone = [factories.reader(ed, email=f"gone{n}@example.org") for n in range(4)]
    digest = factories.digest(ed)
    smtp_messenger.reply_for = lambda rcpt: (
        f"550 5.1.1 <{rcpt}>: User unknown" if rcpt.startswith("gone") else None
    )
    totals = services.delivery_send_now(digest_id=digest.pk, threads=1)
    assert (totals.sent, totals.failed) == (5, 4)
    assert (
        Suppression.objects.filter(
            email_hash__in=[email_hash(s.subscriber.email) for s in gone], reason="hard_bounce"
        ).count()
        == 4
    )


def test_a_refused_envelope_sender_is_not_blamed_on_the_readers(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A relay that refuses MAIL FROM (a bounce domain that does not resolve, a sender it will
    # not relay for) refuses before any reader is named: with no 5.7.x in its reply, every
    # reader of the send was suppressed for good, as if each address had bounced.
    short_window(monkeypatch)
    ed = factories.edition()
    subs = [factories.reader(ed), factories.reader(ed)]
    digest = factories.digest(ed)
    smtp_messenger.mail_reply = "553 5.1.8 Sender address rejected: Domain not found"
    totals = services.delivery_send_now(digest_id=digest.pk)
    assert totals.failed == 2 and not Suppression.objects.exists()
    assert {r.last_reply for r in Delivery.objects.filter(subscription__in=subs)} == {
        "retries ran out: 553 5.1.8 Sender address rejected: Domain not found"
    }


RELAY_DENIED = "554 5.7.1 <{rcpt}>: Relay access denied"
# A smarthost that takes itself for every domain's last stop: each reader's own "no such
# user", judged ours only once five readers in a row get it (sender.Refusals).
NOT_LOCAL = "550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in local recipient table"


@pytest.mark.parametrize("refusal", [RELAY_DENIED, NOT_LOCAL])
def test_a_relay_that_refuses_us_until_it_is_fixed_within_the_window_mails_every_reader_once(
    smtp_messenger: SMTPPeer, refusal: str
) -> None:
    # A relay misconfigured for the first minutes of the evening (relaying denied to our
    # host, our DKIM refused) failed every reader it refused for good: fixed minutes later,
    # and with `headlines send` run again, those readers never got the digest. They are the
    # relay's refusals of us, retried as a 4xx is until the window closes.
    ed = factories.edition()
    factories.readers(ed, 40)
    digest = factories.digest(ed)
    refused = itertools.count()
    lock = threading.Lock()

    def misconfigured(rcpt: str) -> str | None:
        with lock:
            return refusal.format(rcpt=rcpt) if next(refused) < 15 else None

    smtp_messenger.reply_for = misconfigured

    totals = services.delivery_send_now(digest_id=digest.pk)

    received = counts(smtp_messenger)
    assert len(received) == 40 and set(received.values()) == {1}
    assert (totals.sent, totals.failed, totals.remaining) == (40, 0, 0)
    assert not Suppression.objects.exists() and not BounceEvent.objects.exists()


def test_a_relay_that_refuses_us_until_the_window_closes_fails_every_reader_with_its_reply(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three seconds, not one: the retry is the last try at the window's close, and on a loaded
    # machine (CI's three suites side by side) the first readers' first try came after a
    # one-second window had closed, so nobody was tried twice.
    short_window(monkeypatch, 3.0)
    ed = factories.edition()
    factories.readers(ed, 30)
    digest = factories.digest(ed)
    smtp_messenger.reply_for = lambda rcpt: RELAY_DENIED.format(rcpt=rcpt)

    totals = services.delivery_send_now(digest_id=digest.pk)

    assert (totals.failed, totals.sent, totals.suppressed) == (30, 0, 0)
    replies = list(Delivery.objects.values_list("last_reply", flat=True))
    assert all(r.startswith("retries ran out: 554 5.7.1 <") for r in replies), replies
    assert not any("Relay access denied" not in r for r in replies)
    assert not Suppression.objects.exists() and not BounceEvent.objects.exists()
    assert Delivery.objects.filter(attempts__gt=1).exists()  # retried, not failed at once

    # Fixed after the window: `headlines send` brings every one of them back, once each.
    smtp_messenger.reply_for = None
    again = services.delivery_send_now(digest_id=digest.pk)
    assert (again.sent, again.failed) == (30, 0)
    assert len(counts(smtp_messenger)) == 30 and set(counts(smtp_messenger).values()) == {1}


def test_a_send_that_meets_refusals_of_us_pauses_rather_than_try_every_reader(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Retried refusals of us must not mean a transaction a reader every backoff: after five
    # readers in a row refused so, the send defers the rest, untried, until the backoff is
    # over, says so, and shows staff the relay's reply.
    from headlines.staff.dashboard import staff_dashboard

    short_window(monkeypatch, 1.5)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_RETRY_BASE_SECONDS", 0.3)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_RETRY_MAX_SECONDS", 0.3)
    ed = factories.edition()
    factories.readers(ed, 200)
    digest = factories.digest(ed)
    tried = itertools.count()
    shown: list[str] = []

    def look() -> None:
        try:
            shown.extend(row.held_back for row in staff_dashboard().panels[0].digests)
        finally:
            connections.close_all()

    def denied(rcpt: str) -> str:
        next(tried)
        return RELAY_DENIED.format(rcpt=rcpt)

    pause = ledger.hold_due

    def pause_then_look(**kwargs: Any) -> int:
        # Staff look once the pause is written, while the readers wait (from a thread of its
        # own, with its own connection): at the ninth transaction, as this looked before, a
        # pause that came soon enough left no ninth, and staff never looked.
        deferred = pause(**kwargs)
        staff = threading.Thread(target=look)
        staff.start()
        staff.join()
        return deferred

    monkeypatch.setattr(ledger, "hold_due", pause_then_look)
    smtp_messenger.reply_for = denied

    with caplog.at_level("WARNING", logger="headlines.delivery.sender"):
        totals = services.delivery_send_now(digest_id=digest.pk)

    transactions = next(tried)
    assert transactions < 100, f"{transactions} transactions for 200 readers"
    assert (totals.failed, totals.sent) == (200, 0)
    assert not Suppression.objects.exists() and not BounceEvent.objects.exists()
    held = Delivery.objects.filter(last_reply__contains="held back").count()
    assert held > 100  # never tried this evening, failed with the reply that held them back
    replies = set(Delivery.objects.values_list("last_reply", flat=True))
    assert all(r.startswith("retries ran out: 554 5.7.1 ") for r in replies), replies
    warnings = [r.getMessage() for r in caplog.records if "refuses us" in r.getMessage()]
    assert warnings and "554 5.7.1 <(address)>: Relay access denied" in warnings[0]
    assert "sending paused until" in warnings[0]
    assert shown and shown[0].startswith("554 5.7.1 <(address)>: Relay access denied")


def test_a_message_too_big_for_the_relay_fails_at_once_and_blames_nobody(
    smtp_messenger: SMTPPeer,
) -> None:
    # 5.3.4: the same bytes to the same relay are refused again, so it is not retried (unlike
    # a refusal of us, which tonight's fix of the relay can end), and no reader is blamed.
    ed = factories.edition()
    factories.readers(ed, 6)
    digest = factories.digest(ed)
    tried = itertools.count()

    def too_big(rcpt: str) -> str:
        next(tried)
        return "552 5.3.4 Message size exceeds fixed maximum message size"

    smtp_messenger.reply_for = too_big
    totals = services.delivery_send_now(digest_id=digest.pk)
    assert (totals.failed, next(tried)) == (6, 6)
    assert set(Delivery.objects.values_list("last_reply", flat=True)) == {
        "552 5.3.4 Message size exceeds fixed maximum message size"
    }
    assert not Suppression.objects.exists() and not BounceEvent.objects.exists()


def _one_click(client: Client, sub: Subscription) -> None:
    """The RFC 8058 POST a mail client makes from List-Unsubscribe: no cookie, no CSRF token."""
    response = client.post(
        unsubscribe_url(sub.pk),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        HTTP_HOST="127.0.0.1",
    )
    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.UNSUBSCRIBED


DSN = """From: MAILER-DAEMON@mx.example.org
To: {verp}
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

Your message could not be delivered.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; {rcpt}
Original-Recipient: rfc822; {rcpt}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--b1--
"""


def test_one_click_unsubscribe_and_a_hard_bounce_stop_the_very_next_send(
    smtp_messenger: SMTPPeer,
) -> None:
    ed = factories.edition()
    leaving = factories.reader(ed, email="leaving@example.org")
    bouncing = factories.reader(ed, email="bouncing@example.org")
    factories.reader(ed, email="staying@example.org")
    first = factories.digest(ed)
    services.delivery_send_now(digest_id=first.pk)
    assert len(counts(smtp_messenger)) == 3

    _one_click(Client(enforce_csrf_checks=True), leaving)
    verp = verp_address(digest_id=first.pk, subscription_id=bouncing.pk, domain="news.example")
    report = bounces.bounce_process(
        raw=DSN.format(verp=verp, rcpt="bouncing@example.org").encode(), recipients=[verp]
    )
    assert report.kind == "hard" and report.suppressed == ("bouncing@example.org",)

    smtp_messenger.received.clear()
    second = factories.digest(ed, day=first.date.replace(day=first.date.day + 1))
    services.delivery_send_now(digest_id=second.pk)
    assert list(counts(smtp_messenger)) == ["staying@example.org"]


def test_a_refusal_that_names_the_reader_leaves_no_trace_of_them_after_erasure(
    smtp_messenger: SMTPPeer,
) -> None:
    # Relays name the address in their refusal; it was kept word for word in the bounce's and
    # the suppression's detail, beside the keyed hash, and outlived the reader's erasure.
    from headlines.delivery.models import BounceEvent
    from headlines.subscriptions.preferences import subscriber_erase

    ed = factories.edition()
    sub = factories.reader(ed, email="Gone.Reader@Example.org")
    digest = factories.digest(ed)
    smtp_messenger.reply_for = lambda rcpt: (
        f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"
    )
    assert services.delivery_send_now(digest_id=digest.pk).failed == 1
    suppression = Suppression.objects.get(email_hash=email_hash("Gone.Reader@example.org"))
    assert suppression.reason == "hard_bounce"
    assert "Recipient address rejected" in suppression.detail
    assert "5.1.1 <(address)>" in BounceEvent.objects.get().detail
    assert set(rows_naming("gone.reader@example.org")) <= {
        "Subscriber.email",
        "Delivery.last_reply",
    }

    subscriber_erase(subscriber_id=sub.subscriber_id)

    assert rows_naming("gone.reader@example.org") == []
    assert Suppression.objects.filter(email_hash=suppression.email_hash).exists()


def test_a_relay_slower_to_accept_than_the_connection_timeout_gets_each_message_once(
    smtp_peer: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A relay that scans each message before its 250 (1.5 s here, against a 0.5 s timeout for
    # everything else): giving up on the reply would send the message again, and again at
    # each retry until the window (10 s here) closed.
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SEND_WINDOW_HOURS", 10 / 3600)
    ed = factories.edition()
    factories.readers(ed, 3)
    digest = factories.digest(ed)
    smtp_peer.data_delay = 1.5
    relay = mail.SMTPMessenger(mail.parse_smtp_urls(smtp_peer.url), timeout=0.5)

    try:
        totals = services.delivery_send_now(digest_id=digest.pk, messenger=relay, threads=3)
    finally:
        relay.close()

    assert sorted(counts(smtp_peer).values()) == [1, 1, 1]
    assert (totals.sent, totals.remaining) == (3, 0)


def test_behind_a_slow_relay_each_reply_is_in_the_ledger_before_the_next_message_goes(
    smtp_messenger: SMTPPeer,
) -> None:
    # Replies were written every HEADLINES_DELIVERY_FLUSH (5 here) messages a thread: a sender
    # killed behind a slow relay left up to that many readers per thread mailed with no row
    # saying so, to be mailed again. A thread now writes what it holds once a tenth of a second
    # has passed since its last write: with 0.15 s a message, every reply before the next send.
    ed = factories.edition()
    factories.readers(ed, 7)
    digest = factories.digest(ed)
    relay = mail.get_messenger()
    written_before: list[int] = []

    class Slow:
        def send(self, **message: Any) -> SendResult:
            written_before.append(Delivery.objects.filter(state=Delivery.State.SENT).count())
            time.sleep(0.15)
            return relay.send(**message)

        def close(self) -> None:
            relay.close()

    totals = services.delivery_send_now(digest_id=digest.pk, messenger=Slow(), threads=1)

    assert written_before == list(range(7))
    assert (totals.sent, totals.remaining) == (7, 0)
    assert set(counts(smtp_messenger).values()) == {1}
