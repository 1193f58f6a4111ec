"""Storing clean articles, de-duplicated: the write side of every ingest and import.

A page already stored for the same source (same canonical URL; without one, same text from the
same outlet) is skipped, so a re-run changes nothing. A copy of something already stored (same
URL, same text, or near-identical text from another source, or from another address or another
outlet of the same one: three outlets of a mixed dump carrying one wire headline are three
reports) is stored and linked to the earliest copy with the reason.

Articles are written in batches: two lookups and two bulk inserts per batch instead of several
ORM round trips per article, which is what keeps an import close to the cost of extraction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connections, transaction

from headlines.core import clock
from headlines.intake.extraction.cleaning import MIN_WORDS, CleanArticle
from headlines.intake.models import Article, Source
from headlines.intake.reading.dates import as_datetime
from headlines.intake.scrubbing.segments import units
from headlines.intake.storing import dedup

INDEX_LIMIT = 200_000
SHARED_INDEX = dedup.SharedIndex()


def _database_name() -> str:
    # Tests switch databases; an index must never outlive the database it describes.
    return str(connections["default"].settings_dict["NAME"])


def dedup_key(article: CleanArticle) -> str:
    """What two copies of an article share: its text; for a brief (a headline with a line or no
    text at all) the headline with it, or every headline-only item would be one text."""
    if units(article.text) >= MIN_WORDS:
        return article.text
    return f"{article.title}\n{article.text}"


@dataclass
class Known:
    """What a lookup found about an earlier copy."""

    pk: int
    source_id: int
    root_id: int
    outlet: str = ""


@dataclass
class Pending:
    article: Article
    minhash: dedup.MinHash
    original: Pending | None = None  # an earlier article of the same batch


class ArticleSink:
    def __init__(
        self, source: Source, *, edition_ids: Iterable[int], window_days: int, threshold: float
    ) -> None:
        self.source = source
        self.edition_ids = sorted(set(edition_ids))
        self.window_days = window_days
        self.threshold = threshold
        self._index: dedup.NearIndex | None = None
        self._held_urls: set[int] = set()
        # What `prefetch_urls` looked up: canonical URL -> this source's article, or None.
        self._looked_up: dict[str, int | None] = {}

    @property
    def index(self) -> dedup.NearIndex:
        """The process's shared index, brought up to date once per run."""
        if self._index is None:
            since = clock.now() - dt.timedelta(days=self.window_days)

            def rows(after_id: int) -> Iterable[tuple[int, Any]]:
                recent = Article.objects.filter(
                    id__gt=after_id, created_at__gte=since, duplicate_of__isnull=True
                )
                latest = recent.order_by("-id").values_list("id", "minhash")[:INDEX_LIMIT]
                return latest.iterator(chunk_size=2000)

            self._index = SHARED_INDEX.get(
                rows, threshold=self.threshold, window_key=(self.window_days, _database_name())
            )
        return self._index

    def knows_url(self, url: str) -> bool:
        """True when this source already stored the page at `url` (skip fetching it again).

        The stored article joins this run's editions at the next `link_held()`: a dump of
        records with URLs imported again with `--edition` for a second edition was skipped here
        and never reached it, whose digest stayed empty."""
        canonical = dedup.canonical_url(url)
        if not canonical:
            return False
        if canonical not in self._looked_up:
            self._look_up({canonical})
        pk = self._looked_up[canonical]
        if pk is None:
            return False
        self._held_urls.add(pk)
        return True

    def prefetch_urls(self, urls: Iterable[str]) -> None:
        """Look up in one query which of `urls` (the next batch's) this source holds, for
        `knows_url`; what was looked up before is forgotten. (One query a record was a third
        of the time of importing a dump of headlines.)"""
        self._looked_up = {}
        wanted = {dedup.canonical_url(u) for u in urls} - {""}
        if wanted:
            self._look_up(wanted)

    def _look_up(self, canonicals: set[str]) -> None:
        """Which of `canonicals` this source holds (one article each at most: the unique
        constraint per source and address), into `_looked_up`."""
        self._looked_up.update(dict.fromkeys(canonicals))
        mine = Article.objects.filter(source=self.source, canonical_url__in=canonicals)
        self._looked_up.update(mine.values_list("canonical_url", "id"))

    def link_held(self) -> None:
        """Bring the articles `knows_url` found into this run's editions (one statement)."""
        held, self._held_urls = self._held_urls, set()
        self._link_editions(held)

    def add(self, article: CleanArticle) -> str:
        return self.add_many([article])[0]

    def add_many(self, articles: list[CleanArticle]) -> list[str]:
        """Store a batch; per article "new", "copy" (stored, linked to the earlier article it
        copies: another address's same or near-same text, listed in that article's story), or
        "duplicate" (already held: not stored again)."""
        self._looked_up = {}  # what a batch's prefetch found is out of date once it is stored
        keys = [dedup_key(a) for a in articles]
        hashes = [dedup.text_hash(key) for key in keys]
        by_url = self._lookup(
            "canonical_url", [a.canonical_url for a in articles if a.canonical_url]
        )
        by_text = self._lookup("text_hash", hashes)
        outcomes: list[str] = []
        batch: list[Pending] = []
        seen: dict[tuple[str, str], Pending] = {}
        held: set[int] = set()
        for article, key, text_hash in zip(articles, keys, hashes, strict=True):
            url = article.canonical_url
            # A page with an address is a repeat when its address is (a re-run, a re-import);
            # its text again at another address is a copy, stored and linked below. Without an
            # address, the same text from the same outlet is all there is to tell a repeat by.
            if url:
                mine, page = self._mine(by_url.get(url, [])), ("url", url)
            else:
                mine = self._mine(by_text.get(text_hash, []), article.outlet)
                page = ("text", f"{article.outlet}\n{text_hash}")
            if mine:
                held.update(mine)
                outcomes.append("duplicate")
                continue
            if page in seen:
                outcomes.append("duplicate")  # the same page twice in one batch
                continue
            minhash = dedup.signature(key)
            pending = Pending(self._row(article, text_hash, minhash), minhash)
            self._link(pending, by_url.get(url, []) if url else [], by_text.get(text_hash, []))
            if pending.article.duplicate_of_id is None:
                pending.original = self._in_batch(batch, minhash)
            batch.append(pending)
            seen[page] = pending
            linked = pending.article.duplicate_of_id is not None or pending.original is not None
            outcomes.append("copy" if linked else "new")
        self._write(batch)
        self._link_editions(held)
        return outcomes

    # --- deciding ------------------------------------------------------------------------------

    def _lookup(self, field: str, values: list[str]) -> dict[str, list[Known]]:
        found: dict[str, list[Known]] = {}
        if not values:
            return found
        rows = (
            Article.objects.filter(**{f"{field}__in": set(values)})
            .order_by("id")
            .values_list(field, "id", "source_id", "duplicate_of_id", "outlet")
        )
        for value, pk, source_id, root, outlet in rows:
            found.setdefault(value, []).append(Known(pk, source_id, root or pk, outlet))
        return found

    def _mine(self, known: list[Known], outlet: str | None = None) -> list[int]:
        """This source's stored copies among `known` (of this outlet, where one is given: the
        same text from another outlet of a mixed dump is that outlet's report, not a repeat)."""
        return [
            k.pk
            for k in known
            if k.source_id == self.source.pk and (outlet is None or k.outlet == outlet)
        ]

    def _link(self, pending: Pending, same_url: list[Known], same_text: list[Known]) -> None:
        """Point at the earliest stored copy: same URL, same text, or near-identical text."""
        candidates = [(k.pk, k.root_id, "url") for k in same_url[:1]]
        candidates += [(k.pk, k.root_id, "text") for k in same_text[:1]]
        near = self._confirmed(self.index.query(pending.minhash), pending.minhash)
        if near is not None:
            candidates.append((near, near, "near"))
        if candidates:
            _pk, root, reason = min(candidates)
            pending.article.duplicate_of_id = root
            pending.article.duplicate_reason = reason

    def _confirmed(self, ids: list[int], minhash: dedup.MinHash) -> int | None:
        """The earliest stored root really this similar (the shared index may be stale)."""
        if not ids:
            return None
        rows = Article.objects.filter(pk__in=ids[:20], duplicate_of__isnull=True).order_by("id")
        for pk, raw in rows.values_list("id", "minhash"):
            stored = dedup.from_bytes(bytes(raw or b""))
            if stored is not None and stored.jaccard(minhash) >= self.threshold:
                return int(pk)
        return None

    def _in_batch(self, batch: list[Pending], minhash: dedup.MinHash) -> Pending | None:
        roots = (p for p in batch if p.original is None and p.article.duplicate_of_id is None)
        return next((p for p in roots if p.minhash.jaccard(minhash) >= self.threshold), None)

    def _row(self, article: CleanArticle, text_hash: str, minhash: dedup.MinHash) -> Article:
        return Article(
            source=self.source,
            url=article.url[:2000] if article.url.startswith(("http://", "https://")) else "",
            canonical_url=article.canonical_url[:2000],
            title=article.title[:1000],
            author=article.author[:500],
            published_at=as_datetime(article.published),
            language=article.language,
            image_url=article.image_url[:2000] if article.image_url.startswith("http") else "",
            text=article.text,
            text_hash=text_hash,
            removed=[r.as_dict() for r in article.removed],
            minhash=dedup.to_bytes(minhash),
            input=article.input[:2000],
            outlet=article.outlet[:200],
            sections=article.sections,
        )

    # --- writing -------------------------------------------------------------------------------

    def _write(self, batch: list[Pending]) -> None:
        if not batch:
            return
        first = [p for p in batch if p.original is None]
        later = [p for p in batch if p.original is not None]
        try:
            with transaction.atomic():
                self._insert(first)
                for pending in later:
                    assert pending.original is not None
                    pending.article.duplicate_of_id = pending.original.article.pk
                    pending.article.duplicate_reason = "near"
                self._insert(later)
        except IntegrityError:
            # Another process stored one of these pages a moment ago: fall back to one by one.
            for pending in batch:
                pending.article.pk = None
                try:
                    with transaction.atomic():
                        self._insert([pending])
                except IntegrityError:
                    continue

    def _link_editions(self, article_ids: set[int]) -> None:
        """Articles this source stored before belong to this run's editions too: the same dump
        imported again with `--edition` for a second edition brings them there (each is still
        stored once)."""
        if not article_ids or not self.edition_ids:
            return
        links = [
            Article.editions.through(article_id=a, edition_id=e)
            for a in sorted(article_ids)
            for e in self.edition_ids
        ]
        Article.editions.through.objects.bulk_create(links, ignore_conflicts=True)

    def _insert(self, batch: list[Pending]) -> None:
        if not batch:
            return
        created = Article.objects.bulk_create([p.article for p in batch])
        links = [
            Article.editions.through(article_id=a.pk, edition_id=e)
            for a in created
            for e in self.edition_ids
        ]
        if links:
            Article.editions.through.objects.bulk_create(links)
        for pending in batch:
            if pending.article.duplicate_of_id is None:
                self.index.add(pending.article.pk, pending.minhash)
