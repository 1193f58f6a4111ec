"""Writes on subscribers, subscriptions, consent and suppressions (one transaction each).

Every change of a reader's consent writes a `ConsentEvent` in the same transaction, so the
ledger and the current state cannot disagree. Emails are queued as jobs after commit.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from django.db import connection, transaction

from headlines.core import clock, events, jobs
from headlines.core.errors import Conflict, DomainError, InvalidInput, NotFound
from headlines.core.models import Edition
from headlines.core.rows import PreparedInsert
from headlines.core.selectors import edition_open
from headlines.core.services import parse_timezone
from headlines.stories.topics import topic_slugs_clean
from headlines.subscriptions import wording
from headlines.subscriptions.addresses import email_validate
from headlines.subscriptions.consent import (
    clean_text,
    consent_record,
    grants_prepared,
    grants_record,
)
from headlines.subscriptions.hashing import email_hash, ip_hash, without_addresses
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription, Suppression
from headlines.subscriptions.ratelimit import signup_attempt_check
from headlines.subscriptions.selectors import Held

T = TypeVar("T")
Source = ConsentEvent.Source
Purpose = ConsentEvent.Purpose
Status = Subscription.Status
UNSUBSCRIBED_SINCE = "You have unsubscribed since this link was sent. Please sign up again."


class RateLimited(DomainError):
    """Too many sign-ups from one client; the edge answers 429."""


def subscription_event(event_type: str, subscription: Subscription) -> None:
    """Publish a reader's change (webhooks): who, which edition, and where it stands now."""
    events.publish(event_type, _event_data(subscription))


def _event_data(subscription: Subscription) -> dict[str, Any]:
    return {
        "email": subscription.subscriber.email,
        "edition": subscription.edition.slug,
        "status": subscription.status,
    }


@transaction.atomic
def suppression_add(*, email: str, reason: str, detail: str = "") -> Suppression:
    """Never mail `email` again. Idempotent: a second call keeps the first reason."""
    if reason not in Suppression.Reason.values:
        raise ValueError(f"unknown suppression reason {reason!r}")
    detail = without_addresses(detail)[:2000]  # kept for ever, erasure or not
    suppression, _ = Suppression.objects.get_or_create(
        email_hash=email_hash(email), defaults={"reason": reason, "detail": detail}
    )
    return suppression


def _subscriber_for(email: str, name: str = "") -> Subscriber:
    subscriber, _ = Subscriber.objects.get_or_create(
        email_hash=email_hash(email), defaults={"email": email, "name": name}
    )
    return subscriber


def _enabled_edition(edition_id: int) -> Edition:
    edition = edition_open(pk=edition_id)
    if edition is None:
        raise NotFound("This newsletter is not open for sign-up.")
    return edition


def subscription_request(
    *,
    email: str,
    edition_id: int,
    marketing: bool,
    source: str,
    ip: str | None = None,
    topics: Sequence[str] = (),
    edition: Edition | None = None,
) -> None:
    """A sign-up from the form, the widget or the API. Returns nothing, whatever happened.

    `edition`: the open edition `edition_id` names, when the caller has just looked it up with
    `core.selectors.edition_open` in this request (the sign-up doors do); otherwise it is looked
    up here. Either way a closed edition is NotFound.

    `topics` (slugs of the edition's topics; empty = the whole digest) are checked before
    anything is stored and become the subscription's choice, also for a reader re-asking.

    The caller shows the same thanks page whether the address was new, pending, confirmed or
    suppressed: only the inbox's owner learns which (a confirmation, or an "already subscribed"
    email). Over the per-address limit nothing is sent; over the per-IP limit, RateLimited.

    Checking the address, finding the edition, hashing and computing the new rows (a new
    reader's subscription, the consent grants, the confirmation job) happen before the
    transaction: on SQLite a transaction holds the database's one write lock, so only the
    statements run inside it.
    """
    address = email_validate(email)
    if edition is None or edition.pk != edition_id or not edition.enabled:
        edition = _enabled_edition(edition_id)
    chosen = topic_slugs_clean(edition_id=edition.pk, slugs=topics) if topics else None
    keys = (ip_hash(ip), email_hash(address))
    rows = _RequestRows(
        subscription=PreparedInsert(
            Subscription(
                edition=edition,
                status=Status.PENDING,
                marketing_requested=bool(marketing),
                topics=chosen or [],
            )
        ),
        grants=grants_prepared(
            email_hash=keys[1],
            edition=edition,
            marketing=bool(marketing),
            source=source,
            newsletter_words=wording.newsletter_offer(edition),
            ip_key=keys[0],
        ),
        confirmation=jobs.enqueue_prepared("subscriptions.send_confirmation"),
    )
    with transaction.atomic():
        _request_record(address, keys, edition, bool(marketing), chosen, rows)


