"""Reads on editions and the outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from headlines.core.errors import NotFound
from headlines.core.models import Edition, OutboxMessage


def edition_list(*, enabled_only: bool = False) -> QuerySet[Edition]:
    editions = Edition.objects.all()
    return editions.filter(enabled=True) if enabled_only else editions


def edition_get(*, slug: str) -> Edition:
    try:
        return Edition.objects.get(slug=slug)
    except Edition.DoesNotExist:
        known = ", ".join(Edition.objects.values_list("slug", flat=True)) or "none yet"
        raise NotFound(f"no edition {slug!r} (known: {known})") from None


def outbox_list() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.all()
