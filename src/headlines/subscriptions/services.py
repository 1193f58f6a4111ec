"""Writes on subscribers, subscriptions, consent and suppressions (one transaction each).

Every change of a reader's consent writes a `ConsentEvent` in the same transaction, so the
ledger and the current state cannot disagree. Emails are queued as jobs after commit.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from headlines.core import clock, jobs
from headlines.core.errors import Conflict, DomainError, InvalidInput, NotFound
from headlines.core.models import Edition
from headlines.core.services import parse_timezone
from headlines.subscriptions import wording
from headlines.subscriptions.addresses import email_validate
from headlines.subscriptions.hashing import email_hash, ip_hash
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription, Suppression
from headlines.subscriptions.ratelimit import signup_attempt_check

Source = ConsentEvent.Source
Purpose = ConsentEvent.Purpose
Status = Subscription.Status


class RateLimited(DomainError):
    """Too many sign-ups from one client; the edge answers 429."""


@transaction.atomic
def suppression_add(*, email: str, reason: str, detail: str = "") -> Suppression:
    """Never mail `email` again. Idempotent: a second call keeps the first reason."""
    if reason not in Suppression.Reason.values:
        raise ValueError(f"unknown suppression reason {reason!r}")
    suppression, _ = Suppression.objects.get_or_create(
        email_hash=email_hash(email), defaults={"reason": reason, "detail": detail[:2000]}
    )
    return suppression


def consent_record(
    *,
    subscriber: Subscriber,
    edition: Edition | None,
    purpose: str,
    granted: bool,
    words: str,
    source: str,
    ip: str | None = None,
) -> ConsentEvent:
    """Append one grant or withdrawal to the ledger (call inside the caller's transaction)."""
    return ConsentEvent.objects.create(
        subscriber=subscriber,
        email_hash=subscriber.email_hash,
        edition=edition,
        purpose=purpose,
        granted=granted,
        wording=words,
        privacy_version=edition.privacy_version if edition else "",
        source=source,
        ip_hash=ip_hash(ip),
    )


def _subscriber_for(email: str, name: str = "") -> Subscriber:
    subscriber, _ = Subscriber.objects.get_or_create(
        email_hash=email_hash(email), defaults={"email": email, "name": name}
    )
    return subscriber


def _enabled_edition(edition_id: int) -> Edition:
    edition = Edition.objects.filter(pk=edition_id, enabled=True).first()
    if edition is None:
        raise NotFound("This newsletter is not open for sign-up.")
    return edition


@transaction.atomic
def subscription_request(
    *,
    email: str,
    edition_id: int,
    marketing: bool,
    source: str,
    ip: str | None = None,
) -> None:
    """A sign-up from the form or the widget. Returns nothing, whatever happened.

    The caller shows the same thanks page whether the address was new, pending, confirmed or
    suppressed: only the inbox's owner learns which (a confirmation, or an "already subscribed"
    email). Over the per-address limit nothing is sent; over the per-IP limit, RateLimited.
    """
    address = email_validate(email)
    edition = _enabled_edition(edition_id)
    verdict = signup_attempt_check(ip_key=ip_hash(ip), address_key=email_hash(address))
    if not verdict.ip_allowed:
        raise RateLimited("Too many sign-ups from your network. Please try again in an hour.")
    if (
        not verdict.address_allowed
        or Suppression.objects.filter(email_hash=email_hash(address)).exists()
    ):
        return
    subscriber = _subscriber_for(address)
    subscription, _ = Subscription.objects.select_for_update().get_or_create(
        subscriber=subscriber, edition=edition
    )
    if subscription.status == Status.CONFIRMED:
        jobs.enqueue("subscriptions.send_already_subscribed", subscription_id=subscription.pk)
        return
    subscription.status = Status.PENDING
    subscription.marketing_requested = bool(marketing)
    subscription.save(update_fields=["status", "marketing_requested"])
    consent_record(
        subscriber=subscriber,
        edition=edition,
        purpose=Purpose.NEWSLETTER,
        granted=True,
        words=wording.newsletter_offer(edition),
        source=source,
        ip=ip,
    )
    if marketing:
        consent_record(
            subscriber=subscriber,
            edition=edition,
            purpose=Purpose.MARKETING,
            granted=True,
            words=wording.MARKETING,
            source=source,
            ip=ip,
        )
    jobs.enqueue("subscriptions.send_confirmation", subscription_id=subscription.pk)


def _locked_subscription(subscription_id: int) -> Subscription:
    subscription = (
        Subscription.objects.select_for_update()
        .select_related("subscriber", "edition")
        .filter(pk=subscription_id)
        .first()
    )
    if subscription is None:
        raise NotFound("This subscription no longer exists.")
    return subscription


@transaction.atomic
def subscription_confirm(*, subscription_id: int, ip: str | None = None) -> Subscription:
    """Double opt-in's second step. Idempotent: confirming twice sends one welcome email."""
    subscription = _locked_subscription(subscription_id)
    if subscription.status == Status.CONFIRMED:
        return subscription
    if subscription.status == Status.UNSUBSCRIBED:
        raise Conflict("You have unsubscribed since this link was sent. Please sign up again.")
    subscriber, edition = subscription.subscriber, subscription.edition
    subscription.status = Status.CONFIRMED
    subscription.confirmed_at = clock.now()
    subscription.save(update_fields=["status", "confirmed_at"])
    consent_record(
        subscriber=subscriber,
        edition=edition,
        purpose=Purpose.NEWSLETTER,
        granted=True,
        words=wording.confirm_button(edition),
        source=Source.CONFIRMATION,
        ip=ip,
    )
    if subscription.marketing_requested and not subscriber.marketing:
        subscriber.marketing = True
        subscriber.save(update_fields=["marketing"])
        consent_record(
            subscriber=subscriber,
            edition=edition,
            purpose=Purpose.MARKETING,
            granted=True,
            words=wording.MARKETING,
            source=Source.CONFIRMATION,
            ip=ip,
        )
    jobs.enqueue("subscriptions.send_welcome", subscription_id=subscription.pk)
    return subscription


@transaction.atomic
def subscription_unsubscribe(
    *, subscription_id: int, source: str, ip: str | None = None
) -> Subscription:
    """Stop this edition at once. Idempotent: a second call records nothing new."""
    if source not in Source.values:
        raise InvalidInput(f"unknown consent source {source!r}", field="source")
    subscription = _locked_subscription(subscription_id)
    if subscription.status == Status.UNSUBSCRIBED:
        return subscription
    subscription.status = Status.UNSUBSCRIBED
    subscription.unsubscribed_at = clock.now()
    subscription.save(update_fields=["status", "unsubscribed_at"])
    consent_record(
        subscriber=subscription.subscriber,
        edition=subscription.edition,
        purpose=Purpose.NEWSLETTER,
        granted=False,
        words=wording.ONE_CLICK
        if source == Source.ONE_CLICK
        else wording.unsubscribe_button(subscription.edition),
        source=source,
        ip=ip,
    )
    return subscription


@transaction.atomic
def subscription_import_confirmed(
    *,
    email: str,
    edition_id: int,
    consent_source: str,
    consent_at: dt.datetime,
    marketing: bool = False,
    timezone: str = "",
    name: str = "",
) -> Subscription:
    """A reader who already consented elsewhere arrives confirmed (CSV import, demo).

    Refuses suppressed addresses and readers who unsubscribed: an old list must not undo a
    reader's own withdrawal.
    """
    address = email_validate(email, check_dns=False)
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        raise NotFound(f"no edition with id {edition_id}")
    consent_source = clean_text(consent_source, field="consent_source", max_length=200)
    name = clean_text(name, field="name", max_length=200)
    timezone = parse_timezone(timezone.strip()) if timezone.strip() else ""
    if consent_at.tzinfo is None:
        raise InvalidInput("consent_at needs a time zone offset", field="consent_at")
    if Suppression.objects.filter(email_hash=email_hash(address)).exists():
        raise Conflict("address is suppressed (bounced, complained or erased)")
    subscriber = _subscriber_for(address, name)
    subscription, _ = Subscription.objects.select_for_update().get_or_create(
        subscriber=subscriber, edition=edition
    )
    if subscription.status == Status.UNSUBSCRIBED:
        raise Conflict("reader unsubscribed from this edition; not resubscribed")
    if name and not subscriber.name:
        subscriber.name = name
    words = f"{wording.IMPORTED} Source: {consent_source}; given at {consent_at.isoformat()}."
    if subscription.status != Status.CONFIRMED:
        subscription.status = Status.CONFIRMED
        subscription.confirmed_at = consent_at
        consent_record(
            subscriber=subscriber,
            edition=edition,
            purpose=Purpose.NEWSLETTER,
            granted=True,
            words=words,
            source=Source.IMPORT,
        )
    if timezone:
        subscription.timezone = timezone
    subscription.save()
    if marketing and not subscriber.marketing:
        subscriber.marketing = True
        consent_record(
            subscriber=subscriber,
            edition=edition,
            purpose=Purpose.MARKETING,
            granted=True,
            words=words,
            source=Source.IMPORT,
        )
    subscriber.save()
    return subscription


def clean_text(value: str, *, field: str, max_length: int) -> str:
    """Free text from a reader or a file: no control characters, bounded length."""
    value = value.strip()
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidInput(f"{field} must not contain control characters", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    return value


@transaction.atomic
def subscriber_preferences_update(
    *,
    subscriber_id: int,
    edition_ids: set[int],
    marketing: bool,
    timezone: str = "",
    send_hour: int | None = None,
    ip: str | None = None,
) -> Subscriber:
    """The preferences page: which editions, marketing, and when mail arrives.

    The reader proved they hold the inbox by opening a signed link, so ticking a new edition
    confirms it at once. The time zone and hour apply to all the reader's subscriptions.
    """
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        raise NotFound("This subscription no longer exists.")
    timezone = parse_timezone(timezone.strip()) if timezone.strip() else ""
    if send_hour is not None and not 0 <= send_hour <= 23:
        raise InvalidInput("Delivery hour must be between 0 and 23", field="send_hour")
    now = clock.now()
    for edition in Edition.objects.filter(enabled=True):
        subscription = Subscription.objects.filter(subscriber=subscriber, edition=edition).first()
        wanted = edition.pk in edition_ids
        current = subscription is not None and subscription.status == Status.CONFIRMED
        if wanted == current or (subscription is None and not wanted):
            continue
        if subscription is None:
            subscription = Subscription(subscriber=subscriber, edition=edition)
        if wanted:
            subscription.status, subscription.confirmed_at = Status.CONFIRMED, now
        elif subscription.status == Status.PENDING:
            continue  # an unconfirmed sign-up is the confirmation email's business
        else:
            subscription.status, subscription.unsubscribed_at = Status.UNSUBSCRIBED, now
        subscription.save()
        consent_record(
            subscriber=subscriber,
            edition=edition,
            purpose=Purpose.NEWSLETTER,
            granted=wanted,
            words=wording.preferences_newsletter(edition),
            source=Source.PREFERENCES,
            ip=ip,
        )
    Subscription.objects.filter(subscriber=subscriber).update(
        timezone=timezone, send_hour=send_hour
    )
    if bool(marketing) != subscriber.marketing:
        subscriber.marketing = bool(marketing)
        subscriber.save(update_fields=["marketing"])
        consent_record(
            subscriber=subscriber,
            edition=None,
            purpose=Purpose.MARKETING,
            granted=subscriber.marketing,
            words=wording.MARKETING,
            source=Source.PREFERENCES,
            ip=ip,
        )
    return subscriber


@transaction.atomic
def subscriber_erase(*, subscriber_id: int, ip: str | None = None) -> None:
    """Delete everything personal about a reader; keep a hashed suppression and the ledger.

    The ledger rows stay (address hash only, subscriber set to NULL) as proof of what was
    agreed and withdrawn; the suppression makes sure the address is never mailed by mistake.
    """
    from headlines.core.models import OutboxMessage

    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        raise NotFound("This subscription no longer exists.")
    for subscription in subscriber.subscriptions.select_related("edition"):
        if subscription.status != Status.UNSUBSCRIBED:
            consent_record(
                subscriber=subscriber,
                edition=subscription.edition,
                purpose=Purpose.NEWSLETTER,
                granted=False,
                words=wording.ERASED,
                source=Source.PREFERENCES,
                ip=ip,
            )
    if subscriber.marketing:
        consent_record(
            subscriber=subscriber,
            edition=None,
            purpose=Purpose.MARKETING,
            granted=False,
            words=wording.ERASED,
            source=Source.PREFERENCES,
            ip=ip,
        )
    suppression_add(email=subscriber.email, reason=Suppression.Reason.ERASED)
    # The outbox keeps whole messages, addresses included: they are personal data too.
    OutboxMessage.objects.filter(recipients=subscriber.email).delete()
    subscriber.delete()
