"""Reads on digests."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db.models import Q, QuerySet

from headlines.core import selectors as core_selectors
from headlines.core.errors import NotFound
from headlines.core.models import Edition
from headlines.digests.models import Digest, DigestItem


def digest_get(*, digest_id: int) -> Digest:
    try:
        return Digest.objects.select_related("edition").get(pk=digest_id)
    except Digest.DoesNotExist:
        raise NotFound(f"no digest {digest_id}") from None


def digests_recent(
    *, edition_id: int | None = None, limit: int = 50, after_id: int | None = None
) -> list[Digest]:
    """The newest digests (of one edition, or all), any state, newest day first. `after_id`
    pages on: the digests that come after that one in this order (a keyset on day and id, so
    a page boundary inside a day of several editions neither skips nor repeats one)."""
    digests = Digest.objects.select_related("edition").order_by("-date", "id")
    if edition_id is not None:
        digests = digests.filter(edition_id=edition_id)
    if after_id is not None:
        day = Digest.objects.filter(pk=after_id).values_list("date", flat=True).first()
        if day is None:
            raise NotFound(f"no digest {after_id} to page after")
        digests = digests.filter(Q(date__lt=day) | Q(date=day, id__gt=after_id))
    return list(digests[:limit])


def digest_for(*, edition_id: int, day: dt.date) -> Digest | None:
    return Digest.objects.select_related("edition").filter(edition_id=edition_id, date=day).first()


PUBLISHED = (Digest.State.SENDING, Digest.State.SENT)


def digest_web_url(*, digest: Digest) -> str:
    """The digest's public page (the email's "view in your browser" link)."""
    from headlines.digests.rendering import web_url

    return web_url(digest)


def digests_published(*, edition_id: int) -> QuerySet[Digest]:
    """What the public archive shows: digests that have gone out (or are going out)."""
    return (
        Digest.objects.select_related("edition")
        .filter(edition_id=edition_id, state__in=PUBLISHED)
        .order_by("-date")
    )


def digests_listed(*, edition_id: int) -> QuerySet[Digest]:
    """`digests_published` for a list of them (the archive page, the sitemap): without their
    rendered HTML and text, about 18 KB a digest that a list never shows (a page of a year
    read 6.5 MB of it: 103 ms on PostgreSQL)."""
    return digests_published(edition_id=edition_id).defer("html", "text")


def digest_published(*, edition_id: int, day: dt.date) -> Digest:
    digest = digests_published(edition_id=edition_id).filter(date=day).first()
    if digest is None:
        raise NotFound(f"no published digest for {day:%Y-%m-%d}")
    return digest


def digest_has_stories(*, digest: Digest) -> bool:
    """Is there a story the digest would send (one item not dropped, and an edition that sends
    at least one)? Without one it is never approved: nobody is mailed an empty digest."""
    return digest.edition.max_stories > 0 and digest.items.filter(dropped=False).exists()


def digest_seen(*, digest_id: int) -> str:
    """A short fingerprint of a digest as an editor sees it: its state and every item's words,
    place, topics, pin and drop. The review screen sends back the one it was shown; another one
    means someone changed the digest in between (an edit, a rebuild, a story pulled in, an
    approval)."""
    state = Digest.objects.filter(pk=digest_id).values_list("state", flat=True).first()
    items = DigestItem.objects.filter(digest_id=digest_id).order_by("id")
    rows = items.values_list("id", "position", "headline", "summary", "topics", "pinned", "dropped")
    return hashlib.sha256(repr((state, list(rows))).encode()).hexdigest()[:16]


def digest_items(*, digest: Digest) -> QuerySet[DigestItem]:
    return digest.items.select_related("story").order_by("position", "id")


def edition_public(*, slug: str) -> Edition:
    """An edition whose archive readers may see: it exists and is enabled."""
    edition = core_selectors.edition_get(slug=slug)
    if not edition.enabled:
        raise NotFound(f"edition {slug!r} is not published")
    return edition
