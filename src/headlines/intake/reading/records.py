"""Dump records: text files of `date <date> <text>` records, JSONL files of objects, and JSON
files holding a list of such objects (`read_json`).

A text record starts at a line `date 2022-09-28 …`, found after leading whitespace or a BOM,
with CRLF line ends, and in the common shapes (`Date: 28 September 2022`, ISO with a time).
A JSONL object holds `html` or `text` (or an aggregator's `description` / `summary`), or only a
`title`: a headline-only record is stored as a brief (see `cleaning.clean`). It may name its
own outlet (`source`, `publisher`) and section (`section`, `sections`, `category`), so a mixed
dump credits each outlet.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from headlines.core.storable import SURROGATE
from headlines.intake.errors import ParseError
from headlines.intake.reading.dates import (
    ANY_DATE,
    RECORD_DATE_KEYS,
    RECORD_DATE_SHAPES,
    parse_record_date,
    parse_written_date,
    two_ways,
)
from headlines.intake.reading.decoding import charset_of, decode, looks_binary, refuse_binary
from headlines.intake.reading.items import Failure, Item, RawItem
from headlines.intake.reading.opening import LINE_TOO_LONG, Opened, numbered_lines, opened

# A `date` line starts a record. Its value is one of the written date shapes, or anything with
# a date's shape but not its range ("date 99999-01-01"): that record is reported on its own line
# (its date is no date) rather than swallowed into the record before it.
DATE_SHAPED = r"\d{1,6}[-./]\d{1,3}[-./]\d{1,6}"
RECORD_START = re.compile(
    rf"^[\ufeff\s]*date\s*[:=]?\s*(?P<date>{ANY_DATE}|{DATE_SHAPED})(?=\s|$)[ \t]*(?:\r?\n)?",
    re.I,
)
MAX_SECTIONS = 10
# Where a JSONL record keeps its text: the article's text (`content` in many scraped dumps),
# else an aggregator's blurb.
TEXT_KEYS = ("text", "content", "description", "summary")
MAX_LABEL = 200
# The keys an article record is read from (`jsonl_item`), and a table's columns. A dump may write
# them in any case ("TITLE", "Published", "PUBDATE" for `pubDate`): a news aggregator's columns
# exported as they were named.
CONTENT_KEYS = ("title", "headline", *TEXT_KEYS, "html")
RECORD_KEYS = (
    *CONTENT_KEYS,
    *RECORD_DATE_KEYS,
    *("url", "link", "author", "authors", "byline", "language", "lang", "source", "publisher"),
    *("section", "sections", "category", "categories"),
)
CANONICAL_KEYS = {name.lower(): name for name in RECORD_KEYS}
# JSON may escape half of a UTF-16 pair ("\ud800"): no text can be stored so.
HALF_A_CHARACTER = (
    "the record has a \\u escape that is half of a character "
    "(a lone UTF-16 surrogate such as \\ud800)"
)


def read_records(path: Path | Opened) -> Iterator[Item]:
    """Text records: a `date …` line starts a record; text without one is one record. `path`:
    a file, or how to read one (`opening.Opened`: compressed, or inside an archive)."""
    source = path if isinstance(path, Opened) else opened(path)
    where = source.where
    current: list[str] = []
    date_text = ""
    start = 1
    count = 0
    charset = _file_charset(source)
    with source.open() as handle:
        for number, raw_line in numbered_lines(handle):
            if raw_line is None:
                yield Failure(f"{where}:{number}", LINE_TOO_LONG)
                continue
            try:
                line = _decoded(raw_line, where=f"{where}:{number}", charset=charset)
            except ParseError as exc:
                # A damaged line deep in a dump (a run of NULs, pasted binary) is that line's
                # failure, not the file's: the records around it are read.
                yield Failure(f"{where}:{number}", str(exc).removeprefix(f"{where}:{number}: "))
                continue
            match = RECORD_START.match(line)
            if match:
                if _has_text(current):
                    count += 1
                    yield _record(where, start, date_text, current)
                date_text, start, current = match.group("date"), number, [line[match.end() :]]
            else:
                current.append(line)
    if _has_text(current):
        count += 1
        yield _record(where, start, date_text, current)
    if not count:
        yield Failure(where, "the file has no text")


# The first bytes of a dump (text records, JSONL, a table) its character encoding is judged on.
SNIFF_BYTES = 1_000_000


def _file_charset(source: Opened) -> str:
    """The dump's charset, judged once on the lines of its first megabyte that are not UTF-8
    (damaged lines aside): judged line by line, a KOI8-R or Shift_JIS dump came out with one
    line right and the next as mojibake of another charset. Raises ParseError for a file whose
    first line is binary."""
    try:
        head = source.head(SNIFF_BYTES)
    except ParseError:
        # Damaged or cut short within its first megabyte: the reading itself reports it, after
        # the records before the damage, each line judged as it comes.
        return "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ParseError(
            f"{source.where}: UTF-16 text: a dump is read a line at a time, in UTF-8 or a "
            "one-byte charset; save it as UTF-8"
        )
    lines = head.split(b"\n")
    if head.startswith(b"\x00"):
        # No text in UTF-8 or a one-byte charset starts with a NUL (UTF-16 does, and is
        # refused above by its BOM): a file of eight NULs or fewer was read as a record, which
        # failed as "no article text".
        raise ParseError(f"{source.where}: binary data, not a text document")
    if lines[0].strip():
        refuse_binary(lines[0], where=source.where)
    whole = lines if len(head) < SNIFF_BYTES else lines[:-1]  # the last may be cut short
    # Lines that are UTF-8 are read so whatever the rest is (`_decoded`): the others tell.
    legacy = b"\n".join(line for line in whole if not looks_binary(line) and not _utf8(line))
    if not legacy.strip():
        return "utf-8"
    try:
        return charset_of(legacy, where=source.where)
    except ParseError:  # no charset fits them: each such line is judged (and reported) alone
        return "utf-8"


def _decoded(raw_line: bytes, *, where: str, charset: str) -> str:
    """A line's text: UTF-8 when it is (see `_utf8`), else in the dump's charset; a line that
    fits neither (pasted from another charset) is judged alone. A damaged line (a run of NULs,
    pasted binary) raises ParseError."""
    if not raw_line.strip():
        return "\n"
    refuse_binary(raw_line, where=where)
    for fits in dict.fromkeys(("utf-8", charset)):
        try:
            return raw_line.decode(fits)
        except UnicodeDecodeError:
            continue
    return decode(raw_line, where=where)


def _json_text(raw_line: bytes, charset: str) -> bytes | str:
    """JSON is UTF-8 (json reads it, and UTF-16 and 32, from the bytes); a dump exported in
    windows-1252 or another legacy charset is read in the charset judged on its head, where
    every accented record failed as "not valid JSON"."""
    if charset.replace("_", "-").startswith("utf-") or _utf8(raw_line):
        return raw_line
    try:
        return raw_line.decode(charset)
    except UnicodeDecodeError:
        return raw_line


def _utf8(raw_line: bytes) -> bool:
    """Whether a line is UTF-8: legacy-charset text with letters past ASCII hardly ever is, so a
    UTF-8 line of a dump judged to be in another charset by its first megabyte (all ASCII but
    a broken byte) is still read as UTF-8."""
    try:
        raw_line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _has_text(lines: list[str]) -> bool:
    """Whether a record holds more than white space and the BOM at a file's start."""
    return bool("".join(lines).replace("\ufeff", "").strip())


