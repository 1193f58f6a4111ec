"""Article dumps as tables: CSV or TSV files whose first line names the columns.

The columns are a JSONL record's keys (`title`, `text`, `url`, `date`, `source`, `section`, …;
see `records.jsonl_item`), in any case; each row is read as that record would be, and an empty
cell is an absent key. A quoted cell may hold line breaks (an article's paragraphs). A row that
cannot be read (a quote opened and never closed, a cell past the csv module's limit, more or
fewer cells than the header) is reported with the line it starts on, and reading starts again
on the next line: every row ends up stored or reported, none is swallowed by the row before it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from headlines.core.untrusted import csv_error
from headlines.intake.reading.dates import RECORD_DATE_KEYS
from headlines.intake.reading.decoding import decode
from headlines.intake.reading.items import Failure, Item
from headlines.intake.reading.records import TEXT_KEYS, jsonl_item

TABLE_SUFFIXES = {".csv", ".tsv"}
# A row (an article's paragraphs in a quoted cell) may run over this many lines at most.
MAX_ROW_LINES = 500
# The columns a row's article is read from: without one of them a file is no article dump.
CONTENT_COLUMNS = ("title", "headline", *TEXT_KEYS, "html")
_OTHER_COLUMNS = (
    *RECORD_DATE_KEYS,
    *("url", "link", "author", "byline", "language", "lang", "source", "publisher"),
    *("section", "sections", "category", "categories"),
)
# A header's names as the records are keyed ("pubdate" is `pubDate`); others are kept as written.
_CANONICAL = {name.lower(): name for name in (*CONTENT_COLUMNS, *_OTHER_COLUMNS)}


def read_table(path: Path, *, content: bytes | None = None) -> Iterator[Item]:
    """`content`: the file's bytes when they were read already (decompressed)."""
    where = str(path)
    text = decode(path.read_bytes() if content is None else content, where=where)
    lines = io.StringIO(text, newline="").readlines()  # as the csv module counts lines
    if not any(line.strip() for line in lines):
        yield Failure(where, "the file is empty")
        return
    delimiter = "\t" if path.suffix.lower() == ".tsv" else _delimiter(lines[0])
    try:
        header = [
            _column(name) for name in next(csv.reader([lines[0]], delimiter=delimiter, strict=True))
        ]
    except csv.Error as exc:
        yield Failure(f"{where}:1", f"the header cannot be read: {csv_error(exc)}")
        return
    if not any(name in CONTENT_COLUMNS for name in header):
        yield Failure(
            f"{where}:1",
            "the first line names no column an article is read from "
            f"({', '.join(CONTENT_COLUMNS)}): a table's first line names its columns",
        )
        return
    start = 1  # index in `lines` of the line the next row starts on
    while start < len(lines):
        feed = _Lines(lines, start)
        try:
            for values in csv.reader(feed, delimiter=delimiter, strict=True):
                line, feed.row_start = feed.row_start + 1, feed.next
                if not any(v.strip() for v in values):
                    continue  # a blank line is no row
                if len(values) != len(header):
                    yield Failure(
                        f"{where}:{line}",
                        f"the row has {len(values)} cells; the header has {len(header)}",
                    )
                    continue
                record = {k: v for k, v in zip(header, values, strict=True) if v.strip()}
                yield jsonl_item(record, input=f"{where}:{line}")
            return
        except (csv.Error, _RowTooLong) as exc:
            yield Failure(
                f"{where}:{feed.row_start + 1}", f"the row cannot be read: {csv_error(exc)}"
            )
            start = feed.row_start + 1  # the next physical line, read afresh


class _RowTooLong(Exception):
    pass


class _Lines:
    """`lines` from `start` for the csv reader, refusing to let one row run past MAX_ROW_LINES
    (so a quote left open costs that many lines, not the rest of the file, each time)."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines, self.next, self.row_start = lines, start, start

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.next >= len(self.lines):
            raise StopIteration
        if self.next - self.row_start >= MAX_ROW_LINES:
            raise _RowTooLong(f"the row runs past {MAX_ROW_LINES} lines")
        self.next += 1
        return self.lines[self.next - 1]


def _delimiter(first_line: str) -> str:
    """The header's separator: a tab, a semicolon or (the default) a comma, whichever it has
    most of."""
    return max(("\t", ";", ","), key=lambda d: (first_line.count(d), d == ","))


def _column(name: str) -> str:
    plain = name.strip().lstrip("\ufeff")
    return _CANONICAL.get(plain.lower(), plain)
