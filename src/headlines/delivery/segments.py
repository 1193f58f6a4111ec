"""Rendered per segment, not per reader: readers who chose the same topics share one body.

A send keeps one `DigestTemplate` per topic set it meets, built the first time a reader of that
set comes up (the whole digest for readers with no choice is the stored rendering). A reader's
own part stays the cheap substitution of `DigestTemplate.render`. Who gets per-reader parts is
read once, for the whole digest, and shared: it is the same for every segment, and read per
segment it was the edition's whole engagement ledger again (1 s at 500,000 readers) for each
topic set a send met.
"""

from __future__ import annotations

import threading

from headlines.delivery.message import DigestTemplate, configured_key
from headlines.digests.models import Digest
from headlines.digests.rendering import render_segment
from headlines.engagement.readers import ReaderTracking
from headlines.stories.topics import topics_of


class Segments:
    def __init__(self, digest: Digest, *, tracking: ReaderTracking | None = None) -> None:
        """`tracking`: who gets per-reader parts, when known (a test send's one reader);
        every reader of the digest by default."""
        self.digest = digest
        self.dkim = configured_key(digest)
        self.names = {t.slug: t.name for t in topics_of(edition_id=digest.edition_id)}
        self.order = list(self.names)
        self.whole = DigestTemplate(digest, dkim=self.dkim, tracking=tracking)
        self.templates: dict[tuple[str, ...], DigestTemplate] = {(): self.whole}
        self.lock = threading.Lock()

    def key(self, topics: tuple[str, ...]) -> tuple[str, ...]:
        """The reader's topics that still exist, in the editor's order (a removed topic drops
        out; a reader left with none gets the whole digest)."""
        chosen = set(topics)
        return tuple(s for s in self.order if s in chosen)

    def template(self, topics: tuple[str, ...]) -> DigestTemplate:
        key = self.key(topics)
        found = self.templates.get(key)
        if found is not None:
            return found
        with self.lock:
            if key not in self.templates:
                body = render_segment(self.digest, key, [self.names[s] for s in key])
                self.templates[key] = DigestTemplate(
                    self.digest, dkim=self.dkim, body=body, tracking=self.whole.tracking
                )
            return self.templates[key]