def _record(where: str, line: int, date_text: str, lines: list[str]) -> Item:
    published = parse_written_date(date_text) if date_text else None
    note = f"the record's date {date_text!r} is not a real date" if published is None else ""
    text = "".join(lines).lstrip("\ufeff")
    return RawItem(
        input=f"{where}:{line}", text=text, published=published, date_note=note if date_text else ""
    )


def read_jsonl(path: Path | Opened) -> Iterator[Item]:
    """One record a line. `path`: a file, or how to read one (`opening.Opened`)."""
    source = path if isinstance(path, Opened) else opened(path)
    where = source.where
    charset = _file_charset(source)
    empty = True
    with source.open() as handle:
        for number, raw_line in numbered_lines(handle):
            if raw_line is None:
                empty = False
                yield Failure(f"{where}:{number}", LINE_TOO_LONG)
                continue
            raw_line = raw_line.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw_line
            if not raw_line.strip():
                continue
            empty = False
            try:
                record = json.loads(_json_text(raw_line, charset))
            except (ValueError, UnicodeDecodeError) as exc:
                yield Failure(f"{where}:{number}", f"not valid JSON ({exc})")
                continue
            except RecursionError:
                yield Failure(f"{where}:{number}", "not valid JSON (nested too deeply)")
                continue
            if _lone_surrogate(record):
                yield Failure(f"{where}:{number}", HALF_A_CHARACTER)
                continue
            yield jsonl_item(record, input=f"{where}:{number}")
    if empty:  # nothing to read is a failure to name, not a silent success
        yield Failure(where, "the file is empty")


