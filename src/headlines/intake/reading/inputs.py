"""Inputs on disk (or already fetched) to raw items: pages, feed entries and dump records.

Files are read one record at a time, so a dump of any size costs the memory of one record.
A bad record or file becomes a `Failure` with a readable reason; the rest go on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from headlines.intake.errors import IntakeError, ParseError
from headlines.intake.extraction.extract import DateLike, parse_date
from headlines.intake.reading import feeds
from headlines.intake.reading.decoding import decode

RECORD_START = re.compile(
    r"^date\s+(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?)(?:\s+|$)",
    re.I,
)
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
TEXT_SUFFIXES = {".txt", ".text", ".dump", ".records", ""}
MAX_FILE_BYTES = 50_000_000


@dataclass
class RawItem:
    input: str
    html: str = ""
    text: str = ""
    url: str = ""
    title: str = ""
    author: str = ""
    language: str = ""
    published: DateLike | None = None


@dataclass
class Failure:
    input: str
    reason: str


Item = RawItem | Failure


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
    where = str(path)
    try:
        suffix = path.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            yield from read_jsonl(path)
            return
        if suffix in TEXT_SUFFIXES and not _starts_with_markup(path):
            yield from read_records(path)
            return
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ParseError(f"{where}: larger than {MAX_FILE_BYTES} bytes")
        yield from items_from_bytes(path.read_bytes(), input=where)
    except (IntakeError, OSError) as exc:
        yield Failure(where, _reason(exc, where))


def _reason(exc: Exception, where: str) -> str:
    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return text.removeprefix(f"{where}: ")


def _starts_with_markup(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<")


def items_from_bytes(
    content: bytes, *, input: str, url: str = "", charset: str = "", content_type: str = ""
) -> list[Item]:
    """A fetched or stored document: an HTML page, or a feed whose entries carry content."""
    if "html" not in content_type and feeds.looks_like_feed(content):
        if feeds.is_sitemap(content):
            raise ParseError(f"{input}: a sitemap lists pages; add it as a source to fetch them")
        return list(feed_items(content, input=input))
    html = decode(content, declared=charset, where=input)
    return [RawItem(input=input, html=html, url=url)]


def feed_items(content: bytes, *, input: str) -> Iterator[Item]:
    _title, entries = feeds.parse_feed(content, where=input)
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
        )


def wrap_fragment(fragment: str) -> str:
    """trafilatura wants a whole document; a feed's content is a fragment."""
    if "<html" in fragment[:500].lower():
        return fragment
    return f"<html><body><article><div>{fragment}</div></article></body></html>"


def read_records(path: Path) -> Iterator[Item]:
    """Text records: `date YYYY-MM-DD <text>` starts a record; text without it is one record."""
    where = str(path)
    current: list[str] = []
    date_text = ""
    start = 1
    count = 0
    with path.open("rb") as handle:
        for number, raw_line in enumerate(handle, start=1):
            line = decode(raw_line, where=f"{where}:{number}") if raw_line.strip() else "\n"
            match = RECORD_START.match(line)
            if match:
                if "".join(current).strip():
                    count += 1
                    yield _record(where, start, date_text, current)
                date_text, start, current = match.group(1), number, [line[match.end() :]]
            else:
                current.append(line)
    if "".join(current).strip():
        count += 1
        yield _record(where, start, date_text, current)
    if not count:
        yield Failure(where, "the file has no text")


def _record(where: str, line: int, date_text: str, lines: list[str]) -> Item:
    published = parse_date(date_text.replace(" ", "T")) if date_text else None
    if date_text and published is None:
        return Failure(f"{where}:{line}", f"the record's date {date_text!r} is not a real date")
    return RawItem(input=f"{where}:{line}", text="".join(lines), published=published)


def read_jsonl(path: Path) -> Iterator[Item]:
    where = str(path)
    with path.open("rb") as handle:
        for number, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            try:
                record = json.loads(raw_line)
            except (ValueError, UnicodeDecodeError) as exc:
                yield Failure(f"{where}:{number}", f"not valid JSON ({exc})")
                continue
            yield jsonl_item(record, input=f"{where}:{number}")


def jsonl_item(record: Any, *, input: str) -> Item:
    if not isinstance(record, dict):
        return Failure(input, "each line must be a JSON object")
    html, text = record.get("html"), record.get("text")
    if not isinstance(html, str) and not isinstance(text, str):
        return Failure(input, 'the record has neither a "text" nor an "html" string')
    date_raw = next(
        (record[k] for k in ("date", "published", "published_at", "datetime") if record.get(k)),
        "",
    )
    published = parse_date(str(date_raw)) if date_raw else None
    if date_raw and published is None:
        return Failure(input, f"the record's date {date_raw!r} is not ISO 8601")
    return RawItem(
        input=input,
        html=html if isinstance(html, str) and html.strip() else "",
        text=text if isinstance(text, str) else "",
        url=_string(record, "url", "link"),
        title=_string(record, "title", "headline"),
        author=_string(record, "author", "byline"),
        language=_string(record, "language", "lang"),
        published=published,
    )


def _string(record: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""
