"""Webhooks end to end: a change leaves a ledger row in its own transaction; the runner signs and
sends it to a real receiver, retries while the receiver is down, and gives up after 24 h."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable

import pytest
from django.db import transaction
from standardwebhooks import Webhook

from headlines.core import events
from headlines.core.events import EVENTS
from headlines.intake.fetching.addresses import AddressPolicy
from headlines.subscriptions import services as subscriptions
from headlines.subscriptions.models import Subscriber
from headlines.webhooks.models import Endpoint, Message
from headlines.webhooks.runner import signed_headers, webhooks_deliver_due
from headlines.webhooks.services import (
    webhook_endpoint_add,
    webhook_endpoint_enable,
    webhook_endpoint_remove,
    webhook_endpoint_update,
)
from headlines.webhooks.transport import HttpTransport, Reply
from tests import factories
from tests.webhooks.conftest import Receiver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loopback_allowed")]


def _sign_up(edition_id: int, email: str = "reader@example.com") -> None:
    subscriptions.subscription_request(
        email=email, edition_id=edition_id, marketing=False, source="form"
    )


def test_a_sign_up_reaches_the_receiver_signed(receiver: Receiver, now) -> None:
    edition = factories.edition(slug="us")
    endpoint = webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    _sign_up(edition.pk)
    assert webhooks_deliver_due() == {"delivered": 1, "retrying": 0, "failed": 0, "deferred": 0}
    [hit] = receiver.received
    payload = Webhook(endpoint.secret).verify(hit.body, hit.headers)
    assert payload["type"] == "subscriber.created"
    assert payload["data"] == {"email": "reader@example.com", "edition": "us", "status": "pending"}
    assert hit.headers["webhook-id"] == Message.objects.get().msg_id
    forged = dict(hit.headers, **{"webhook-signature": "v1,AAAA"})
    with pytest.raises(Exception, match="signature"):
        Webhook(endpoint.secret).verify(hit.body, forged)


def test_events_published_together_are_recorded_at_one_cost(receiver: Receiver, now) -> None:
    # A CSV import's readers are told of together: the endpoints are read and the messages
    # written once for the batch, not once a reader.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from headlines.core import events

    webhook_endpoint_add(url=receiver.url, events="subscriber.confirmed")
    webhook_endpoint_add(url=f"{receiver.url}/second", events="subscriber.confirmed")
    readers = [
        {"email": f"r{n}@example.com", "edition": "us", "status": "confirmed"} for n in range(1, 51)
    ]
    with CaptureQueriesContext(connection) as made:
        events.publish_all(events.SUBSCRIBER_CONFIRMED, readers)
    reads = [q for q in made.captured_queries if "webhooks_endpoint" in q["sql"].split("WHERE")[0]]
    assert len(reads) == 1, reads  # once for the 50, not once a reader
    assert len(made) < 10  # the 100 messages in a few inserts (SQLite's batches), one enqueue
    assert Message.objects.count() == 100
    told = sorted(
        m.payload["data"]["email"] for m in Message.objects.filter(endpoint__url=receiver.url)
    )
    assert told == sorted(r["email"] for r in readers)


def test_only_the_events_an_endpoint_asked_for_are_sent(receiver: Receiver, now) -> None:
    edition = factories.edition(slug="us")
    webhook_endpoint_add(url=receiver.url, events=["subscriber.confirmed"])
    _sign_up(edition.pk)
    assert not Message.objects.exists()


def test_an_event_is_stored_only_if_its_change_is(receiver: Receiver, now) -> None:
    edition = factories.edition(slug="us")
    webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    with pytest.raises(RuntimeError), transaction.atomic():
        _sign_up(edition.pk)
        assert Message.objects.count() == 1  # written in the change's own transaction
        raise RuntimeError("the sign-up fails after the event was recorded")
    assert not Message.objects.exists()


def test_the_receiver_goes_down_and_comes_back(receiver: Receiver, now) -> None:
    edition = factories.edition(slug="us")
    webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    receiver.down()
    _sign_up(edition.pk)
    assert webhooks_deliver_due()["retrying"] == 1
    message = Message.objects.get()
    assert message.state == "queued" and "connection failed" in message.last_error
    assert (message.next_attempt_at - now.at).total_seconds() == pytest.approx(30)
    assert webhooks_deliver_due() == {
        "delivered": 0,
        "retrying": 0,
        "failed": 0,
        "deferred": 0,
    }  # not yet due
    now.advance(seconds=31)
    assert webhooks_deliver_due()["retrying"] == 1
    message.refresh_from_db()
    assert (message.next_attempt_at - now.at).total_seconds() == pytest.approx(60)  # doubled
    receiver.up()  # the same port, back again
    now.advance(seconds=61)
    assert webhooks_deliver_due()["delivered"] == 1
    message.refresh_from_db()
    assert message.state == "delivered" and message.attempts == 3
    assert len(receiver.received) == 1
    endpoint = Endpoint.objects.get()
    assert endpoint.consecutive_failures == 0 and endpoint.last_failure_at is not None


def test_an_error_status_is_a_failure_too(receiver: Receiver, now) -> None:
    edition = factories.edition(slug="us")
    webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    receiver.status = 500
    _sign_up(edition.pk)
    webhooks_deliver_due()
    message = Message.objects.get()
    assert message.state == "queued" and message.last_status == 500
    assert "HTTP 500" in Endpoint.objects.get().last_error


def test_after_24_hours_of_failures_the_endpoint_is_disabled_with_a_notice(
    receiver: Receiver, now, admin_client
) -> None:
    edition = factories.edition(slug="us")
    webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    receiver.down()
    _sign_up(edition.pk)
    outcomes = []
    for _ in range(40):
        outcomes.append(webhooks_deliver_due())
        now.advance(hours=1)
    assert sum(o["failed"] for o in outcomes) == 1
    message = Message.objects.get()
    assert message.state == "failed" and message.attempts >= 24
    endpoint = Endpoint.objects.get()
    assert not endpoint.enabled and "failed for 24 h" in endpoint.disabled_reason
    assert "the events raised while it is off, resume" in endpoint.disabled_reason
    page = admin_client.get("/admin/webhooks/endpoint/").content.decode()
    assert "failed for 24 h" in page
    detail = admin_client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").content.decode()
    assert "connection failed" in detail
    # An event while it is off waits for it (it was not even queued: a CRM switched back on
    # never heard of the readers who left meanwhile) and is sent nothing until it is on.
    _sign_up(edition.pk, "second@example.com")
    waiting = Message.objects.get(payload__data__email="second@example.com")
    assert waiting.state == "queued"
    receiver.up()
    assert webhooks_deliver_due()["delivered"] == 0 and not receiver.received
    webhook_endpoint_enable(endpoint_id=endpoint.pk)
    assert webhooks_deliver_due()["delivered"] == 1
    [hit] = receiver.received
    assert json.loads(hit.body)["data"]["email"] == "second@example.com"


def test_a_crashed_runner_lease_expires_and_the_message_goes_again(receiver: Receiver, now) -> None:
    edition = factories.edition(slug="us")
    webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    _sign_up(edition.pk)
    Message.objects.update(state="sending", lease_owner="dead-runner", lease_until=now.at)
    assert webhooks_deliver_due()["delivered"] == 0  # the lease still holds
    now.advance(minutes=3)
    assert webhooks_deliver_due()["delivered"] == 1
    assert len(receiver.received) == 1


class SlowReceivers:
    """Every receiver takes its whole 90 s; meanwhile a second runner (another worker) looks
    for due messages, as the scheduler's next tick would."""

    def __init__(self, now) -> None:
        self.now = now
        self.sent: list[str] = []
        self.second_runner_sent: list[str] = []

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Reply:
        self.now.advance(seconds=90)
        self.sent.append(headers["webhook-id"])
        other = Recorder(self.second_runner_sent)
        webhooks_deliver_due(transport=other)
        return Reply(200)

    def close(self) -> None:
        return None


