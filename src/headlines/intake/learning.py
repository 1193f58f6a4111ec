"""Per-source memory of repeated lines, kept in the database so it outlives a run.

Counts are read once per run and written once at the end of it in one upsert. Only short
paragraphs are counted (furniture is short), which keeps the table small.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from headlines.core import clock
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
        """Load the source's counts once per run: one query, not one per article."""
        if self._loaded:
            return
        rows = RepeatedLine.objects.filter(source=self.source).values_list("line_hash", "seen")
        self.stored = dict(rows.iterator(chunk_size=5000))
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

    def flush(self) -> None:
        """Write the run's counts in one upsert (portable: ON CONFLICT on SQLite and PostgreSQL)."""
        if not self.added:
            return
        now = clock.now()
        self.prefetch(self.added)
        rows = [
            RepeatedLine(
                source=self.source,
                line_hash=key,
                example=self.examples.get(key, ""),
                seen=self.stored.get(key, 0) + added,
                last_seen_at=now,
            )
            for key, added in self.added.items()
        ]
        RepeatedLine.objects.bulk_create(
            rows,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["source", "line_hash"],
            update_fields=["seen", "last_seen_at"],
        )
        for key, added in self.added.items():
            self.stored[key] = self.stored.get(key, 0) + added
        self.added.clear()


def repeated_lines_prune(*, source: Source, older_than_days: int) -> int:
    """Forget lines seen once, long ago: the table stays the size of a source's furniture."""
    cutoff = clock.now() - dt.timedelta(days=older_than_days)
    deleted, _ = RepeatedLine.objects.filter(
        source=source, seen__lt=2, last_seen_at__lt=cutoff
    ).delete()
    return deleted