@dataclass(frozen=True)
class _RequestRows:
    """subscription_request's new rows, computed before its transaction."""

    subscription: PreparedInsert[Subscription]  # written only for a reader new this request
    grants: list[PreparedInsert[ConsentEvent]]
    confirmation: Callable[..., int]  # the confirmation email's job, given its subscription


def _request_record(
    address: str,
    keys: tuple[str, str],
    edition: Edition,
    marketing: bool,
    topics: list[str] | None,
    rows: _RequestRows,
) -> None:
    """subscription_request's writes, inside its transaction (`topics` None: leave as is)."""
    ip_key, address_key = keys
    # Whether the address is suppressed and who holds it is read with the limits' counts.
    verdict = signup_attempt_check(
        ip_key=ip_key,
        address_key=address_key,
        also=[(sql, [address_key]) for sql in READER_COLUMNS],
    )
    if not verdict.ip_allowed:
        raise RateLimited("Too many sign-ups from your network. Please try again in an hour.")
    if not verdict.address_allowed:
        return
    suppressed, subscriber_id = verdict.also
    found = _reader_lookup(address, address_key, bool(suppressed), subscriber_id)
    if found is None:  # suppressed: the same thanks, nothing stored, nothing sent
        return
    subscriber, new_reader = found
    if new_reader:  # nobody else can hold a subscription of a reader created just now
        subscription = rows.subscription.run(subscriber_id=subscriber.pk)
        subscription.subscriber = subscriber
        restarted = True
    else:
        subscription, created = Subscription.objects.select_for_update().get_or_create(
            subscriber=subscriber, edition=edition
        )
        if subscription.status == Status.CONFIRMED:
            jobs.enqueue("subscriptions.send_already_subscribed", subscription_id=subscription.pk)
            return
        restarted = created or subscription.status != Status.PENDING
        subscription.status = Status.PENDING
        subscription.marketing_requested = marketing
        if topics is not None:
            subscription.topics = topics
        subscription.save(update_fields=["status", "marketing_requested", "topics"])
    for grant in rows.grants:
        grant.run(subscriber_id=subscriber.pk)
    if restarted:
        subscription_event(events.SUBSCRIBER_CREATED, subscription)
    rows.confirmation(subscription_id=subscription.pk)


@transaction.atomic
def subscription_confirmation_resend(*, subscription_id: int, ip: str | None = None) -> bool:
    """A new confirmation email for a pending reader whose link expired, to the address they
    signed up with. False when nothing is sent: the reader is no longer pending, or the
    address is over its sign-up limit; RateLimited over the per-IP one (as a sign-up)."""
    subscription = _locked_subscription(subscription_id)
    if subscription.status != Status.PENDING:
        return False
    verdict = signup_attempt_check(
        ip_key=ip_hash(ip), address_key=subscription.subscriber.email_hash
    )
    if not verdict.ip_allowed:
        raise RateLimited("Too many sign-ups from your network. Please try again in an hour.")
    if not verdict.address_allowed:
        return False
    jobs.enqueue("subscriptions.send_confirmation", subscription_id=subscription.pk)
    return True


