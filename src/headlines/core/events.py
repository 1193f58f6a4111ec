"""Domain events: what happened, told to whoever listens, inside the transaction that did it.

Services call `publish()` right after a change, inside their own transaction; listeners (the
webhooks app) write their rows in that same transaction, so an event is stored if and only if
the change is. The domain never imports its listeners: they register at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

SUBSCRIBER_CREATED = "subscriber.created"
SUBSCRIBER_CONFIRMED = "subscriber.confirmed"
SUBSCRIBER_UNSUBSCRIBED = "subscriber.unsubscribed"
SUBSCRIBER_ERASED = "subscriber.erased"
DELIVERY_BOUNCED = "delivery.bounced"
DELIVERY_COMPLAINED = "delivery.complained"
DIGEST_APPROVED = "digest.approved"
DIGEST_SENT = "digest.sent"

EVENTS: tuple[str, ...] = (
    SUBSCRIBER_CREATED,
    SUBSCRIBER_CONFIRMED,
    SUBSCRIBER_UNSUBSCRIBED,
    SUBSCRIBER_ERASED,
    DELIVERY_BOUNCED,
    DELIVERY_COMPLAINED,
    DIGEST_APPROVED,
    DIGEST_SENT,
)

Listener = Callable[[str, Sequence[dict[str, Any]]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Call `listener(event_type, items)` for every event from now on, `items` the data of each
    one published together (once per listener)."""
    if listener not in _listeners:
        _listeners.append(listener)


def publish(event_type: str, data: dict[str, Any]) -> None:
    """Tell every listener; call inside the transaction of the change it describes."""
    publish_all(event_type, [data])


def publish_all(event_type: str, items: Sequence[dict[str, Any]]) -> None:
    """Tell every listener of several events of one type at once (a bulk import's readers),
    in one call each: a listener's own work (webhooks: reading the endpoints, one insert) is
    then done once, not once a reader."""
    if event_type not in EVENTS:
        raise ValueError(f"unknown event {event_type!r}")
    if not items:
        return
    for listener in list(_listeners):
        listener(event_type, items)
