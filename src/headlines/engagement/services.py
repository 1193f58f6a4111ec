"""Counting clicks per story and digest, with link scanners left out."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from headlines.core import clock
from headlines.core.errors import Conflict, InvalidInput, NotFound
from headlines.core.models import Edition
from headlines.digests.models import Digest, DigestItem
from headlines.engagement.links import read_click_token
from headlines.engagement.models import Click, EditionTracking, ReaderEvent
from headlines.engagement.readers import (
    own_privacy_notice,
    read_reader_token,
    reader_says_yes,
    tracking_active,
)
from headlines.subscriptions.consent import consent_record
from headlines.subscriptions.hashing import ip_hash
from headlines.subscriptions.models import ConsentEvent, Subscription

READER_WORDS = (
    "Count when I open this newsletter and which stories I click, as the privacy notice says."
)

OUT = (Digest.State.SENDING, Digest.State.SENT)
NOT_YET_SENT = (
    "This digest has not been sent yet: its story links (in a test email or a preview) open "
    "once it is."
)


def _scanner_window() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.CONFIG["HEADLINES_CLICK_SCANNER_SECONDS"]))


@transaction.atomic
def click_record(*, token: str, ip: str | None, count: bool = True, reader: str = "") -> str:
    """The URL behind a digest link; records the click unless `count` is False (a HEAD).

    Only links of digests that went out are followed, and only to the item's own URL (a test
    of a digest not yet sent is told so, not that its link is invalid). A burst of
    HEADLINES_CLICK_SCANNER_LINKS different links from one address within the window marks
    every click of that burst as a scanner's: none of them is counted, for the story or for a
    reader.
    """
    found = read_click_token(token)
    if found is None:
        raise NotFound("This link is not valid.")
    digest_id, item_id = found
    item = (
        DigestItem.objects.select_related("digest")
        .filter(pk=item_id, digest_id=digest_id, digest__state__in=OUT)
        .exclude(url="")
        .first()
    )
    if item is None:
        if DigestItem.objects.filter(pk=item_id, digest_id=digest_id).exclude(url="").exists():
            raise NotFound(NOT_YET_SENT)
        raise NotFound("This link is not valid.")
    if count:
        click = Click.objects.create(digest_id=item.digest_id, item=item, client_hash=ip_hash(ip))
        if reader:
            reader_event_record(token=reader, kind=ReaderEvent.Kind.CLICK, item=item, click=click)
        _scanner_check(click)
    return item.url


def clicks_forget_addresses() -> int:
    """Blank the address hashes older than the scanner window (after each click, and every
    minute from the scheduler, so none outlives the window by more than that)."""
    cutoff = clock.now() - _scanner_window()
    return Click.objects.filter(client_hash__gt="", at__lt=cutoff).update(client_hash="")


def _scanner_check(click: Click) -> None:
    """Leave `click` and the rest of its address's burst out, if it makes one: of the story's
    figures, and of the readers' own clicks (a scanner opened them, not the reader)."""
    clicks_forget_addresses()
    if not click.client_hash:
        return
    burst = Click.objects.filter(
        digest_id=click.digest_id,
        client_hash=click.client_hash,
        at__gte=clock.now() - _scanner_window(),
    )
    links = int(settings.CONFIG["HEADLINES_CLICK_SCANNER_LINKS"])
    if burst.values("item_id").distinct().count() >= links:
        burst.update(counted=False)
        ReaderEvent.objects.filter(click__in=burst).delete()


# --- per reader, only where the edition and the reader both said yes ----------------------------


@transaction.atomic
def edition_tracking_set(*, edition_id: int, per_reader: bool, privacy_version: str) -> None:
    """Switch per-reader opens and clicks on or off for an edition.

    On only with a published privacy notice (`privacy_url`) whose current version is the one
    given: staff confirm that this version tells readers about it. A later version switches it
    off until confirmed again.
    """
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        raise NotFound(f"no edition {edition_id}")
    if per_reader and not own_privacy_notice(edition):
        raise InvalidInput(
            "the edition has no privacy notice of its own (privacy_url); the built-in one says "
            "nothing about per-reader counting",
            field="per_reader",
        )
    if per_reader and privacy_version != edition.privacy_version:
        raise InvalidInput(
            f"the privacy notice's current version is {edition.privacy_version!r}, not "
            f"{privacy_version!r}: confirm the version that tells readers about per-reader "
            "counting",
            field="privacy_version",
        )
    EditionTracking.objects.update_or_create(
        edition=edition, defaults={"per_reader": per_reader, "privacy_version": privacy_version}
    )


@transaction.atomic
def reader_tracking_choose(*, subscription_id: int, yes: bool, ip: str | None = None) -> None:
    """The reader's own yes or no for one edition, appended to the consent ledger."""
    subscription = Subscription.objects.select_related("subscriber", "edition").get(
        pk=subscription_id
    )
    if yes and not tracking_active(subscription.edition):
        raise Conflict(f"{subscription.edition.name} does not count opens and clicks per reader")
    consent_record(
        subscriber=subscription.subscriber,
        edition=subscription.edition,
        purpose=ConsentEvent.Purpose.ENGAGEMENT,
        granted=yes,
        words=READER_WORDS,
        source=ConsentEvent.Source.PREFERENCES,
        ip=ip,
    )


def reader_event_record(
    *, token: str, kind: str, item: DigestItem | None = None, click: Click | None = None
) -> bool:
    """Record an open or a click for the reader in `token`, if they still read the edition and
    they and the edition still say yes (a reader who withdrew or unsubscribed since the email
    went is not counted). Only for a digest that went out (a test of a draft is nobody's open),
    and a click only on a story of the token's own digest. True when recorded."""
    found = read_reader_token(token)
    if found is None:
        return False
    digest_id, subscription_id = found
    if item is not None and item.digest_id != digest_id:
        return False  # one email's reader part on another digest's link: made by hand
    subscription = Subscription.objects.select_related("edition").filter(pk=subscription_id).first()
    if subscription is None or subscription.status != Subscription.Status.CONFIRMED:
        return False  # unsubscribed: the choice page no longer even offers them a no
    if not tracking_active(subscription.edition):
        return False
    if not reader_says_yes(
        subscriber_id=subscription.subscriber_id, edition_id=subscription.edition_id
    ):
        return False
    went_out = Digest.objects.filter(
        pk=digest_id, edition_id=subscription.edition_id, state__in=OUT
    )
    if not went_out.exists():
        return False
    ReaderEvent.objects.create(
        kind=kind, digest_id=digest_id, item=item, subscription=subscription, click=click
    )
    return True
