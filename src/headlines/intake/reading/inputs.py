"""Inputs on disk (or already fetched) to raw items: pages, feed entries and dump records.

Files are read one record at a time, so a dump of any size costs the memory of one record; a
compressed file (`.gz`, `.bz2`, `.xz`) is read as the file inside it (`opening`).
A bad record or file becomes a `Failure` with a readable reason; the rest go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from headlines.intake.errors import IntakeError, ParseError
from headlines.intake.reading import feeds
from headlines.intake.reading.decoding import decode
from headlines.intake.reading.items import Failure, Item, RawItem
from headlines.intake.reading.opening import Opened, decompressed, opened
from headlines.intake.reading.records import read_json, read_jsonl, read_records
from headlines.intake.reading.tables import TABLE_SUFFIXES, read_table

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
TEXT_SUFFIXES = {".txt", ".text", ".dump", ".records", ""}


def read_paths(
    paths: Iterable[str | Path], *, changed_since: float | None = None
) -> Iterator[Item]:
    """Every item in the files and folders; with `changed_since` (a timestamp), only files of
    folders modified after it, so a periodic ingest of a dump folder reads what is new."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path))
            if not files:
                yield Failure(str(path), "the folder has no files")
            for file in files:
                if changed_since is None or file.stat().st_mtime > changed_since:
                    yield from read_file(file)
        elif path.is_file():
            yield from read_file(path)
        else:
            yield Failure(str(path), "no such file or folder")


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_file(path: Path) -> Iterator[Item]:
    """Every item of one file, plain or compressed (`opening`), by the kind its name says."""
    where = str(path)
    try:
        source = opened(path)
        suffix = source.suffix
        if suffix in JSONL_SUFFIXES:
            yield from read_jsonl(path, source=source)
            return
        if suffix == ".json":
            content = source.read_all()
            if feeds.is_json_feed(content):
                yield from feed_items(content, input=where)
            else:
                yield from read_json(path, content=content)
            return
        if suffix in TEXT_SUFFIXES and not _starts_with_markup(source):
            yield from read_records(path, source=source)
            return
        if suffix in TABLE_SUFFIXES:
            yield from read_table(path, source=source)
            return
        yield from items_from_bytes(source.read_all(), input=where)
    except (IntakeError, OSError) as exc:
        yield Failure(where, _reason(exc, where))


def _reason(exc: Exception, where: str) -> str:
    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return text.removeprefix(f"{where}: ")


def _starts_with_markup(source: Opened) -> bool:
    return source.head().lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def items_from_bytes(
    content: bytes, *, input: str, url: str = "", charset: str = "", content_type: str = ""
) -> list[Item]:
    """A fetched or stored document: an HTML page, or a feed whose entries carry content; either
    may come compressed (`opening.decompressed`)."""
    content = decompressed(content, where=input)
    if feeds.is_json_feed(content):
        return list(feed_items(content, input=input, charset=charset))
    if "html" not in content_type and feeds.looks_like_feed(content):
        if feeds.is_sitemap(content):
            raise ParseError(f"{input}: a sitemap lists pages; add it as a source to fetch them")
        return list(feed_items(content, input=input, charset=charset))
    html = decode(content, declared=charset, where=input)
    return [RawItem(input=input, html=html, url=url)]


def feed_items(content: bytes, *, input: str, charset: str = "") -> Iterator[Item]:
    """A feed's entries with their own content; each credits the outlet it names, else the
    feed (a feed file imported or extracted is one outlet's, whatever source stores it)."""
    title, entries = feeds.parse_feed(content, where=input, charset=charset)
    for number, entry in enumerate(entries, start=1):
        where = f"{input}#{number}"
        if not entry.html.strip():
            yield Failure(where, "the feed entry has no content (ingest the feed to fetch pages)")
            continue
        yield RawItem(
            input=where,
            html=wrap_fragment(entry.html),
            url=entry.url,
            title=entry.title,
            author=entry.author,
            published=entry.published,
            outlet=entry.outlet or title,
            sections=entry.sections,
        )


def wrap_fragment(fragment: str) -> str:
    """trafilatura wants a whole document; a feed's content is a fragment."""
    if "<html" in fragment[:500].lower():
        return fragment
    return f"<html><body><article><div>{fragment}</div></article></body></html>"