class Recorder:
    def __init__(self, into: list[str]) -> None:
        self.into = into

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Reply:
        self.into.append(headers["webhook-id"])
        return Reply(200)

    def close(self) -> None:
        return None


def test_a_slow_batch_keeps_its_messages_from_a_second_runner(receiver: Receiver, now) -> None:
    # Four slow receivers take 6 minutes, past one 2-minute lease: no message goes twice.
    edition = factories.edition(slug="us")
    webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    for n in range(4):
        _sign_up(edition.pk, email=f"reader{n}@example.com")
    slow = SlowReceivers(now)
    assert webhooks_deliver_due(transport=slow)["delivered"] == 4
    assert len(slow.sent) == 4
    assert slow.second_runner_sent == []
    assert Message.objects.filter(state="delivered").count() == 4


def test_loopback_is_refused_unless_allowed(receiver: Receiver, now, settings) -> None:
    settings.CONFIG["HEADLINES_WEBHOOK_ALLOW_PRIVATE"] = False
    edition = factories.edition(slug="us")
    webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    _sign_up(edition.pk)
    webhooks_deliver_due()
    assert receiver.received == []
    assert "loopback" in Message.objects.get().last_error


def test_an_erasure_event_forgets_the_address_once_delivered(receiver: Receiver, now) -> None:
    from headlines.subscriptions.preferences import subscriber_erase
    from tests.subscriptions import factories as readers

    edition = factories.edition(slug="us")
    subscription = readers.confirmed(edition, email="leaving@example.com")
    endpoint = webhook_endpoint_add(url=receiver.url, events="subscriber.erased")
    subscriber_erase(subscriber_id=subscription.subscriber_id)
    webhooks_deliver_due()
    sent = Webhook(endpoint.secret).verify(receiver.received[0].body, receiver.received[0].headers)
    assert sent["data"] == {"email": "leaving@example.com", "editions": ["us"]}
    assert "leaving@example.com" not in json.dumps(Message.objects.get().payload)


