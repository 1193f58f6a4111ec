"""Writes on webhooks: endpoints, and the ledger rows each event leaves for each endpoint."""

from __future__ import annotations

import base64
import datetime as dt
import math
import secrets
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction

from headlines.core import clock, events, jobs, urls
from headlines.core.errors import InvalidInput, NotFound
from headlines.core.housekeeping import delete_old_rows
from headlines.core.names import has_control
from headlines.core.rows import rows_select
from headlines.webhooks.models import Endpoint, Message


def events_parse(raw: str | Iterable[str]) -> list[str]:
    """`a,b` or a list of event types, each checked against the known events."""
    names = raw.split(",") if isinstance(raw, str) else list(raw)
    chosen = sorted({n.strip() for n in names if n.strip()})
    unknown = [n for n in chosen if n not in events.EVENTS]
    if unknown or not chosen:
        raise InvalidInput(
            f"unknown event(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(events.EVENTS)}",
            field="events",
        )
    return chosen


def url_check(url: str) -> str:
    url = url.strip()
    if len(url) > 2000:  # was "not an http(s) URL with a host", which it may well be
        raise InvalidInput("a webhook URL is at most 2000 characters", field="url")
    try:
        parts = urls.split(url)
    except ValueError as exc:
        raise InvalidInput(f"the webhook URL is {exc}", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("a webhook URL is an http(s) URL with a host", field="url")
    # DEL and the C1 controls too (`\x9b` is a terminal's CSI, printed by `webhook list`).
    if " " in url or has_control(url):
        raise InvalidInput("a webhook URL has no spaces or control characters", field="url")
    try:
        port = parts.port  # ValueError past 65535 or not a number
    except ValueError:
        port = 0
    if port == 0:
        raise InvalidInput("a webhook URL's port is a number from 1 to 65535", field="url")
    return url


def private_address(url: str) -> str | None:
    """Why the URL's host is no public address, when it says so itself (an IP address, or
    `localhost`): each send would be refused unless HEADLINES_WEBHOOK_ALLOW_PRIVATE. Names are
    not looked up here: DNS is asked at each send, which is where the rule holds."""
    from headlines.intake.fetching.addresses import AddressPolicy

    return AddressPolicy().named_refusal(url)


def description_check(text: str) -> str:
    """A note staff read in lists: printable, one line, at most 200 characters."""
    text = text.strip()
    if len(text) > 200 or not text.isprintable():
        raise InvalidInput(
            "description must be at most 200 printable characters on one line", field="description"
        )
    return text


@transaction.atomic
def webhook_endpoint_add(
    *, url: str, events: str | Iterable[str], description: str = ""
) -> Endpoint:
    """A new endpoint with a fresh signing secret. Its address is checked again at each send."""
    return Endpoint.objects.create(
        url=url_check(url),
        events=events_parse(events),
        secret=new_secret(),
        description=description_check(description),
    )


def new_secret() -> str:
    """A Standard Webhooks signing secret: 32 random bytes, base64, `whsec_` before them."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# How long the secret a rotation replaces goes on signing beside the new one, by default: a day
# for the receiver's owner to deploy the new secret. 0 stops it at once (a secret that leaked).
ROTATION_OVERLAP_HOURS = 24.0
ROTATION_OVERLAP_MAX_HOURS = 720.0


@transaction.atomic
def webhook_endpoint_rotate(
    *, endpoint_id: int, overlap_hours: float = ROTATION_OVERLAP_HOURS
) -> Endpoint:
    """Give an endpoint a new signing secret. For `overlap_hours` the secret it replaces signs
    each message too (two signatures in webhook-signature; a receiver that checks either passes),
    so the receiver's owner can deploy the new one without a refused event; with no overlap the
    old secret stops at once. Rotating during an overlap starts a new one from the current
    secret: the oldest is dropped."""
    if not (math.isfinite(overlap_hours) and 0 <= overlap_hours <= ROTATION_OVERLAP_MAX_HOURS):
        raise InvalidInput(
            f"the old secret's overlap must be from 0 to {ROTATION_OVERLAP_MAX_HOURS:.0f} hours"
        )
    overlap = dt.timedelta(hours=overlap_hours)
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(f"no webhook #{endpoint_id}")
    if overlap:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = clock.now() + overlap
    else:
        endpoint.previous_secret, endpoint.previous_secret_until = "", None
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return endpoint


@transaction.atomic
def webhook_endpoint_update(
    *, endpoint_id: int, url: str, events: str | Iterable[str], description: str = ""
) -> Endpoint:
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(f"no webhook #{endpoint_id}")
    endpoint.url, endpoint.events = url_check(url), events_parse(events)
    endpoint.description = description_check(description)
    endpoint.save(update_fields=["url", "events", "description"])
    return endpoint


@transaction.atomic
def webhook_endpoint_remove(*, endpoint_id: int) -> None:
    deleted, _ = Endpoint.objects.filter(pk=endpoint_id).delete()
    if not deleted:
        raise NotFound(f"no webhook #{endpoint_id}")


@transaction.atomic
def webhook_endpoint_enable(*, endpoint_id: int) -> Endpoint:
    """Switch an endpoint back on (after it was disabled for failing); its backlog resumes."""
    endpoint = Endpoint.objects.select_for_update().filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(f"no webhook #{endpoint_id}")
    endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at = True, "", None
    endpoint.consecutive_failures = 0
    endpoint.save()
    now = clock.now()
    endpoint.messages.filter(state=Message.State.QUEUED).update(next_attempt_at=now)
    return endpoint


# ENDPOINTS_WHERE: runs inside every sign-up's write transaction; through the ORM the query cost
# more CPU to build than SQLite spends answering it (docs/benchmarks.md).
# Every endpoint, the disabled ones too: an event raised while its endpoint is off waits for it
# (HEADLINES_WEBHOOK_KEEP_DAYS at most), so a CRM switched back on learns of the unsubscribes
# and erasures of its outage instead of mailing those readers on.
ENDPOINTS_WHERE = "id > %s ORDER BY id"


ERASED_ADDRESS = "(erased)"


def address_forgotten(message: Message) -> None:
    """`message`'s payload with the address it names replaced by "(erased)" (not saved)."""
    payload = dict(message.payload)
    payload["data"] = {**payload.get("data", {}), "email": ERASED_ADDRESS}
    message.payload = payload


def webhook_messages_forget(*, email: str) -> int:
    """Replace `email` in every stored message (sent, failed or still queued) with "(erased)".

    An erased reader's address stayed in the payload of each earlier event about them
    (`subscriber.created`, `.confirmed`, a bounce), shown in the admin for as long as the
    ledger lives. Only the `subscriber.erased` event itself carries it, until it is delivered,
    so that the receiver can erase it too. Erasures are rare: the JSON lookup scans the table.
    """
    forgotten = 0
    rows = Message.objects.filter(payload__data__email__iexact=email).exclude(
        event_type=events.SUBSCRIBER_ERASED
    )
    for message in rows.select_for_update():
        address_forgotten(message)
        message.save(update_fields=["payload"])
        forgotten += 1
    return forgotten


def webhook_messages_purge() -> int:
    """Delete the messages delivered, or failed and created, more than HEADLINES_WEBHOOK_KEEP_DAYS
    ago; a queued or sending one waits for its retries whatever its age. Returns how many went.
    The ledger grew for ever, each message naming the reader it was about."""
    keep = dt.timedelta(days=float(settings.CONFIG["HEADLINES_WEBHOOK_KEEP_DAYS"]))
    before = clock.now() - keep
    _erasures_give_up(before=before)
    _disabled_give_up(before=before)
    # A rotated-out secret whose overlap has ended signs nothing more: not kept either.
    Endpoint.objects.filter(previous_secret_until__lt=clock.now()).update(
        previous_secret="", previous_secret_until=None
    )
    # A message is delivered only once due, so next_attempt_at <= delivered_at: the bound lets
    # each chunk be read off the (state, next_attempt_at) index in order. Failed ones are few.
    delivered = Message.objects.filter(
        state=Message.State.DELIVERED, next_attempt_at__lt=before, delivered_at__lt=before
    )
    failed = Message.objects.filter(state=Message.State.FAILED, created_at__lt=before)
    return delete_old_rows(delivered, order_by="next_attempt_at") + delete_old_rows(failed)


@transaction.atomic
def _erasures_give_up(*, before: dt.datetime) -> None:
    """A `subscriber.erased` event still waiting since `before` is given up on, and with it the
    address it carries: its endpoint was disabled before it went (an enabled one's retries end
    after HEADLINES_WEBHOOK_RETRY_HOURS), and an erased reader's address stayed for as long as
    the endpoint did. Other waiting events are the endpoint's backlog: they go when it is on."""
    waiting = Message.objects.filter(
        event_type=events.SUBSCRIBER_ERASED,
        state=Message.State.QUEUED,
        created_at__lt=before,
    )
    for message in waiting.select_for_update():
        address_forgotten(message)
        message.state = Message.State.FAILED
        message.last_error = "given up: its endpoint was off for longer than the days kept"
        message.save(update_fields=["payload", "state", "last_error"])


def _disabled_give_up(*, before: dt.datetime) -> int:
    """Messages waiting since `before` for an endpoint that is off are given up on: a receiver
    gone for good would otherwise collect every event for ever. Enabled within the days kept, an
    endpoint gets each event of its time off."""
    return Message.objects.filter(
        endpoint__enabled=False, state=Message.State.QUEUED, created_at__lt=before
    ).update(
        state=Message.State.FAILED,
        last_error="given up: its endpoint was off for longer than the days kept",
    )


def webhook_event_record(event_type: str, items: Sequence[dict[str, Any]]) -> None:
    """The events listener: one ledger row per event and interested endpoint, in the caller's
    transaction."""
    if event_type == events.SUBSCRIBER_ERASED:
        for data in items:
            if data.get("email"):
                webhook_messages_forget(email=str(data["email"]))
    now = clock.now()
    endpoints = [
        endpoint
        for endpoint in rows_select(Endpoint, ENDPOINTS_WHERE, [0])
        if event_type in (endpoint.events or [])
    ]
    rows = [
        Message(
            endpoint=endpoint,
            msg_id=f"msg_{uuid.uuid4().hex}",
            event_type=event_type,
            payload={"type": event_type, "timestamp": now.isoformat(), "data": data},
            next_attempt_at=now,
        )
        for data in items
        for endpoint in endpoints
    ]
    if rows:
        Message.objects.bulk_create(rows)
        # One waiting runner is enough for any number of events: the key keeps it one.
        jobs.enqueue("webhooks.deliver", key="webhooks.deliver")
