"""Article dumps as tables: CSV or TSV files whose first line names the columns.

The columns are a JSONL record's keys (`title`, `text`, `url`, `date`, `source`, `section`, …;
see `records.jsonl_item`), in any case; each row is read as that record would be, and an empty
cell is an absent key. A quoted cell may hold line breaks (an article's paragraphs). A row that
cannot be read (a quote opened and never closed, a cell past the csv module's limit, more or
fewer cells than the header) is reported with the line it starts on, and reading starts again
on the next line: every row ends up stored or reported, none is swallowed by the row before it.
A table is read a line at a time (compressed or not, `opening`), so its size is not bounded.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path

from headlines.core.untrusted import csv_error
from headlines.intake.reading.decoding import charset_of
from headlines.intake.reading.items import Failure, Item
from headlines.intake.reading.opening import MAX_LINE_BYTES, Opened, Reader, opened
from headlines.intake.reading.records import (
    CANONICAL_KEYS,
    CONTENT_KEYS,
    SNIFF_BYTES,
    jsonl_item,
)

TABLE_SUFFIXES = {".csv", ".tsv"}
# A row (an article's paragraphs in a quoted cell) may run over this many lines at most.
MAX_ROW_LINES = 500
# How much is read at a time after the first bytes the encoding is judged on (SNIFF_BYTES).
CHUNK_BYTES = 1 << 20
# The columns a row's article is read from: without one of them a file is no article dump.
CONTENT_COLUMNS = CONTENT_KEYS


def read_table(path: Path | Opened) -> Iterator[Item]:
    """Every row of a table as a record, read a line at a time (a table of any size costs the
    memory of a row). `path`: a file, or how to read one (`opening.Opened`)."""
    source = path if isinstance(path, Opened) else opened(path)
    where = source.where
    with source.open() as reader:
        sniff = reader.read(SNIFF_BYTES)
        if not sniff.removeprefix(codecs.BOM_UTF8).strip() and len(sniff) < SNIFF_BYTES:
            yield Failure(where, "the file is empty")
            return
        lines = _text_lines(reader, sniff, charset_of(sniff, where=where, partial=True))
        first = next(lines, "")
        delimiter = "\t" if source.suffix == ".tsv" else _delimiter(first)
        try:
            names = next(csv.reader([first], delimiter=delimiter, strict=True), [])
        except csv.Error as exc:
            yield Failure(f"{where}:1", f"the header cannot be read: {csv_error(exc)}")
            return
        header = [_column(name) for name in names]
        if not any(name in CONTENT_COLUMNS for name in header):
            yield Failure(
                f"{where}:1",
                "the first line names no column an article is read from "
                f"({', '.join(CONTENT_COLUMNS)}): a table's first line names its columns",
            )
            return
        rows = _Rows(lines, first=1)
        while True:
            try:
                for values in csv.reader(rows, delimiter=delimiter, strict=True):
                    line = rows.done() + 1
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
                    f"{where}:{rows.start + 1}", f"the row cannot be read: {csv_error(exc)}"
                )
                rows.again()  # the next physical line, read afresh


# A line as the csv module counts lines: up to and with its end, "\r\n", "\r" or "\n".
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")


def _text_lines(reader: Reader, first: bytes, encoding: str) -> Iterator[str]:
    """The decoded lines of `first` and what `reader` holds after it, each with its end. A line
    longer than MAX_LINE_BYTES characters is read past to its end and handed out as _LINE_SKIPPED
    (`_Rows` fails its row), so no line costs more memory than that."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = ""
    skipping = False  # inside a line too long to keep
    chunk = first
    while True:
        final = not chunk
        text = decoder.decode(chunk, final=final)
        pending += text
        if final or "\n" in text or "\r" in text:
            taken = 0
            for match in _LINE.finditer(pending):
                if match.end() == len(pending) and pending.endswith("\r") and not final:
                    break  # a "\r" at the piece's end may be half of a "\r\n"
                too_long = skipping or match.end() - match.start() > MAX_LINE_BYTES
                taken = match.end()
                yield _LINE_SKIPPED if too_long else match.group()
                skipping = False
            pending = pending[taken:]
        if len(pending) > MAX_LINE_BYTES:
            skipping, pending = True, ""
        if final:
            if skipping or pending:
                yield _LINE_SKIPPED if skipping else pending
            return
        chunk = reader.read(CHUNK_BYTES)


class _SkippedLine(str):
    """A line that was too long to keep (`_text_lines`)."""


_LINE_SKIPPED = _SkippedLine()


class _RowTooLong(Exception):
    pass


class _Rows:
    """The table's lines for the csv reader, keeping the lines of the row being read, so that
    when it cannot be read, reading starts again on the line after its first; a row may not run
    past MAX_ROW_LINES lines (so a quote left open costs that many lines, not the rest of the
    file, each time). Line indexes count from 0 (the header)."""

    def __init__(self, lines: Iterator[str], *, first: int) -> None:
        self.lines = lines
        self.kept: list[str] = []  # the row's lines read so far, and any read after a failure
        self.start = first  # index of the row's first line
        self.next = first  # index of the next line to hand out

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> str:
        offset = self.next - self.start
        if offset >= MAX_ROW_LINES:
            raise _RowTooLong(f"the row runs past {MAX_ROW_LINES} lines")
        if offset == len(self.kept):
            self.kept.append(next(self.lines))  # StopIteration: the table has ended
        line = self.kept[offset]
        if isinstance(line, _SkippedLine):
            raise _RowTooLong(f"a line runs past {MAX_LINE_BYTES} characters")
        self.next += 1
        return line

    def done(self) -> int:
        """A row was read: forget its lines; the index of its first line."""
        row = self.start
        del self.kept[: self.next - self.start]
        self.start = self.next
        return row

    def again(self) -> None:
        """The row could not be read: start again on the line after its first."""
        del self.kept[:1]
        self.start += 1
        self.next = self.start


def _delimiter(first_line: str) -> str:
    """The header's separator: a tab, a semicolon or (the default) a comma, whichever it has
    most of."""
    return max(("\t", ";", ","), key=lambda d: (first_line.count(d), d == ","))


def _column(name: str) -> str:
    plain = name.strip().lstrip("\ufeff")
    return CANONICAL_KEYS.get(plain.lower(), plain)
