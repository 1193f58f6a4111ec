"""Counting clicks per story and digest, with link scanners left out."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from headlines.core import clock
from headlines.core.errors import NotFound
from headlines.digests.models import Digest, DigestItem
from headlines.engagement.links import read_click_token
from headlines.engagement.models import Click
from headlines.subscriptions.hashing import ip_hash

OUT = (Digest.State.SENDING, Digest.State.SENT)


def _scanner_window() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.CONFIG["HEADLINES_CLICK_SCANNER_SECONDS"]))


@transaction.atomic
def click_record(*, token: str, ip: str | None, count: bool = True) -> str:
    """The URL behind a digest link; records the click unless `count` is False (a HEAD).

    Only links of digests that went out are followed, and only to the item's own URL. A burst
    of HEADLINES_CLICK_SCANNER_LINKS different links from one address within the window marks
    every click of that burst as a scanner's: none of them is counted.
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
        raise NotFound("This link is not valid.")
    if count:
        _count(item, client=ip_hash(ip))
    return item.url


def clicks_forget_addresses() -> int:
    """Blank the address hashes older than the scanner window (after each click, and every
    minute from the scheduler, so none outlives the window by more than that)."""
    cutoff = clock.now() - _scanner_window()
    return Click.objects.filter(client_hash__gt="", at__lt=cutoff).update(client_hash="")


def _count(item: DigestItem, *, client: str) -> None:
    now = clock.now()
    window = _scanner_window()
    clicks_forget_addresses()
    Click.objects.create(digest_id=item.digest_id, item=item, client_hash=client)
    if not client:
        return
    burst = Click.objects.filter(digest_id=item.digest_id, client_hash=client, at__gte=now - window)
    links = int(settings.CONFIG["HEADLINES_CLICK_SCANNER_LINKS"])
    if burst.values("item_id").distinct().count() >= links:
        burst.update(counted=False)