def test_every_event_type_is_published_by_its_service(receiver: Receiver, now) -> None:
    """Subscriber, delivery and digest events, from the services that make those changes."""
    from headlines.core.events import EVENTS
    from headlines.delivery.bounces import bounce_note
    from headlines.digests.services import digest_approve, digest_mark_sending, digest_mark_sent
    from headlines.subscriptions.preferences import subscriber_erase
    from tests.api import factories as newsroom

    edition = factories.edition(slug="us")
    webhook_endpoint_add(url=receiver.url, events=EVENTS)
    _sign_up(edition.pk, "a@example.com")
    pending = subscriptions.Subscription.objects.get(subscriber__email="a@example.com")
    subscriptions.subscription_confirm(subscription_id=pending.pk)
    subscriptions.subscription_unsubscribe(subscription_id=pending.pk, source="api")
    bounce_note(email="a@example.com", kind="soft", delivery_id=None, detail="451 busy")
    bounce_note(email="a@example.com", kind="complaint", delivery_id=None, detail="ARF")
    digest = newsroom.digest(edition)
    digest_approve(digest_id=digest.pk)
    digest_mark_sending(digest_id=digest.pk)
    digest_mark_sent(digest_id=digest.pk)
    subscriber_erase(subscriber_id=pending.subscriber_id)
    assert set(Message.objects.values_list("event_type", flat=True)) == set(EVENTS)
    assert webhooks_deliver_due()["delivered"] == len(EVENTS)


def test_a_signature_verifies_whatever_zone_the_clock_gives() -> None:
    # The body holds what a reader may type: accents, an emoji, a right-to-left name.
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = json.dumps({"type": "subscriber.created", "data": {"name": "Zoë 📰 سلام"}})
    berlin = dt.timezone(dt.timedelta(hours=2))
    at = dt.datetime.now(berlin)
    message = Message(msg_id="msg_zone")
    headers = signed_headers(message, body, secret=secret, at=at)
    assert headers["webhook-timestamp"] == str(int(at.timestamp()))
    assert Webhook(secret).verify(body.encode(), headers)["data"]["name"] == "Zoë 📰 سلام"


