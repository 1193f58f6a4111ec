"""One ingest run of one source: fetch, parse, extract, scrub, de-duplicate, store.

A failure of one item is recorded in the report and the run goes on; a failure of the source
itself (its feed cannot be fetched or read) ends the run with `report.error` and changes nothing
already stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from headlines.core.urls import masked_in, masked_url
from headlines.intake.errors import IntakeError
from headlines.intake.extraction.cleaning import CleanArticle, clean
from headlines.intake.fetching.http import Fetcher, Response
from headlines.intake.models import Source
from headlines.intake.pipeline.reports import IngestReport, Progress
from headlines.intake.reading import feeds
from headlines.intake.reading.inputs import (
    Failure,
    Item,
    RawItem,
    items_from_bytes,
    read_paths,
    read_stream,
)
from headlines.intake.storing.line_memory import SourceLineMemory
from headlines.intake.storing.sink import ArticleSink

MAX_CHILD_SITEMAPS = 5
BATCH = 50
RE_READ_MARGIN = dt.timedelta(minutes=15)


class IngestRun:
    def __init__(
        self, source: Source, *, fetcher: Fetcher | None, progress: Progress, extra: list[int]
    ) -> None:
        config = settings.CONFIG
        self.source = source
        self.fetcher = fetcher
        self.progress = progress
        self.report = IngestReport(source=source.slug)
        self.memory = SourceLineMemory(
            source, threshold=config["HEADLINES_INTAKE_REPEATED_LINE_MIN"]
        )
        editions = set(source.editions.values_list("pk", flat=True)) | set(extra)
        self.sink = ArticleSink(
            source,
            edition_ids=editions,
            window_days=config["HEADLINES_INTAKE_DEDUP_WINDOW_DAYS"],
            threshold=config["HEADLINES_INTAKE_NEAR_DUPLICATE_THRESHOLD"],
        )
        self.max_items = int(config["HEADLINES_INTAKE_MAX_ITEMS"])
        self.concurrency = int(config["HEADLINES_INTAKE_CONCURRENCY"])
        self.left_over = False

    # --- entry points ------------------------------------------------------------------------

    def ingest(self) -> IngestReport:
        kind = self.source.kind
        try:
            if kind == Source.Kind.DUMP and not self.source.path:
                # Created by `headlines import -`: what came down the pipe is stored, and there
                # is no file to read again.
                raise IntakeError(
                    "this source was imported from standard input and has no file to read "
                    "again: import into it (`headlines import PATH --source NAME`)"
                )
            if kind == Source.Kind.DUMP:
                _check_stored_path(self.source)
                # Files changed since the last success, with a margin for files written while
                # that run was reading (re-reading is harmless: stored text is skipped).
                last = self.source.last_success_at
                since = (last - RE_READ_MARGIN).timestamp() if last else None
                return self.import_paths([self.source.path], since=since)
            if kind == Source.Kind.PAGE:
                self._page()
            elif kind == Source.Kind.FEED:
                self._feed()
            else:
                self._sitemap()
        except IntakeError as exc:
            self.report.error = masked_in(str(exc), self.source.url)
            self.report.retry_after = getattr(exc, "retry_after", None)
        finally:
            self.memory.flush()
        self._all_failed_is_an_error()
        return self.report

    def import_paths(
        self, paths: Iterable[str], since: float | None = None, stdin: BinaryIO | None = None
    ) -> IngestReport:
        """Store what the files and folders hold; a path `-` is `stdin` (`… | import -`)."""
        self.progress.start(f"{self.source.slug}: reading", None)
        try:
            self._store_all(self._counted(_read(paths, since=since, stdin=stdin)))
        except BaseException:
            self.memory.flush()  # what was stored before the stop keeps what it taught
            raise
        self._all_failed_is_an_error()
        if self.report.error:
            # Nothing usable: the lines of files that are no articles (a binary, a page of
            # nothing but a sign-up prompt) are not the source's furniture, and counted, they
            # came to be cut from its real articles once seen often enough.
            self.memory.discard()
        self.memory.flush()
        return self.report

    def _counted(self, items: Iterable[Item]) -> Iterator[Item]:
        """For files, "fetched" counts the records and pages read."""
        for item in items:
            self.report.fetched += 1
            yield item

    # --- kinds ---------------------------------------------------------------------------------

    def _get(self, url: str, conditional: bool = False) -> Response:
        assert self.fetcher is not None
        source = self.source
        return self.fetcher.get(
            url,
            allow_private=source.is_local,
            etag=source.etag if conditional else "",
            last_modified=source.last_modified if conditional else "",
        )

    def _page(self) -> None:
        response = self._get(self.source.url, conditional=True)
        if self._not_modified(response):
            return
        self.report.fetched += 1
        self.progress.start(f"{self.source.slug}: page", 1)
        items = items_from_bytes(
            response.content,
            input=response.url,
            url=response.url,
            charset=response.charset,
            content_type=response.content_type,
        )
        self._store_all(items)
        self._remember_validators(response)

    def _feed(self) -> None:
        response = self._get(self.source.url, conditional=True)
        if self._not_modified(response):
            return
        self.report.fetched += 1
        _title, entries = feeds.parse_feed(
            response.content, where=self.source.url, charset=response.charset, base=response.url
        )
        self._fetch_entries(entries)
        self._remember_validators(response)

    def _sitemap(self) -> None:
        response = self._get(self.source.url, conditional=True)
        if self._not_modified(response):
            return
        self.report.fetched += 1
        entries, children = feeds.parse_sitemap(response.content, where=self.source.url)
        for child in children[:MAX_CHILD_SITEMAPS]:
            try:
                child_entries, _ = feeds.parse_sitemap(self._get(child).content, where=child)
            except IntakeError as exc:
                self.report.failed.append(Failure(child, _short(exc, child)))
                continue
            self.report.fetched += 1
            entries.extend(child_entries)
        self._fetch_entries(entries)
        self._remember_validators(response)

    # --- shared steps --------------------------------------------------------------------------

    def _fetch_entries(self, entries: list[feeds.FeedEntry]) -> None:
        fresh = []
        seen: set[str] = set()
        for entry in entries:
            # A link the feed lists twice (an entry repeated under another title or guid) is
            # fetched once, not once per listing.
            if entry.url and (entry.url in seen or self.sink.knows_url(entry.url)):
                self.report.duplicates += 1
            else:
                fresh.append(entry)
            seen.add(entry.url)
        # What is over the cap waits for the next run, which must read this version again;
        # the report says how much that is (it said only what was fetched).
        self.left_over = len(fresh) > self.max_items
        if self.left_over:
            self.report.held_back = len(fresh) - self.max_items
            self.report.cap = self.max_items
        fresh = fresh[: self.max_items]
        self.progress.start(f"{self.source.slug}: pages", len(fresh))
        workers = max(1, min(self.concurrency, len(fresh)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="intake-fetch") as pool:
            self._store_all(_flatten(pool.map(self._entry_items, fresh)))

    def _entry_items(self, entry: feeds.FeedEntry) -> list[Item]:
        """The entry's page, fetched; its own content when the page cannot be had."""
        fallback = RawItem(
            input=entry.url or masked_url(self.source.url),
            html=entry.html and f"<html><body><article>{entry.html}</article></body></html>",
            url=entry.url,
            title=entry.title,
            author=entry.author,
            published=entry.published,
            date_note=entry.date_note,
            outlet=entry.outlet,
            sections=entry.sections,
            image_url=entry.image,
            language=entry.language,
        )
        if not entry.url and not entry.html and entry.link_note:
            named = f" {entry.title[:80]!r}" if entry.title else ""
            reason = f"the feed entry{named} has no content, and {entry.link_note}"
            return [Failure(masked_url(self.source.url), reason)]
        if not entry.url:
            return [fallback] if entry.html else []
        try:
            response = self._get(entry.url)
            items = items_from_bytes(
                response.content,
                input=entry.url,
                url=response.url,
                charset=response.charset,
                content_type=response.content_type,
            )
        except IntakeError as exc:
            if entry.html:
                return [fallback]
            return [Failure(entry.url, _short(exc, entry.url))]
        for item in items:
            if isinstance(item, RawItem):
                item.title = item.title or entry.title
                item.published = item.published or entry.published
                item.date_note = item.date_note or entry.date_note
                item.author = item.author or entry.author
                item.outlet = item.outlet or entry.outlet
                item.sections = item.sections or entry.sections
                item.image_url = item.image_url or entry.image
        return [*items, _FETCHED]

    def _store_all(self, items: Iterable[Item]) -> None:
        """Cleaned one by one, stored BATCH at a time in one short transaction each."""
        pending = iter(items)
        while True:
            count = 0
            cleaned: list[CleanArticle] = []
            batch = list(islice(pending, BATCH))
            self.sink.prefetch_urls(i.url for i in batch if isinstance(i, RawItem) and i.url)
            for item in batch:
                count += 1
                article = self._clean_item(item)
                if article is not None:
                    cleaned.append(article)
            for outcome in self.sink.add_many(cleaned) if cleaned else []:
                if outcome == "new":
                    self.report.new += 1
                elif outcome == "copy":
                    self.report.copies += 1
                else:
                    self.report.duplicates += 1
            self.sink.link_held()
            if count < BATCH:
                return

    def _clean_item(self, item: Item) -> CleanArticle | None:
        if item is _FETCHED:
            self.report.fetched += 1
            return None
        self.progress.advance()
        if isinstance(item, Failure):
            self.report.failed.append(item)
            return None
        if item.url and self.sink.knows_url(item.url):
            self.report.duplicates += 1
            return None
        try:
            article = clean(item, memory=self.memory, default_language=self.source.language)
        except IntakeError as exc:
            self.report.failed.append(Failure(item.input, _short(exc, item.input)))
            return None
        if article.date_note:
            self.report.undated.append(Failure(item.input, article.date_note))
        return article

    def _not_modified(self, response: Response) -> bool:
        if response.not_modified:
            self.report.not_modified = True
            self._remember_move(response)
            return True
        return False

    def _remember_validators(self, response: Response) -> None:
        etag = response.headers.get("etag", "")[:500]
        modified = response.headers.get("last-modified", "")[:100]
        if self.report.failed or self.left_over:
            # The next fetch must read this version again: with its ETag kept, a feed whose
            # article pages were down (a 503, a timeout), or that listed more new entries than
            # HEADLINES_INTAKE_MAX_ITEMS, answered 304 from then on, and those articles were
            # never fetched.
            etag = modified = ""
        Source.objects.filter(pk=self.source.pk).update(etag=etag, last_modified=modified)
        self._remember_move(response)

    def _remember_move(self, response: Response) -> None:
        """A source moved permanently (301, 308) is fetched at its new address from now on, not
        through the old one's redirect at every run (RFC 9110, 15.4.2); the report says so."""
        moved = response.moved_to
        if moved and len(moved) <= 2000 and moved != self.source.url:
            Source.objects.filter(pk=self.source.pk).update(url=moved)
            self.report.moved_to = masked_url(moved)

    def _all_failed_is_an_error(self) -> None:
        report = self.report
        stored_or_held = report.new or report.copies or report.duplicates
        if not report.error and report.failed and not stored_or_held:
            count = len(report.failed)
            report.error = "nothing usable: " + (
                "the only input failed" if count == 1 else (f"all {count} inputs failed")
            )