# NewsAPI cuts a record's `content` at 200 characters and says how much is missing: "… [+1843
# chars]". The mark is the API's, not the article's.
CUT_SHORT = re.compile(r"\s*(?:…|\.\.\.)?\s*\[\+\d[\d,]*\s*chars?\]\s*$")


# Where a JSON document keeps its articles: NewsAPI answers `{"articles": [...]}`; other APIs and
# exports say `items`, `results`, `data`, …. The first of these present holding a list wins.
RECORD_LISTS = (
    "articles",
    "items",
    "entries",
    "results",
    "data",
    "records",
    "documents",
    "docs",
    "posts",
    "stories",
    "news",
)


def read_json(path: Path | Opened, *, content: bytes | None = None) -> Iterator[Item]:
    """A `.json` file: one JSON document holding the records — an array of them, an object
    that keeps them in a list (RECORD_LISTS, or its one list of objects), or one record itself.
    A file of one object a line (JSONL saved as `.json`) is read as JSONL. Each record is
    `path#N`, N from 1, as a feed's entries are. `content`: the file's bytes (decompressed),
    when they were read already."""
    source = path if isinstance(path, Opened) else opened(path)
    where = source.where
    if content is None:
        content = source.read_all()
    try:
        document = json.loads(content.removeprefix(b"\xef\xbb\xbf"))
    except (ValueError, UnicodeDecodeError):
        yield from read_jsonl(source)  # JSONL, or each line's reason
        return
    except RecursionError:
        yield Failure(where, "not valid JSON (nested too deeply)")
        return
    records = _records_of(document)
    if records is None:
        yield Failure(
            where,
            "the JSON holds no list of articles (an array of objects, or one under "
            f"{', '.join(RECORD_LISTS[:4])}, …) and is no article itself",
        )
        return
    if not records:
        yield Failure(where, "the JSON's list of articles is empty")
    for number, record in enumerate(records, start=1):
        at = f"{where}#{number}"
        if not isinstance(record, dict):
            yield Failure(at, "each article of a JSON list must be a JSON object")
        elif _lone_surrogate(record):
            yield Failure(at, HALF_A_CHARACTER)
        else:
            yield jsonl_item(record, input=at)


