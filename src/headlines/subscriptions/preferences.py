"""Services of the preferences page: what the reader receives and when, export's twin (erase).

Each function is one transaction and writes the consent ledger alongside the change.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from headlines.core import clock, events
from headlines.core.errors import InvalidInput, NotFound
from headlines.core.models import Edition
from headlines.core.services import parse_timezone
from headlines.subscriptions import wording
from headlines.subscriptions.choices import subscription_topics_set
from headlines.subscriptions.consent import consent_record, last_said_yes
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription, Suppression
from headlines.subscriptions.services import subscription_event, suppression_add

Source = ConsentEvent.Source
Purpose = ConsentEvent.Purpose
Status = Subscription.Status


def _locked_subscriber(subscriber_id: int) -> Subscriber:
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:
        raise NotFound("This subscription no longer exists.")
    return subscriber


@transaction.atomic
def subscriber_preferences_update(
    *,
    subscriber_id: int,
    edition_ids: set[int],
    marketing: bool,
    timezone: str = "",
    send_hour: int | None = None,
    ip: str | None = None,
    topics: dict[int, list[str]] | None = None,
) -> Subscriber:
    """The preferences page: which editions, marketing, and when mail arrives.

    The reader proved they hold the inbox by opening a signed link, so ticking a new edition
    confirms it at once. The time zone and hour apply to all the reader's subscriptions.
    """
    subscriber = _locked_subscriber(subscriber_id)
    timezone = parse_timezone(timezone.strip()) if timezone.strip() else ""
    if send_hour is not None and not 0 <= send_hour <= 23:
        raise InvalidInput("Delivery hour must be between 0 and 23", field="send_hour")
    _topics_have_a_newsletter(subscriber, edition_ids, topics or {})
    now = clock.now()
    for edition in Edition.objects.filter(enabled=True):
        _edition_choice_apply(subscriber, edition, edition.pk in edition_ids, now=now, ip=ip)
    Subscription.objects.filter(subscriber=subscriber).update(
        timezone=timezone, send_hour=send_hour
    )
    # Delivery imports this app: imported here, to keep the import one-way. Digests already
    # waiting for the reader's old evening go at the new one.
    from headlines.delivery.services import deliveries_retime

    deliveries_retime(
        subscription_ids=list(
            Subscription.objects.filter(subscriber=subscriber).values_list("id", flat=True)
        ),
        now=now,
    )
    for edition_id, slugs in (topics or {}).items():
        for sub_id in Subscription.objects.filter(
            subscriber=subscriber, edition_id=edition_id
        ).values_list("id", flat=True):
            subscription_topics_set(subscription_id=sub_id, topics=slugs)
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


def _topics_have_a_newsletter(
    subscriber: Subscriber, edition_ids: set[int], topics: dict[int, list[str]]
) -> None:
    """Topics are kept on the reader's subscription to their edition: topics of an edition the
    reader neither ticks nor ever had would be dropped while the page said "saved"."""
    wanted = {e for e, slugs in topics.items() if slugs} - edition_ids
    held = set(
        Subscription.objects.filter(subscriber=subscriber, edition_id__in=wanted).values_list(
            "edition_id", flat=True
        )
    )
    missing = Edition.objects.filter(pk__in=wanted - held).order_by("name").first()
    if missing is not None:
        raise InvalidInput(
            f"To choose topics of the {missing.name} email, "
            f"tick “{wording.preferences_newsletter(missing)}” too.",
            field="topics",
        )


def _edition_choice_apply(
    subscriber: Subscriber, edition: Edition, wanted: bool, *, now: dt.datetime, ip: str | None
) -> None:
    subscription = Subscription.objects.filter(subscriber=subscriber, edition=edition).first()
    current = subscription is not None and subscription.status == Status.CONFIRMED
    if wanted == current:
        return
    if subscription is None:
        subscription = Subscription(subscriber=subscriber, edition=edition)
    if wanted:
        # Back again: the row says when they joined, not a leaving that no longer holds (the
        # consent ledger keeps both).
        subscription.status, subscription.confirmed_at = Status.CONFIRMED, now
        subscription.unsubscribed_at = None
    elif subscription.status == Status.PENDING:
        return  # an unconfirmed sign-up is the confirmation email's business
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
    subscription_event(
        events.SUBSCRIBER_CONFIRMED if wanted else events.SUBSCRIBER_UNSUBSCRIBED, subscription
    )


@transaction.atomic
def subscriber_erase(
    *, subscriber_id: int, ip: str | None = None, source: str = Source.PREFERENCES
) -> None:
    """Delete everything personal about a reader; keep a hashed suppression and the ledger.

    The ledger rows stay (address hash only, subscriber set to NULL) as proof of what was
    agreed and withdrawn; the suppression makes sure the address is never mailed by mistake.
    """
    from headlines.core.models import OutboxMessage

    subscriber = _locked_subscriber(subscriber_id)
    withdrawn: list[tuple[Edition | None, str]] = [
        (s.edition, Purpose.NEWSLETTER)
        for s in subscriber.subscriptions.select_related("edition")
        if s.status != Status.UNSUBSCRIBED
    ]
    if subscriber.marketing:
        withdrawn.append((None, Purpose.MARKETING))
    withdrawn += [(edition, Purpose.ENGAGEMENT) for edition in _engagement_yes(subscriber)]
    for edition, purpose in withdrawn:
        consent_record(
            subscriber=subscriber,
            edition=edition,
            purpose=purpose,
            granted=False,
            words=wording.ERASED,
            source=source,
            ip=ip,
        )
    suppression_add(email=subscriber.email, reason=Suppression.Reason.ERASED)
    # Downstream systems (a CRM) learn the address once, to erase it too; the webhook row
    # drops it as soon as it is delivered or given up on.
    events.publish(
        events.SUBSCRIBER_ERASED,
        {
            "email": subscriber.email,
            "editions": sorted(s.edition.slug for s in subscriber.subscriptions.all()),
        },
    )
    # The outbox keeps whole messages, addresses included: they are personal data too.
    OutboxMessage.objects.filter(recipients=subscriber.email).delete()
    _staff_history_forget(subscriber)
    subscriber.delete()


def _engagement_yes(subscriber: Subscriber) -> list[Edition]:
    """The editions whose per-reader opens and clicks this reader last said yes to: erasing
    them ends it, and the ledger, which outlives them, has to say so (it showed a yes as their
    last word)."""
    rows = (
        ConsentEvent.objects.filter(subscriber=subscriber, purpose=Purpose.ENGAGEMENT)
        .order_by("created_at", "id")
        .values_list("edition_id", "granted")
    )
    return list(Edition.objects.filter(pk__in=last_said_yes(rows)))


def _staff_history_forget(subscriber: Subscriber) -> None:
    """The admin's history (django_admin_log) names each row it logged by its str(), which for a
    reader and their subscriptions is the address, and keeps it for ever: an erasure by staff
    wrote the address there at the very moment it deleted it everywhere else."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    rows = [
        (Subscriber, [subscriber.pk]),
        (Subscription, list(subscriber.subscriptions.values_list("pk", flat=True))),
    ]
    for model, pks in rows:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=[str(pk) for pk in pks],
        ).update(object_repr=f"({model._meta.verbose_name} erased)")
