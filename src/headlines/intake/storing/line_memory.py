"""Per-source memory of repeated lines, kept in the database so it outlives a run.

Counts are read once per run and added to at the end of it. Only short lines are counted
(furniture is short), and lines seen once are forgotten after a month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q

from headlines.core import clock
from headlines.core.housekeeping import delete_old_rows
from headlines.intake.models import RepeatedLine, Source


class SourceLineMemory:
    def __init__(self, source: Source, *, threshold: int) -> None:
        self.source = source
        self.threshold = threshold
        self.stored: dict[str, int] = {}
        self.added: dict[str, int] = {}
        self.examples: dict[str, str] = {}
        self._loaded = False

    def prefetch(self, keys: Iterable[str]) -> None:
        """Load, once per run, the lines this source has shown more than once.

        Lines seen once (most of them: every article has its own) stay in the table but are not
        loaded; the run's own sightings still count, and the upsert adds to what is stored.
        """
        if self._loaded:
            return
        rows = RepeatedLine.objects.filter(source=self.source, seen__gte=2)
        self.stored = dict(rows.values_list("line_hash", "seen").iterator(chunk_size=5000))
        self._loaded = True

    def count(self, key: str) -> int:
        self.prefetch(())
        return self.stored.get(key, 0) + self.added.get(key, 0)

    def is_repeated(self, key: str) -> bool:
        return self.count(key) >= self.threshold

    def record(self, keys: Iterable[str], examples: dict[str, str]) -> None:
        for key in keys:
            self.added[key] = self.added.get(key, 0) + 1
            self.examples.setdefault(key, examples.get(key, "")[:300])

    def discard(self) -> None:
        """Forget the run's sightings, unstored."""
        self.added.clear()
        self.examples.clear()

    def flush(self) -> None:
        """Add the run's sightings to the stored counts, in batches of one statement each."""
        if not self.added:
            return
        now = clock.now()
        items = list(self.added.items())
        table = RepeatedLine._meta.db_table
        # Named raw query `repeated_lines_add`: Django's upsert can only overwrite a count, not
        # add to it. INSERT … ON CONFLICT … DO UPDATE with `excluded` is the same SQL on SQLite
        # (3.24+) and PostgreSQL.
        sql = (
            f"INSERT INTO {table} (source_id, line_hash, example, seen, last_seen_at) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (source_id, line_hash) DO UPDATE SET "
            f"seen = {table}.seen + excluded.seen, last_seen_at = excluded.last_seen_at"
        )
        rows = [(self.source.pk, k, self.examples.get(k, ""), n, now) for k, n in items]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        for key, added in items:
            self.stored[key] = self.stored.get(key, 0) + added
        self.added.clear()


def repeated_lines_prune(*, older_than_days: int) -> int:
    """Forget lines seen once, long ago: the table stays the size of the sources' furniture.

    A month after a large import its lines seen once leave together (one run stamps them all),
    so on SQLite they go a chunk at a time, oldest first (`delete_old_rows`); a line seen again
    meanwhile (an ingest's upsert adds to `seen`) is kept."""
    cutoff = clock.now() - dt.timedelta(days=older_than_days)
    once = Q(seen__lt=2)
    old = RepeatedLine.objects.filter(once, last_seen_at__lt=cutoff)
    return delete_old_rows(old, order_by="last_seen_at", still=once)