def test_an_erasure_forgets_the_address_in_every_earlier_event(receiver: Receiver, now) -> None:
    # The reader signed up and confirmed (two events sent), then bounced once (queued): after
    # erasure the address is in no stored message but the erasure event, until it is sent.
    from headlines.delivery.bounces import bounce_note
    from headlines.subscriptions.preferences import subscriber_erase

    edition = factories.edition(slug="us")
    other = factories.edition(slug="uk")
    endpoint = webhook_endpoint_add(url=receiver.url, events=",".join(EVENTS))
    _sign_up(edition.pk, email="Leaving@example.com")
    _sign_up(other.pk, email="staying@example.com")
    webhooks_deliver_due()
    bounce_note(email="leaving@EXAMPLE.com", kind="soft", delivery_id=None, detail="full")
    subscriber = Subscriber.objects.get(email="Leaving@example.com")
    subscriber_erase(subscriber_id=subscriber.pk)
    stored = [
        json.dumps(m.payload) for m in Message.objects.exclude(event_type="subscriber.erased")
    ]
    assert not any("leaving@example.com" in s.lower() for s in stored), stored
    assert any("staying@example.com" in s for s in stored)  # another reader's events stay
    [erased] = Message.objects.filter(event_type="subscriber.erased")
    assert erased.payload["data"]["email"] == "Leaving@example.com"  # the receiver's to erase
    webhooks_deliver_due()
    bodies = [Webhook(endpoint.secret).verify(r.body, r.headers) for r in receiver.received]
    assert [b["data"]["email"] for b in bodies if b["type"] == "subscriber.erased"] == [
        "Leaving@example.com"
    ]
    assert "Leaving@example.com" not in json.dumps(Message.objects.get(pk=erased.pk).payload)


class OneReceiverHangs:
    """The CRM's receiver takes its whole timeout and fails; the other one answers at once."""

    def __init__(self, now, hanging_url: str) -> None:
        self.now, self.hanging_url = now, hanging_url
        self.tried: list[str] = []

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Reply:
        self.tried.append(url)
        if url == self.hanging_url:
            self.now.advance(seconds=10)
            return Reply(None, "timed out")
        return Reply(200)

    def close(self) -> None:
        return None


def test_a_hanging_receiver_is_tried_once_a_batch_not_once_a_message(now) -> None:
    edition = factories.edition(slug="us")
    crm = webhook_endpoint_add(url="https://crm.example/hooks", events="subscriber.created")
    webhook_endpoint_add(url="https://ok.example/hooks", events="subscriber.created")
    for n in range(5):
        _sign_up(edition.pk, email=f"reader{n}@example.com")
    hanging = OneReceiverHangs(now, crm.url)
    counts = webhooks_deliver_due(transport=hanging)
    assert hanging.tried.count(crm.url) == 1  # 10 s, not 50 s, before the others go
    assert counts == {"delivered": 5, "retrying": 1, "failed": 0, "deferred": 4}
    waiting = Message.objects.filter(endpoint=crm, state="queued")
    assert waiting.count() == 5
    assert sorted(waiting.values_list("attempts", flat=True)) == [0, 0, 0, 0, 1]
    assert all(m.next_attempt_at > now.at and m.lease_owner == "" for m in waiting)
    now.advance(minutes=1)
    second = OneReceiverHangs(now, "https://none.example/")  # the CRM is back
    assert webhooks_deliver_due(transport=second)["delivered"] == 5


def test_a_receiver_down_for_long_is_probed_less_and_less_often(now) -> None:
    # Its deferred messages waited the first step of the backoff (30 s) whatever its failures
    # in a row: with a backlog, a hanging receiver cost one timeout every 30 s for 24 hours.
    edition = factories.edition(slug="us")
    crm = webhook_endpoint_add(url="https://crm.example/hooks", events="subscriber.created")
    for n in range(30):
        _sign_up(edition.pk, email=f"reader{n}@example.com")
    hanging = OneReceiverHangs(now, crm.url)
    for _tick in range(120):  # an hour of the runner every 30 s
        webhooks_deliver_due(transport=hanging)
        now.advance(seconds=30)
    # 30 s, 1, 2, 4, 8, 16, 32 min apart: seven or so tries, not 120.
    assert len(hanging.tried) <= 10, len(hanging.tried)
    assert Message.objects.filter(endpoint=crm, state="queued").count() == 30
    now.advance(hours=1)
    back = OneReceiverHangs(now, "https://none.example/")
    assert webhooks_deliver_due(transport=back)["delivered"] == 30


class StaffActAfterTheFirstSend:
    """A receiver that answers 200; after its first send, staff act on the endpoints."""

    def __init__(self, act: Callable[[], object]) -> None:
        self.act = act
        self.sent: list[tuple[str, bytes]] = []

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> Reply:
        self.sent.append((url, body))
        if len(self.sent) == 1:
            self.act()
        return Reply(200)

    def close(self) -> None:
        return None