# READER_COLUMNS: is the address suppressed, and which subscriber holds it, read in the rate
# limit's statement (`signup_attempt_check`'s `also`); SUBSCRIBER_INSERT_SQL: a new reader's
# row, or none if another sign-up just made it (a unique key clashed). Written out because they
# run on every sign-up inside its write transaction, where the ORM's get_or_create took four
# statements (SELECT, SAVEPOINT, INSERT, RELEASE).
READER_COLUMNS = (
    "(SELECT 1 FROM subscriptions_suppression WHERE email_hash = %s)",
    "(SELECT id FROM subscriptions_subscriber WHERE email_hash = %s)",
)
SUBSCRIBER_INSERT_SQL = (
    "INSERT INTO subscriptions_subscriber (email, email_hash, name, marketing, created_at) "
    "VALUES (%s, %s, '', %s, %s) ON CONFLICT DO NOTHING RETURNING id"
)


def _reader_lookup(
    address: str, address_key: str, suppressed: bool, subscriber_id: object
) -> tuple[Subscriber, bool] | None:
    """The subscriber for `address` and whether they are new; None if it is suppressed.

    `suppressed` and `subscriber_id`: READER_COLUMNS's values, read in this transaction."""
    if suppressed:
        return None
    if subscriber_id is None:
        with connection.cursor() as cursor:
            now = clock.now()
            cursor.execute(
                SUBSCRIBER_INSERT_SQL,
                [address, address_key, False, connection.ops.adapt_datetimefield_value(now)],
            )
            row = cursor.fetchone()
            if row is not None:
                subscriber = Subscriber(
                    id=row[0], email=address, email_hash=address_key, created_at=now
                )
                subscriber._state.adding = False
                return subscriber, True
    return Subscriber.objects.get(email_hash=address_key), False


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
        raise Conflict(UNSUBSCRIBED_SINCE)
    subscriber, edition = subscription.subscriber, subscription.edition
    subscription.status = Status.CONFIRMED
    subscription.confirmed_at = clock.now()
    subscription.save(update_fields=["status", "confirmed_at"])
    marketing = subscription.marketing_requested and not subscriber.marketing
    if marketing:
        subscriber.marketing = True
        subscriber.save(update_fields=["marketing"])
    grants_record(
        subscriber=subscriber,
        edition=edition,
        marketing=marketing,
        source=Source.CONFIRMATION,
        newsletter_words=wording.confirm_button(edition),
        ip=ip,
    )
    subscription_event(events.SUBSCRIBER_CONFIRMED, subscription)
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
    subscription_event(events.SUBSCRIBER_UNSUBSCRIBED, subscription)
    return subscription


