"""Reads on editions and the outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from headlines.core.errors import NotFound
from headlines.core.models import Edition, OutboxMessage
from headlines.core.rows import rows_select


def edition_list(*, enabled_only: bool = False) -> QuerySet[Edition]:
    editions = Edition.objects.all()
    return editions.filter(enabled=True) if enabled_only else editions


# EDITION_OPEN_WHERE: the sign-up doors look their edition up on every request, and building
# this query through the ORM (even `Model.objects.raw`) cost more CPU than SQLite spends
# answering it (docs/benchmarks.md); core.rows builds the statement once.
EDITION_OPEN_WHERE = "{column} = %s AND enabled = %s"


def edition_open(*, slug: str | None = None, pk: int | None = None) -> Edition | None:
    """The enabled edition with this slug (or primary key), or None."""
    column, value = ("slug", slug) if pk is None else ("id", pk)
    found = rows_select(Edition, EDITION_OPEN_WHERE.format(column=column), [value, True])
    return found[0] if found else None


def edition_get(*, slug: str) -> Edition:
    try:
        return Edition.objects.get(slug=slug)
    except Edition.DoesNotExist:
        known = ", ".join(Edition.objects.values_list("slug", flat=True)) or "none yet"
        raise NotFound(f"no edition {slug!r} (known: {known})") from None


def outbox_list() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.all()
