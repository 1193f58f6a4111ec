"""Reads on engagement: clicks per story of a digest, and per edition over its digests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from headlines.digests.models import Digest, DigestItem


@dataclass(frozen=True)
class StoryClicks:
    position: int
    headline: str
    clicks: int


def clicks_per_story(*, digest_id: int) -> list[StoryClicks]:
    """Every story of the digest with its counted clicks, in the digest's order."""
    items = (
        DigestItem.objects.filter(digest_id=digest_id, dropped=False)
        .annotate(n=Count("clicks", filter=Q(clicks__counted=True)))
        .order_by("position", "id")
    )
    return [StoryClicks(i.position, i.headline, i.n) for i in items]


def clicks_trend(*, edition_id: int, digests: int = 14) -> list[tuple[dt.date, int]]:
    """Counted clicks of the edition's last `digests` digests that went out, oldest first."""
    rows = (
        Digest.objects.filter(edition_id=edition_id, state__in=("sending", "sent"))
        .annotate(n=Count("clicks", filter=Q(clicks__counted=True)))
        .order_by("-date")[:digests]
    )
    return sorted((d.date, d.n) for d in rows)


def digests_with_clicks(*, edition_id: int, digests: int = 5) -> list[tuple[Digest, int]]:
    rows = (
        Digest.objects.filter(edition_id=edition_id, state__in=("sending", "sent"))
        .annotate(n=Count("clicks", filter=Q(clicks__counted=True)))
        .order_by("-date")[:digests]
    )
    return [(d, d.n) for d in rows]


def reader_events(*, subscription_ids: list[int]) -> list[dict[str, object]]:
    """The opens and clicks counted for these subscriptions (only ever with their consent):
    for the reader's export."""
    from headlines.engagement.models import ReaderEvent

    rows = (
        ReaderEvent.objects.filter(subscription_id__in=subscription_ids)
        .select_related("digest__edition", "item")
        .order_by("at", "id")
    )
    return [
        {
            "at": e.at.isoformat(),
            "kind": e.kind,
            "edition": e.digest.edition.slug,
            "digest": e.digest.date.isoformat(),
            "story": e.item.headline if e.item else None,
        }
        for e in rows
    ]