CONSENT_FLOOR = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class ImportedReader:
    """A reader who consented elsewhere, as a list (CSV, demo) describes them."""

    email: str
    consent_source: str
    consent_at: dt.datetime
    marketing: bool = False
    timezone: str = ""
    name: str = ""

    def cleaned(self) -> ImportedReader:
        """The same reader with every field checked and normalised, or InvalidInput: the first
        of `checked`'s problems, with the others `also`."""
        reader, problems = self.checked()
        if reader is None:
            first, *others = problems
            first.also = tuple(others)
            raise first
        return reader

    def checked(self) -> tuple[ImportedReader | None, list[InvalidInput]]:
        """The reader cleaned (`cleaned`) and no problems, or None and every field's problem,
        one each, in the order consent_at, consent_source, email, timezone, name: a list
        (`headlines subscribers import`) reports a row's every problem at once, so that it is
        mended in one pass."""
        problems: list[InvalidInput] = []

        def attempt(check: Callable[[], T]) -> T | None:
            try:
                return check()
            except InvalidInput as exc:
                problems.append(exc)
                return None

        attempt(self._consent_at_check)
        source = attempt(self._consent_source_cleaned)
        email = attempt(lambda: email_validate(self.email, check_dns=False))
        timezone = self.timezone.strip()
        zone = attempt(lambda: parse_timezone(timezone) if timezone else "")
        name = attempt(lambda: clean_text(self.name, field="name", max_length=200))
        if problems or source is None or email is None or zone is None or name is None:
            return None, problems
        reader = replace(
            self,
            email=email,
            consent_source=source,
            timezone=zone,
            name=name,
            marketing=bool(self.marketing),
        )
        return reader, []

    def _consent_at_check(self) -> None:
        if self.consent_at.tzinfo is None:
            raise InvalidInput(
                "consent_at needs a time zone, e.g. 2024-05-01T09:30:00Z", field="consent_at"
            )
        try:
            # Year 1 at +01:00 is year 0 in UTC, which no datetime holds: the save crashed.
            too_early = self.consent_at.astimezone(dt.UTC) < CONSENT_FLOOR
        except OverflowError:
            # Past either end of what a datetime holds: year 9999 at -23:59 is year 10000 in
            # UTC, and was called "before 1970"; it is refused as in the future below.
            too_early = self.consent_at.year < CONSENT_FLOOR.year
        if too_early:
            # No address consented to mail before 1970: a year such as 0001 is a blank field
            # another system filled in, and the ledger must not carry it as evidence.
            raise InvalidInput(
                f"consent_at {self.consent_at.isoformat()} is before 1970", field="consent_at"
            )
        if self.consent_at > clock.now():
            # Consent cannot be given after it is recorded: a future time is a typo or a
            # swapped day and month, and the ledger must not carry it as evidence.
            raise InvalidInput(
                f"consent_at {self.consent_at.isoformat()} is in the future", field="consent_at"
            )

    def _consent_source_cleaned(self) -> str:
        source = clean_text(self.consent_source, field="consent_source", max_length=200)
        if not source:
            raise InvalidInput("consent_source is empty", field="consent_source")
        return source

    @property
    def words(self) -> str:
        return (
            f"{wording.IMPORTED} Source: {self.consent_source}; "
            f"given at {self.consent_at.isoformat()}."
        )


