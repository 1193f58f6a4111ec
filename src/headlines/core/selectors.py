"""Reads on editions and the outbox."""

from __future__ import annotations

import copy
import time

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

# Even so, under a spike of sign-ups that read was a fourteenth of a sign-up's CPU (the widget's
# GET and its POST each make it), for a row an editor changes a few times a year. Each process
# keeps what it read for OPEN_SECONDS: saving or deleting an edition clears it at once in the
# process that did it (core.apps), and another process sees the change within that time.
OPEN_SECONDS = 1.0
_OPEN_MAX = 256  # slugs come from paths anyone can vary: the memory stays small
_open: dict[tuple[str, object], tuple[float, Edition | None]] = {}


def edition_open(*, slug: str | None = None, pk: int | None = None) -> Edition | None:
    """The enabled edition with this slug (or primary key), or None: as the database said at
    most OPEN_SECONDS ago. The instance is the caller's own (a copy of the one kept)."""
    column, value = ("slug", slug) if pk is None else ("id", pk)
    now = time.monotonic()
    kept = _open.get((column, value))
    if kept is not None and now - kept[0] < OPEN_SECONDS:
        found = kept[1]
    else:
        rows = rows_select(Edition, EDITION_OPEN_WHERE.format(column=column), [value, True])
        found = rows[0] if rows else None
        if len(_open) >= _OPEN_MAX:
            _open.clear()
        _open[(column, value)] = (now, found)
    return copy.copy(found) if found is not None else None


def edition_open_forget(**_: object) -> None:
    """Drop every edition `edition_open` keeps (connected to Edition's save and delete)."""
    _open.clear()


def edition_get(*, slug: str) -> Edition:
    """The edition `slug` names, as typed or as `edition add` stored it (`US` finds `us`)."""
    # edition_create stores a slug lower-cased and trimmed; a slug typed as it was given to
    # `edition add` ("US") said "no edition 'US'" on every other command.
    found = sorted(
        Edition.objects.filter(slug__in={slug, slug.strip().lower()}),
        key=lambda e: e.slug != slug,  # an exact match first
    )
    if not found:
        known = ", ".join(Edition.objects.values_list("slug", flat=True)) or "none yet"
        raise NotFound(f"no edition {slug!r} (known: {known})")
    return found[0]


def outbox_list() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.all()
