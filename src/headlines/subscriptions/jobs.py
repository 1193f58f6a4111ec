"""Background jobs of sign-up: each takes a subscription id and is safe to run twice."""

from __future__ import annotations

from headlines.core.jobs import job
from headlines.subscriptions import emails
from headlines.subscriptions.models import Subscription

Status = Subscription.Status


def _subscription(subscription_id: int, status: str) -> Subscription | None:
    # The reader may have moved on (confirmed, unsubscribed, erased) before the job ran.
    return (
        Subscription.objects.select_related("subscriber", "edition")
        .filter(pk=subscription_id, status=status)
        .first()
    )


@job("subscriptions.send_confirmation")
def send_confirmation(*, subscription_id: int) -> None:
    subscription = _subscription(subscription_id, Status.PENDING)
    if subscription is not None:
        emails.send_confirmation(subscription)


@job("subscriptions.send_welcome")
def send_welcome(*, subscription_id: int) -> None:
    subscription = _subscription(subscription_id, Status.CONFIRMED)
    if subscription is not None:
        emails.send_welcome(subscription)


@job("subscriptions.send_already_subscribed")
def send_already_subscribed(*, subscription_id: int) -> None:
    subscription = _subscription(subscription_id, Status.CONFIRMED)
    if subscription is not None:
        emails.send_already_subscribed(subscription)