def _read(paths: Iterable[str], *, since: float | None, stdin: BinaryIO | None) -> Iterator[Item]:
    for path in paths:
        if path == "-" and stdin is not None:
            yield from read_stream(stdin)
        else:
            yield from read_paths([path], changed_since=since)


class _Marker(Failure):
    pass


# Counted as one fetched page, not stored: lets fetch workers report a fetch through the stream.
_FETCHED = _Marker("", "")


def _flatten(groups: Iterable[list[Item]]) -> Iterator[Item]:
    for group in groups:
        yield from group


def _short(exc: Exception, where: str) -> str:
    return str(exc).removeprefix(f"{where}: ")


def _check_stored_path(source: Source) -> None:
    """A dump source's path as releases before 2026-12-06 stored it, relative to the folder
    `source add` ran in, and not found from this one: say so, and how to mend it, rather than
    "no such file or folder" for a path that was right where it was typed."""
    path = Path(source.path)
    if path.is_absolute() or path.exists():
        return
    raise IntakeError(
        f"the source's path {source.path} is relative (stored so by an earlier release, from the "
        f"folder `source add` ran in) and is not found from {Path.cwd()}: set it again from the "
        "root, in the admin (Sources) or with `headlines source remove "
        f"{source.slug}` and `headlines source add … --path /full/path`"
    )
