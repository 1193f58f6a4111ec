"""Reads on digests."""

from __future__ import annotations

import datetime as dt

from headlines.core.errors import NotFound
from headlines.digests.models import Digest


def digest_get(*, digest_id: int) -> Digest:
    try:
        return Digest.objects.select_related("edition").get(pk=digest_id)
    except Digest.DoesNotExist:
        raise NotFound(f"no digest {digest_id}") from None


def digest_for(*, edition_id: int, day: dt.date) -> Digest | None:
    return Digest.objects.select_related("edition").filter(edition_id=edition_id, date=day).first()