def test_an_endpoint_removed_or_changed_mid_batch_gets_nothing_more(now) -> None:
    # The batch went on with the endpoints as claimed: a removed one was still posted every
    # message it had been given (minutes, behind slow receivers), a changed URL got the old one.
    removed = webhook_endpoint_add(url="https://old.example/hooks", events="digest.sent")
    moved = webhook_endpoint_add(url="https://was.example/hooks", events="digest.sent")
    for n in range(3):
        events.publish("digest.sent", {"digest_id": n})

    def act() -> None:
        webhook_endpoint_remove(endpoint_id=removed.pk)
        webhook_endpoint_update(
            endpoint_id=moved.pk, url="https://now.example/hooks", events="digest.sent"
        )

    staff = StaffActAfterTheFirstSend(act)
    webhooks_deliver_due(transport=staff)
    assert [url for url, _ in staff.sent] == ["https://old.example/hooks"] + [
        "https://now.example/hooks"
    ] * 3
    assert Message.objects.filter(endpoint=moved, state="delivered").count() == 3


def test_a_reader_erased_mid_batch_is_not_sent_by_it(now) -> None:
    from headlines.webhooks.services import webhook_messages_forget

    webhook_endpoint_add(url="https://crm.example/hooks", events="subscriber.created")
    for n in range(3):
        events.publish("subscriber.created", {"email": f"r{n}@example.com", "edition": "us"})
    staff = StaffActAfterTheFirstSend(lambda: webhook_messages_forget(email="r2@example.com"))
    webhooks_deliver_due(transport=staff)
    assert len(staff.sent) == 3
    assert not any(b"r2@example.com" in body for _, body in staff.sent)


def test_a_receiver_whose_name_lookup_hangs_costs_only_the_delivery_timeout(now) -> None:
    # A silent DNS server held the runner for the resolver's own timeouts (tries x servers x
    # seconds), not HEADLINES_WEBHOOK_TIMEOUT_SECONDS, and every message queued behind it.
    edition = factories.edition(slug="us")
    crm = webhook_endpoint_add(url="https://crm.test/hooks", events="subscriber.created")
    _sign_up(edition.pk)
    released = threading.Event()

    def silent_dns(_host: str, _port: int) -> list[str]:
        released.wait(30)
        return ["203.0.113.7"]

    transport = HttpTransport(allow_private=False, timeout=0.3)
    transport.policy = AddressPolicy(resolve=silent_dns)
    started = time.monotonic()
    try:
        counts = webhooks_deliver_due(transport=transport)
    finally:
        released.set()
        transport.close()
    assert time.monotonic() - started < 2.0
    assert counts == {"delivered": 0, "retrying": 1, "failed": 0, "deferred": 0}
    said = "https://crm.test/hooks: timed out looking up host crm.test (over 0.3 s)"
    crm.refresh_from_db()
    assert crm.last_error == said and crm.last_failure_at == now.at
    message = Message.objects.get()
    assert (message.state, message.attempts, message.last_error) == ("queued", 1, said)
    assert message.next_attempt_at > now.at


def test_delivered_and_failed_messages_are_deleted_after_the_days_kept(
    receiver: Receiver, now, settings
) -> None:
    from headlines.core.scheduler import periodic_jobs
    from headlines.webhooks.services import webhook_messages_purge

    settings.CONFIG = {**settings.CONFIG, "HEADLINES_WEBHOOK_KEEP_DAYS": 30.0}
    edition = factories.edition(slug="us")
    webhook_endpoint_add(url=receiver.url, events="subscriber.created")
    _sign_up(edition.pk, "old@example.com")
    webhooks_deliver_due()
    _sign_up(edition.pk, "failed@example.com")
    Message.objects.filter(payload__data__email="failed@example.com").update(state="failed")
    _sign_up(edition.pk, "waiting@example.com")  # still queued: kept whatever its age
    waiting = Message.objects.filter(payload__data__email="waiting@example.com")
    waiting.update(next_attempt_at=now.at + dt.timedelta(days=60))
    now.advance(days=29)
    _sign_up(edition.pk, "new@example.com")
    webhooks_deliver_due()
    assert webhook_messages_purge() == 0
    now.advance(days=2)
    assert webhook_messages_purge() == 2  # delivered 31 days ago, failed 31 days ago
    kept = sorted(Message.objects.values_list("payload__data__email", flat=True))
    assert kept == ["new@example.com", "waiting@example.com"]
    assert "webhooks.purge" in {p.name for p in periodic_jobs()}


