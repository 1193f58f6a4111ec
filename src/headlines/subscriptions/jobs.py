"""Background jobs of sign-up: each takes a subscription id and is safe to run twice; and the
sign-up limits' housekeeping, every minute."""

from __future__ import annotations

from typing import TYPE_CHECKING

from headlines.core.jobs import job
from headlines.core.scheduler import every
from headlines.subscriptions.hashing import without_addresses
from headlines.subscriptions.models import Subscription

if TYPE_CHECKING:
    from headlines.core.mail import SendResult

Status = Subscription.Status


class MailDeferred(Exception):
    """The relay said "not now" (a 4xx: greylisting, a full queue, no relay reachable)."""


def _sent(result: SendResult | None) -> None:
    """Raise on a temporary refusal, so the job runs again after its backoff. It used to end
    there, done: a reader greylisted at sign-up never got their confirmation link."""
    if result is not None and not result.accepted and not result.permanent_failure:
        reply = without_addresses(f"{result.code} {result.reply}")
        raise MailDeferred(f"the relay deferred the email, to be tried again: {reply}")


def _subscription(subscription_id: int, status: str) -> Subscription | None:
    # The reader may have moved on (confirmed, unsubscribed, erased) before the job ran. One
    # row at most: `first()` would order it by key too, a quarter more of this read's CPU (0.61
    # against 0.47 ms) in every email.
    found = Subscription.objects.select_related("subscriber", "edition").filter(
        pk=subscription_id, status=status
    )
    return next(iter(found[:1]), None)


@job("subscriptions.send_confirmation")
def send_confirmation(*, subscription_id: int) -> None:
    subscription = _subscription(subscription_id, Status.PENDING)
    if subscription is not None:
        from headlines.subscriptions import emails

        _sent(emails.send_confirmation(subscription))


@job("subscriptions.send_welcome")
def send_welcome(*, subscription_id: int) -> None:
    subscription = _subscription(subscription_id, Status.CONFIRMED)
    if subscription is not None:
        from headlines.subscriptions import emails

        _sent(emails.send_welcome(subscription))


@job("subscriptions.send_already_subscribed")
def send_already_subscribed(*, subscription_id: int) -> None:
    subscription = _subscription(subscription_id, Status.CONFIRMED)
    if subscription is not None:
        from headlines.subscriptions import emails

        _sent(emails.send_already_subscribed(subscription))


@job("subscriptions.forget_signup_attempts", long=True)  # seconds in a spike: core.jobs_purge
def forget_signup_attempts() -> int:
    """The sign-up limits' rows older than their hour (a sign-up never deletes them)."""
    from headlines.subscriptions.ratelimit import signup_attempts_forget

    return signup_attempts_forget()


every(60, "subscriptions.forget_signup_attempts")
