"""Storing clean articles, de-duplicated: the write side of every ingest and import.

A page already stored for the same source (same canonical URL, or same text) is skipped, so a
re-run changes nothing. A copy of something another source already has (same URL, same text, or
near-identical text) is stored and linked to the earliest copy with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from headlines.core import clock
from headlines.intake import dedup
from headlines.intake.cleaning import CleanArticle
from headlines.intake.extraction import as_datetime
from headlines.intake.models import Article, Source

INDEX_LIMIT = 200_000


class ArticleSink:
    def __init__(
        self,
        source: Source,
        *,
        edition_ids: Iterable[int],
        window_days: int,
        threshold: float,
    ) -> None:
        self.source = source
        self.edition_ids = sorted(set(edition_ids))
        self.window_days = window_days
        self.threshold = threshold
        self._index: dedup.NearIndex | None = None

    @property
    def index(self) -> dedup.NearIndex:
        """Built on first use from the signatures stored over the recent window."""
        if self._index is None:
            self._index = dedup.NearIndex(self.threshold)
            since = clock.now() - dt.timedelta(days=self.window_days)
            rows = (
                Article.objects.filter(created_at__gte=since, duplicate_of__isnull=True)
                .order_by("-id")
                .values_list("id", "minhash")[:INDEX_LIMIT]
            )
            for article_id, raw in rows.iterator(chunk_size=2000):
                minhash = dedup.from_bytes(bytes(raw or b""))
                if minhash is not None:
                    self._index.add(article_id, minhash)
        return self._index

    def knows_url(self, url: str) -> bool:
        """True when this source already stored the page at `url` (skip fetching it again)."""
        canonical = dedup.canonical_url(url)
        return bool(canonical) and self._mine().filter(canonical_url=canonical).exists()

    def _mine(self) -> QuerySet[Article]:
        return Article.objects.filter(source=self.source)

    def add(self, article: CleanArticle) -> str:
        """ "new", or "duplicate" when skipped as already stored or stored as a linked copy."""
        text_hash = dedup.text_hash(article.text)
        mine = self._mine()
        if article.canonical_url and mine.filter(canonical_url=article.canonical_url).exists():
            return "duplicate"
        same_text = list(
            Article.objects.filter(text_hash=text_hash)
            .order_by("id")
            .only("id", "source_id", "duplicate_of_id")[:20]
        )
        if any(a.source_id == self.source.pk for a in same_text):
            return "duplicate"
        minhash = dedup.signature(article.text)
        original, reason = self._original(article, same_text[:1], minhash)
        stored = Article(
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
            duplicate_of=original,
            duplicate_reason=reason,
            minhash=dedup.to_bytes(minhash),
            input=article.input[:2000],
        )
        try:
            with transaction.atomic():
                stored.save()
                if self.edition_ids:
                    stored.editions.set(self.edition_ids)
        except IntegrityError:
            # Another run stored the same page for this source a moment ago.
            return "duplicate"
        if original is None:
            self.index.add(stored.pk, minhash)
            return "new"
        return "duplicate"

    def _original(
        self, article: CleanArticle, same_text: list[Article], minhash: dedup.MinHash
    ) -> tuple[Article | None, str]:
        candidates: list[tuple[Article, str]] = []
        if article.canonical_url:
            same_url = (
                Article.objects.filter(canonical_url=article.canonical_url).order_by("id").first()
            )
            if same_url is not None:
                candidates.append((same_url, "url"))
        if same_text:
            candidates.append((same_text[0], "text"))
        near = self.index.query(minhash)
        if near:
            found = Article.objects.filter(pk=near[0]).first()
            if found is not None:
                candidates.append((found, "near"))
        if not candidates:
            return None, ""
        article_found, reason = min(candidates, key=lambda c: c[0].pk)
        if article_found.duplicate_of_id is not None:
            return Article.objects.get(pk=article_found.duplicate_of_id), reason
        return article_found, reason
