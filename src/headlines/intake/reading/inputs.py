"""Inputs on disk (or already fetched) to raw items: pages, feed entries and dump records.

Dumps are read one record at a time, so a dump of any size costs the memory of one record; a
compressed file (`.gz`, `.bz2`, `.xz`) is read as the file inside it (`opening`), and a zip
archive as the folder it holds. Each file's kind is judged by its name: pages, feeds (RSS, Atom,
JSON Feed), JSONL, JSON documents, CSV/TSV tables and text records. A bad record or file
becomes a `Failure` with a readable reason; the rest go on.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from headlines.intake.errors import IntakeError, ParseError
from headlines.intake.reading import feeds
from headlines.intake.reading.decoding import decode, looks_binary
from headlines.intake.reading.items import Failure, Item, RawItem
from headlines.intake.reading.opening import (
    MAX_DOCUMENT_BYTES,
    Opened,
    decompressed,
    judged,
    opened,
)
from headlines.intake.reading.paths import (
    DANGLING,
    LOOPING,
    NOT_A_FILE,
    loops,
    missing_reason,
)
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
        if not str(raw).strip():
            # Path("") is the working folder: an empty argument (an unset shell variable) must
            # not read everything in it.
            yield Failure(repr(str(raw)), "an empty argument is no file or folder")
            continue
        path = Path(raw)
        if path.is_dir():
            files, refused = _folder_files(path)
            for failure in refused:  # named once, as a changed file is read once
                if changed_since is None or Path(failure.input).lstat().st_mtime > changed_since:
                    yield failure
            if not files and not refused:
                yield Failure(str(path), "the folder has no files")
            for file in files:
                if changed_since is None or file.stat().st_mtime > changed_since:
                    yield from read_file(file)
        elif path.is_file():
            yield from read_file(path)
        else:
            yield Failure(str(raw), _missing(str(raw)))


# `file:`, `ftp:`, `javascript:`, …: a URL, but not one read over HTTP.
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]+:", re.IGNORECASE)


def _missing(raw: str) -> str:
    if _OTHER_SCHEME.match(raw):
        return "no such file or folder, and only http:// and https:// URLs are fetched"
    if Path(raw).exists():
        return NOT_A_FILE
    return missing_reason(raw)


def _folder_files(root: Path) -> tuple[list[Path], list[Failure]]:
    """The files of a folder and its subfolders, hidden ones and the data folder left out. A
    link is followed only to a file inside the folder: a dump folder is what it holds, and a
    link in it to `/etc/passwd` or to another folder must not make a dump source read files
    outside it. The data folder (`./var` by default, so inside the folder `headlines import .`
    reads) holds the database and the secret key: never articles (a folder inside it, named
    on purpose, is read)."""
    inside = root.resolve()
    data_dir = Path(settings.DATA_DIR).resolve()
    skip_data = not inside.is_relative_to(data_dir)
    files: list[Path] = []
    refused: list[Failure] = [f for f in [_unreadable_folder(root)] if f]
    for path in sorted(root.rglob("*")):
        if _hidden(path, root):
            continue
        if loops(path):
            refused.append(Failure(str(path), LOOPING))
            continue
        target = path.resolve()
        if skip_data and target.is_relative_to(data_dir):
            continue
        if path.is_symlink():
            reason = _link_refused(target, inside)
            if reason:
                refused.append(Failure(str(path), reason))
                continue
        if path.is_file():
            files.append(path)
        elif path.is_dir() and (failure := _unreadable_folder(path)):
            refused.append(failure)
    return files, refused


def _unreadable_folder(path: Path) -> Failure | None:
    """A folder whose files cannot be listed, which `rglob` passes over in silence: its files
    were left out unsaid, and a folder given by name was said to have no files."""
    try:
        with os.scandir(path):
            return None
    except OSError as exc:
        return Failure(str(path), f"the folder cannot be read ({exc.strerror or exc})")


def _link_refused(target: Path, inside: Path) -> str | None:
    """Why a link in a folder, to `target`, is not followed; None: a file inside the folder."""
    if not target.exists():
        return DANGLING
    if target.is_dir():
        return "a link to a folder is not followed"
    if not target.is_relative_to(inside):
        return "a link to a file outside the folder is not followed"
    return None


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def read_file(path: Path) -> Iterator[Item]:
    """Every item of one file, plain, compressed (`opening`) or a zip archive of such files, by
    the kind its name says."""
    where = str(path)
    try:
        if _is_zip(path):
            yield from read_archive(path)
        else:
            yield from read_source(opened(path))
    except (IntakeError, OSError) as exc:
        yield Failure(where, _reason(exc, where))


def read_stream(stream: BinaryIO, *, where: str = "-") -> Iterator[Item]:
    """What a pipe gives (`curl … | headlines extract -`), which has no name to judge its kind
    by: a page or a feed when it starts with `<`, JSONL when with `{`, else text records; any
    of them compressed."""
    content = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        yield Failure(where, f"larger than {MAX_DOCUMENT_BYTES} bytes")
        return
    source = judged(content[:6], where=where, name="", raw=lambda: io.BytesIO(content))
    try:
        head = source.head(2048)
        if looks_binary(head):
            raise ParseError(f"{where}: binary data, not a text document")
        if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            source = dataclasses.replace(source, name="standard-input.jsonl")
        yield from read_source(source)
    except (IntakeError, OSError) as exc:
        yield Failure(where, _reason(exc, where))


# The kinds of file that are dumps, which a URL's name may say (`…/wire.jsonl`).
DUMP_SUFFIXES = JSONL_SUFFIXES | {".json"} | (TEXT_SUFFIXES - {""}) | TABLE_SUFFIXES


def dump_items(content: bytes, *, where: str, name: str) -> Iterator[Item]:
    """A fetched dump, read by the kind its name says, as the same file on disk is."""
    source = judged(content[:6], where=where, name=name, raw=lambda: io.BytesIO(content))
    try:
        yield from read_source(source)
    except (IntakeError, OSError) as exc:
        yield Failure(where, _reason(exc, where))


def read_source(source: Opened) -> Iterator[Item]:
    """Every item of one input (a file, or a member of an archive) by the kind its name says.
    Raises IntakeError or OSError for an input that cannot be read at all."""
    suffix = source.suffix
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(source)
    elif suffix == ".json" and _one_object_a_line(source):
        yield from read_jsonl(source)  # JSONL saved as .json: streamed, at any size
    elif suffix == ".json":
        content = source.read_all()
        if feeds.is_json_feed(content):
            yield from feed_items(content, input=source.where)
        else:
            yield from read_json(source, content=content)
    elif suffix in TEXT_SUFFIXES and not _starts_with_markup(source):
        yield from read_records(source)
    elif suffix in TABLE_SUFFIXES:
        yield from read_table(source)
    else:
        yield from items_from_bytes(source.read_all(), input=source.where)


def _one_object_a_line(source: Opened) -> bool:
    """Whether a `.json` file is JSONL: its first line a whole JSON object, and more after it."""
    with source.open() as reader:
        first = reader.readline(FIRST_LINE_BYTES)
        try:
            if not isinstance(json.loads(first), dict):
                return False
        except (ValueError, RecursionError):
            return False
        while line := reader.readline(FIRST_LINE_BYTES):
            if line.strip():
                return True
    return False


# How much of a `.json` file's first lines is read to tell JSONL from one document.
FIRST_LINE_BYTES = 1_000_000
# A zip archive's files are read as a folder's are, each `archive.zip/page.html` in reports.
ZIP_MAGIC = b"PK\x03\x04"
# What reading a damaged, encrypted or oddly compressed member raises.
_MEMBER_FAILED = (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error)


def _is_zip(path: Path) -> bool:
    # By its name: office documents and e-books are zip files too, and are no folder of pages.
    return path.suffix.lower() == ".zip"


def read_archive(path: Path) -> Iterator[Item]:
    """Every item of every file in a zip archive, as if it were a folder (hidden files and
    folders, such as `__MACOSX/`, left out; an archive inside it is not opened). Nothing is
    unpacked to disk; a member that cannot be read is reported and the others are read."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise ParseError(f"{path}: not a readable zip archive ({exc})") from None
    with archive:
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir() and not _hidden_member(info.filename)
        ]
        if not members:
            yield Failure(str(path), "the zip archive holds no files")
        for info in members:
            where = f"{path}/{info.filename}"
            if _escapes(info.filename):
                yield Failure(where, "a member named outside the archive (../ or /) is not read")
                continue
            try:
                source = _member(archive, info, where)
                if source.compression is None and source.head(4) == ZIP_MAGIC:
                    yield Failure(where, "a zip archive inside a zip archive is not opened")
                    continue
                yield from read_source(source)
            except (IntakeError, OSError) as exc:
                yield Failure(where, _reason(exc, where))
            except _MEMBER_FAILED as exc:
                yield Failure(where, f"the member cannot be read ({exc})")