class ImportOutcome(enum.Enum):
    """What importing one reader did to their subscription of the edition."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "already there"


def subscription_import_confirmed(
    *,
    email: str,
    edition_id: int,
    consent_source: str,
    consent_at: dt.datetime,
    marketing: bool = False,
    timezone: str = "",
    name: str = "",
    topics: Sequence[str] = (),
) -> Subscription:
    """A reader who already consented elsewhere arrives confirmed (CSV import, API, demo).

    Refuses suppressed addresses and readers who unsubscribed: an old list must not undo a
    reader's own withdrawal. `topics` given become the reader's choice; none leave it as it was.
    """
    chosen = topic_slugs_clean(edition_id=edition_id, slugs=topics) if topics else None
    reader = ImportedReader(email, consent_source, consent_at, marketing, timezone, name)
    with transaction.atomic():
        subscription, _ = subscription_import(edition_id=edition_id, reader=reader)
        if chosen is not None and chosen != subscription.topics:
            subscription.topics = chosen
            subscription.save(update_fields=["topics"])
    return subscription


def import_changes(reader: ImportedReader, held: Held) -> bool:
    """Whether `subscription_import` would change anything of a reader already confirmed in the
    edition (`held`, from `selectors.import_standing`), given `reader` (cleaned): as it does, a
    name only where theirs is empty, the time zone where the row gives one, marketing granted,
    never withdrawn. Topics are not its to change (`choices.subscriptions_topics_import`)."""
    return (
        (bool(reader.name) and not held.name)
        or (bool(reader.timezone) and reader.timezone != held.timezone)
        or (reader.marketing and not held.marketing)
    )


@transaction.atomic
def subscription_import(
    *, edition_id: int, reader: ImportedReader
) -> tuple[Subscription, ImportOutcome]:
    """subscription_import_confirmed, also saying whether the reader was new, changed or not
    (`import_changes` says the same of a reader already confirmed without writing)."""
    reader = reader.cleaned()
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        raise NotFound(f"no edition with id {edition_id}")
    if Suppression.objects.filter(email_hash=email_hash(reader.email)).exists():
        raise Conflict("address is suppressed (bounced, complained or erased)")
    subscriber = _subscriber_for(reader.email, reader.name)
    subscription, created = Subscription.objects.select_for_update().get_or_create(
        subscriber=subscriber, edition=edition
    )
    if subscription.status == Status.UNSUBSCRIBED:
        raise Conflict("reader unsubscribed from this edition; not resubscribed")
    before = (subscriber.name, subscription.status, subscription.timezone, subscriber.marketing)
    subscriber.name = subscriber.name or reader.name
    newly_confirmed = subscription.status != Status.CONFIRMED
    if newly_confirmed:
        # A reader new to us is confirmed as of the consent the list gives (created_at says
        # when we stored them). A reader we already held, pending, is confirmed now: the
        # consent's own time is in its ledger entry, and a digest going out looks for late
        # readers by created_at or confirmed_at, which an old consent date would hide.
        subscription.status = Status.CONFIRMED
        subscription.confirmed_at = reader.consent_at if created else clock.now()
    subscription.timezone = reader.timezone or subscription.timezone
    subscription.save()
    new_marketing = reader.marketing and not subscriber.marketing
    subscriber.marketing = subscriber.marketing or reader.marketing
    grants_record(
        subscriber=subscriber,
        edition=edition,
        newsletter=newly_confirmed,
        marketing=new_marketing,
        source=Source.IMPORT,
        newsletter_words=reader.words,
        marketing_words=reader.words,
    )
    subscriber.save()
    if newly_confirmed:
        subscription_event(events.SUBSCRIBER_CONFIRMED, subscription)
    after = (subscriber.name, subscription.status, subscription.timezone, subscriber.marketing)
    if not created and subscription.timezone != before[2]:
        # As the reader's own preferences page does: a digest waiting for their old evening
        # goes at the new one. Delivery imports this app: imported here, one way.
        from headlines.delivery.services import deliveries_retime

        deliveries_retime(subscription_ids=[subscription.pk], now=clock.now())
    if created:
        return subscription, ImportOutcome.NEW
    return subscription, ImportOutcome.CHANGED if after != before else ImportOutcome.UNCHANGED


@transaction.atomic
def subscribers_import_new(*, edition_id: int, readers: Sequence[ImportedReader]) -> int:
    """Bulk twin of subscription_import_confirmed for addresses not yet known at all.

    Three INSERTs per batch instead of a dozen queries per reader: a publisher's first import
    is often its whole list. If any address turns out to be known or suppressed (say, a
    sign-up raced the import) the whole call fails with IntegrityError or Conflict, and the
    caller falls back to the one-by-one path.
    """
    cleaned = [r.cleaned() for r in readers]
    edition = Edition.objects.get(pk=edition_id)
    hashes = [email_hash(r.email) for r in cleaned]
    if Suppression.objects.filter(email_hash__in=hashes).exists():
        raise Conflict("a suppressed address is in the batch")
    subscribers = Subscriber.objects.bulk_create(
        Subscriber(email=r.email, email_hash=h, name=r.name, marketing=r.marketing)
        for r, h in zip(cleaned, hashes, strict=True)
    )
    subscriptions = Subscription.objects.bulk_create(
        Subscription(
            subscriber=s,
            edition=edition,
            status=Status.CONFIRMED,
            confirmed_at=r.consent_at,
            timezone=r.timezone,
        )
        for s, r in zip(subscribers, cleaned, strict=True)
    )
    consents = []
    for subscriber, reader in zip(subscribers, cleaned, strict=True):
        purposes = [Purpose.NEWSLETTER] + ([Purpose.MARKETING] if reader.marketing else [])
        consents += [
            ConsentEvent(
                subscriber=subscriber,
                email_hash=subscriber.email_hash,
                edition=edition,
                purpose=purpose,
                granted=True,
                wording=reader.words,
                privacy_version=edition.privacy_version,
                source=Source.IMPORT,
            )
            for purpose in purposes
        ]
    ConsentEvent.objects.bulk_create(consents)
    # Each reader confirmed here is told of as subscription_import_confirmed tells of one: a
    # CRM following subscriber.confirmed heard of none of the readers new to a CSV import.
    # Together: the endpoints are read and the messages written once for the whole batch.
    events.publish_all(events.SUBSCRIBER_CONFIRMED, [_event_data(s) for s in subscriptions])
    return len(subscribers)
