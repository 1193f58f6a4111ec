"""Deleting what has served its time, without holding SQLite's one write lock for long.

The periodic jobs that forget old rows (the rate limits' attempts, done jobs, delivered webhook
messages) can meet an hour's or a day's backlog at once. On SQLite a transaction holds the
database's one write lock, which every sign-up and every send waits for; deleted in one
statement, a backlog held it for as long as that took: 0.9 s for the minute of a 500-a-second
sign-up spike's attempts, 3.3 s for that hour's 1.8 million done jobs a week later
(docs/benchmarks.md, "Old rows deleted a chunk at a time").
"""

from __future__ import annotations

import time
from typing import Any

from django.db import connections, transaction
from django.db.models import Q, QuerySet

# Rows deleted a transaction on SQLite: about 2 ms with the lock held (chunks of 1,000 or
# 2,000 took as long in all, with locks two and five times longer).
DELETE_CHUNK = 500


def delete_old_rows(
    rows: QuerySet[Any], *, order_by: str = "pk", chunk: int = DELETE_CHUNK, still: Q | None = None
) -> int:
    """Delete `rows`; how many went. For periodic jobs, never for a request.

    On PostgreSQL one statement: a delete there blocks no other writer, and chunks cost nine
    times its work (each commit waits for its flush). On SQLite `chunk` rows a transaction, in
    `order_by`'s order (the primary key, or a field an index of the filter reads in order),
    pausing after each as long as it took so that the writers waiting for the lock go first: a
    backlog takes about three times its one statement's time, in pieces of a few milliseconds.
    Each chunk is read before its transaction (a read waits for no lock), from where the last
    one ended, and deleted by primary key alone (with `rows`' conditions again SQLite read them
    off the filter's index instead: every row they match, each chunk). So a row once found must
    stay one to delete (old by a time that only grows older, in a final state), or be told by
    `still`: conditions checked again in the chunk's DELETE, on columns no index of the filter
    reads (so SQLite still goes by the ids), that a row which changed since it was read fails.
    The model must have no deletion signals and no rows pointing to it."""
    if connections[rows.db].vendor != "sqlite":
        deleted, _ = rows.delete()
        return deleted
    deleted = 0
    after = rows
    while True:
        found = list(after.order_by(order_by, "pk").values_list("pk", order_by)[:chunk])
        if found:
            began = time.monotonic()
            with transaction.atomic(using=rows.db):
                by_key = rows.model._default_manager.using(rows.db)
                chosen = by_key.filter(pk__in=[pk for pk, _ in found])
                gone, _ = (chosen if still is None else chosen.filter(still)).delete()
            deleted += gone
        if len(found) < chunk:
            return deleted
        # On from the last value (its ties included: those deleted are gone).
        after = rows.filter(**{f"{order_by}__gte": found[-1][1]})
        time.sleep(time.monotonic() - began)