def _records_of(document: Any) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        return None
    for key in RECORD_LISTS:
        if isinstance(document.get(key), list):
            return list(document[key])
    lists = [v for v in document.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
    if len(lists) == 1:
        return list(lists[0])
    if any(k in canonical_keys(document) for k in CONTENT_KEYS):
        return [document]
    return None


def _lone_surrogate(value: Any) -> bool:
    """Whether any string of a parsed JSON value (keys included) holds a lone surrogate."""
    pending = [value]  # a stack, not recursion: the JSON may nest as deep as json allows
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not item.isascii() and SURROGATE.search(item):  # isascii: a flag, not a scan
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def canonical_keys(record: dict[str, Any]) -> dict[str, Any]:
    """The record with each of RECORD_KEYS written in another case ("TITLE") under its own
    name: the key as named wins over other casings of it, else the first of them."""
    named: dict[str, Any] = {}
    for key, value in record.items():
        name = CANONICAL_KEYS.get(key.lower(), key)
        if name == key or name not in record:
            named.setdefault(name, value)
    return named


def jsonl_item(record: Any, *, input: str) -> Item:
    if not isinstance(record, dict):
        return Failure(input, "each line must be a JSON object")
    written, record = record, canonical_keys(record)
    html = record.get("html")
    # A news aggregator's record may carry only a headline and a blurb: the blurb is its text.
    text = next((t for k in TEXT_KEYS if (t := _text(record.get(k))) is not None), None)
    title = _string(record, "title", "headline")
    misshapen = _misshapen(written, record)
    if not isinstance(html, str) and text is None and not title:
        said = 'the record has no "text", "html" or "title" string'
        return Failure(input, f"{said}: {misshapen}" if misshapen else said)
    if misshapen:
        return Failure(input, misshapen)
    date_key = next((k for k in RECORD_DATE_KEYS if record.get(k)), "")
    published = parse_record_date(record[date_key]) if date_key else None
    note = ""
    if date_key and published is None:
        value = record[date_key]
        # As the file writes it: Python's `True` or `{'$date': …}` is not what the dump says.
        shown = repr(value) if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        note = f"the record's {date_key} {shown} is not a date ({RECORD_DATE_SHAPES})"
        if two_ways(record[date_key]):
            note = (
                f"the record's {date_key} {shown} is not one date: it reads day first and "
                "month first; write it as YYYY-MM-DD"
            )
    return RawItem(
        input=input,
        html=html if isinstance(html, str) and html.strip() else "",
        text=CUT_SHORT.sub("", text) if isinstance(text, str) else "",
        url=_string(record, "url", "link"),
        title=title,
        author=next(
            (n for k in ("author", "authors", "byline") if (n := author_names(record.get(k)))), ""
        ),
        language=_string(record, "language", "lang"),
        published=published,
        date_note=note,
        outlet=outlet_name(record.get("source")) or outlet_name(record.get("publisher")),
        sections=section_labels(
            [record.get(k) for k in ("section", "sections", "category", "categories")]
        ),
    )


def outlet_name(value: Any) -> str:
    """An outlet as records write it: a name, or an object with a `name` or `title`."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("title")
    return " ".join(value.split())[:MAX_LABEL] if isinstance(value, str) else ""


def author_names(value: Any) -> str:
    """An author as records write one: a name, an object with a `name`, or a list of either
    (`["Ann Price", "Bo Lee"]`, as scraped dumps list a byline's people), joined as a JSON
    Feed's authors are; a list or an object was dropped without a word."""
    names: dict[str, str] = {}
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict):
            item = item.get("name")
        name = " ".join(item.split()) if isinstance(item, str) else ""
        if name:
            names.setdefault(name.casefold(), name)
    return ", ".join(names.values())


def section_labels(values: list[Any]) -> list[str]:
    """Sections as clean labels: strings or lists of strings, whitespace collapsed, duplicates
    (ignoring case) dropped, order kept; at most MAX_SECTIONS."""
    labels: dict[str, str] = {}
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                item = item.get("name") or item.get("term") or item.get("label")
            if isinstance(item, str) and " ".join(item.split()):
                label = " ".join(item.split())[:MAX_LABEL]
                labels.setdefault(label.casefold(), label)
    return list(labels.values())[:MAX_SECTIONS]


# How a reason names a JSON value that is no text, by its Python type.
JSON_KINDS: dict[type, str] = {
    int: "a number",
    float: "a number",
    bool: "true or false",
    dict: "an object",
}


# The keys read as one string each. A value of another type (a number for a title, an object
# for an address, a list for a language) was dropped without a word: the article stored without
# its headline or its link, or the record with no text but a headline of `42` refused as one
# with no headline.
STRING_KEYS = frozenset({"title", "headline", "url", "link", "language", "lang", "html"})


def _misshapen(written: dict[str, Any], named: dict[str, Any]) -> str:
    """Why the record is refused for a value of a type its key is not read in (a text or a
    string key, null being no value); "" when it is not. `written`: the record as the file
    has it, so the reason names a key as it is written ("TITLE"); `named`: its keys as they
    are read (`canonical_keys`), a casing passed over being no value read. An author, outlet
    or section that is no name is passed over, the rest read (`author_names`, `outlet_name`,
    `section_labels`), and a date that is none is kept undated and named, as a feed entry's
    is."""
    for key, value in written.items():
        name = CANONICAL_KEYS.get(key.lower(), key)
        if value is None or named.get(name) is not value:
            continue
        if (name in STRING_KEYS and not isinstance(value, str)) or (
            name in TEXT_KEYS and _text(value) is None
        ):
            return _not_text(key, value, one=name in STRING_KEYS)
    return ""


def _not_text(key: str, value: Any, *, one: bool) -> str:
    """`one`: the key holds one string; a text may also be a list of its paragraphs."""
    if isinstance(value, list):
        kind = "a list" if one else "a list of other things than strings"
    else:
        kind = JSON_KINDS.get(type(value), "not a string")
    wanted = "a string" if one else "a string, or a list of its paragraphs"
    return f'the record\'s "{key}" is {kind}, not text ({wanted})'


def _text(value: Any) -> str | None:
    """A record's text: a string, or a list of strings, its paragraphs (as scraped dumps keep
    them); None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n\n".join(v.strip() for v in value if v.strip())
    return None


def _string(record: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""