def test_an_erasure_waiting_on_a_disabled_endpoint_forgets_the_address_after_the_days_kept(
    receiver: Receiver, now, settings
) -> None:
    # The `subscriber.erased` event carries the address until it is delivered or given up on;
    # queued for an endpoint that stays disabled, it was neither, and the erased reader's
    # address stayed in the database for ever.
    from headlines.subscriptions.preferences import subscriber_erase
    from headlines.webhooks.services import webhook_messages_purge
    from tests.subscriptions import factories as readers

    settings.CONFIG = {**settings.CONFIG, "HEADLINES_WEBHOOK_KEEP_DAYS": 30.0}
    edition = factories.edition(slug="us")
    endpoint = webhook_endpoint_add(url=receiver.url, events="subscriber.erased,subscriber.created")
    leaving = readers.confirmed(edition, email="gone@example.com")
    subscriber_erase(subscriber_id=leaving.subscriber_id)
    _sign_up(edition.pk, "stays@example.com")  # queued too, not about an erased reader
    # Disabled (as 24 h of failures do) before the runner came to them.
    Endpoint.objects.filter(pk=endpoint.pk).update(enabled=False, disabled_reason="broken")
    now.advance(days=29)
    webhook_messages_purge()
    stored = json.dumps(list(Message.objects.values_list("payload", flat=True)))
    assert "gone@example.com" in stored
    assert "stays@example.com" in stored  # its endpoint's backlog, when it is enabled again
    now.advance(days=2)
    webhook_messages_purge()
    stored = json.dumps(list(Message.objects.values_list("payload", flat=True)))
    assert "gone@example.com" not in stored
    # Past the days kept the whole backlog is given up on, so that an endpoint gone for good
    # does not collect every event for ever (events raised while it is off are queued too).
    assert "stays@example.com" not in stored
    assert webhooks_deliver_due()["delivered"] == 0 and not receiver.received


def test_a_claim_takes_the_oldest_due_of_enabled_endpoints_past_a_disabled_ones_backlog(
    now,
) -> None:
    # An endpoint that is off keeps its messages queued and due for the days kept; the claim
    # reads each kind by its own index range (runner._due_ids) and must still take exactly the
    # due messages of enabled endpoints, oldest first, leases that ran out among them.
    from headlines.webhooks.runner import _claim

    at = now.at
    off = Endpoint.objects.create(url="https://off.example/h", events=["x"], enabled=False)
    on = Endpoint.objects.create(url="https://on.example/h", events=["x"], enabled=True)

    def message(endpoint: Endpoint, name: str, *, minutes: int, **fields: object) -> None:
        Message.objects.create(
            endpoint=endpoint,
            msg_id=name,
            event_type="x",
            payload={},
            next_attempt_at=at - dt.timedelta(minutes=minutes),
            **fields,
        )

    for n in range(30):
        message(off, f"off-{n}", minutes=100 + n)  # older than everything else, never taken
    message(off, "off-lease", minutes=90, state="sending", lease_until=at - dt.timedelta(1))
    message(on, "on-3", minutes=3)
    message(on, "on-1", minutes=1)
    message(on, "on-future", minutes=-5)  # not due yet
    message(on, "on-delivered", minutes=50, state="delivered")
    message(on, "on-lease-out", minutes=2, state="sending", lease_until=at - dt.timedelta(1))
    message(on, "on-leased", minutes=4, state="sending", lease_until=at + dt.timedelta(1))
    first = _claim(owner="a", limit=2, now=at)
    assert [m.msg_id for m in first] == ["on-3", "on-lease-out"]  # oldest due first, both kinds
    assert [m.msg_id for m in _claim(owner="b", limit=50, now=at)] == ["on-1"]
    assert _claim(owner="c", limit=50, now=at) == []
    assert Message.objects.filter(endpoint=off, state="queued").count() == 30  # untouched
    assert Message.objects.get(msg_id="off-lease").lease_owner == ""
    Endpoint.objects.filter(pk=off.pk).update(enabled=True)  # switched back on: its turn
    assert [m.msg_id for m in _claim(owner="d", limit=3, now=at)] == [
        "off-29",
        "off-28",
        "off-27",
    ]