def _parts(name: str) -> list[str]:
    return name.replace("\\", "/").split("/")


def _escapes(name: str) -> bool:
    """A member named to land outside wherever the archive is unpacked (zip slip): `../x`, an
    absolute path, a Windows drive. Nothing is unpacked here, but such a name is a hostile or
    broken archive, and is said to be one rather than read or quietly dropped."""
    parts = _parts(name)
    return ".." in parts or parts[0] == "" or re.match(r"^[A-Za-z]:", name) is not None


def _hidden_member(name: str) -> bool:
    return any(p.startswith((".", "__MACOSX")) and p != ".." for p in _parts(name))


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Opened:
    with archive.open(info) as handle:
        head = handle.read(6)
    name = info.filename.rsplit("/", 1)[-1]
    return judged(head, where=where, name=name, raw=lambda: archive.open(info), size=info.file_size)


def _reason(exc: Exception, where: str) -> str:
    """The reason without the input's name (or its line's: "file.txt:1: binary data") that the
    failure is already reported under."""
    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    return re.sub(rf"^{re.escape(where)}(?::\d+)?: ", "", text, count=1)


def _starts_with_markup(source: Opened) -> bool:
    return source.head().lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def items_from_bytes(
    content: bytes, *, input: str, url: str = "", charset: str = "", content_type: str = ""
) -> list[Item]:
    """A fetched or stored document: an HTML page, or a feed whose entries carry content; either
    may come compressed (`opening.decompressed`)."""
    content = decompressed(content, where=input)
    if feeds.is_json_feed(content):
        return list(feed_items(content, input=input, charset=charset, base=url))
    # A feed served as text/html (a misconfigured server) is known by its root element; a page
    # merely mentioning "<feed" early is not one.
    if feeds.looks_like_feed(content) and (
        "html" not in content_type or feeds.starts_as_feed(content)
    ):
        if feeds.is_sitemap(content):
            raise ParseError(f"{input}: a sitemap lists pages; add it as a source to fetch them")
        return list(feed_items(content, input=input, charset=charset, base=url))
    html = decode(content, declared=charset, where=input)
    return [RawItem(input=input, html=html, url=url)]


def feed_items(content: bytes, *, input: str, charset: str = "", base: str = "") -> Iterator[Item]:
    """A feed's entries with their own content; each credits the outlet it names, else the
    feed (a feed file imported or extracted is one outlet's, whatever source stores it)."""
    title, entries = feeds.parse_feed(content, where=input, charset=charset, base=base)
    if not entries:  # a feed file or URL given to read: nothing in it is worth saying
        yield Failure(input, "the feed has no entries")
    for number, entry in enumerate(entries, start=1):
        where = f"{input}#{number}"
        if not entry.html.strip() and entry.link_note and not entry.url:
            yield Failure(where, f"the feed entry has no content, and {entry.link_note}")
            continue
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
            date_note=entry.date_note,
            outlet=entry.outlet or title,
            sections=entry.sections,
            image_url=entry.image,
            language=entry.language,
        )


def wrap_fragment(fragment: str) -> str:
    """trafilatura wants a whole document; a feed's content is a fragment."""
    if "<html" in fragment[:500].lower():
        return fragment
    return f"<html><body><article><div>{fragment}</div></article></body></html>"
