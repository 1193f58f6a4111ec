"""Opening an input file: as it is, or through its decompressor when it is compressed.

Dumps and saved pages often come compressed: `page.html.gz` (a benchmark's or a crawler's saved
pages), `articles.jsonl.gz` (most aggregators' and crawls' dumps), `.bz2`, `.xz`. A compressed
file is read as the file inside it, known by its first bytes whatever its name, and its kind is
the name without the compression's suffix (`page.html.gz` is a page). Nothing is unpacked to
disk; a dump is still read one line at a time.

What a compressed file may cost is bounded as a plain file's is: a document read whole (a page,
a feed, a JSON document) is read up to MAX_DOCUMENT_BYTES of its decompressed content and refused
past it, and a line of a dump up to MAX_LINE_BYTES (a few kilobytes of gzip can hold gigabytes
of one repeated byte). A file that turns out damaged or cut short while it is read is reported as
such, after whatever records came before the damage.
"""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Protocol

from headlines.intake.errors import ParseError

MAX_DOCUMENT_BYTES = 50_000_000
MAX_LINE_BYTES = 50_000_000
_SKIP_CHUNK = 1 << 20


class Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...
    def readline(self, size: int = -1, /) -> bytes: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Compression:
    name: str  # as a reason says it: "gzip"
    suffixes: tuple[str, ...]  # what a file so compressed is usually named with
    starts: Callable[[bytes], bool]  # whether a file's first bytes are this compression's
    open: Callable[[Reader], Reader]  # over the stored bytes, reads the decompressed ones


COMPRESSIONS = (
    Compression(
        "gzip",
        (".gz", ".gzip"),
        lambda head: head.startswith(b"\x1f\x8b\x08"),  # deflate, the one method gzip has
        partial(gzip.open, mode="rb"),
    ),
    Compression(
        "bzip2",
        (".bz2",),
        # "BZh" and the block size, 1 to 9: a text that happens to start "BZh" is no bzip2.
        lambda head: head[:3] == b"BZh" and len(head) > 3 and head[3:4] in b"123456789",
        partial(bz2.open, mode="rb"),
    ),
    Compression(
        "xz",
        (".xz",),
        lambda head: head.startswith(b"\xfd7zXZ\x00"),
        partial(lzma.open, mode="rb"),
    ),
)
# What a decompressor raises on a damaged or truncated stream (gzip's BadGzipFile and bz2's
# "Invalid data stream" are OSErrors; a stream cut short is an EOFError).
_DAMAGED = (OSError, EOFError, zlib.error, lzma.LZMAError)


@dataclass(frozen=True)
class Opened:
    """How to read one input: `open()` gives a fresh reader of its content each time. `where`
    names it in reports (its path, or `archive.zip/member`); `name` is what its kind is judged
    by (its file name without a compression's suffix); `compression` is None for a plain one;
    `size` is its stored size where known."""

    where: str
    name: str
    compression: Compression | None
    raw: Callable[[], Reader]  # the stored bytes, compressed or not
    size: int | None = None

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def open(self) -> _Guarded:
        raw = self.raw()
        if self.compression is None:
            return _Guarded(raw, None, where=self.where)
        try:
            inner = self.compression.open(raw)
        except BaseException:
            raw.close()
            raise
        return _Guarded(inner, self.compression, where=self.where, under=raw)

    def read_all(self) -> bytes:
        """The whole content (decompressed), refused past MAX_DOCUMENT_BYTES."""
        if self.compression is None and (self.size or 0) > MAX_DOCUMENT_BYTES:
            raise ParseError(f"{self.where}: larger than {MAX_DOCUMENT_BYTES} bytes")
        with self.open() as reader:
            return _whole(reader, where=self.where)

    def head(self, size: int = 512) -> bytes:
        with self.open() as reader:
            return reader.read(size)


def opened(path: Path) -> Opened:
    """`path` as it is read: compressed or not, judged by its first bytes."""
    with path.open("rb") as handle:
        head = handle.read(6)
    return judged(
        head,
        where=str(path),
        name=path.name,
        raw=lambda: path.open("rb"),
        size=path.stat().st_size,
    )


def judged(
    head: bytes, *, where: str, name: str, raw: Callable[[], Reader], size: int | None = None
) -> Opened:
    """An input whose first bytes are `head`: compressed or not, its kind by `name` less the
    compression's suffix."""
    for compression in COMPRESSIONS:
        if compression.starts(head):
            for suffix in compression.suffixes:
                if name.lower().endswith(suffix) and len(name) > len(suffix):
                    name = name[: -len(suffix)]
                    break
            return Opened(where, name, compression, raw, size)
    return Opened(where, name, None, raw, size)


def decompressed(content: bytes, *, where: str) -> bytes:
    """A fetched or stored body as it is, or what it decompresses to when it is compressed (a
    sitemap served as `sitemap-1.xml.gz`, a feed or page saved compressed), up to
    MAX_DOCUMENT_BYTES."""
    for compression in COMPRESSIONS:
        if compression.starts(content[:6]):
            raw = compression.open(io.BytesIO(content))
            with _Guarded(raw, compression, where=where) as reader:
                return _whole(reader, where=where)
    return content


def _whole(reader: Reader, *, where: str) -> bytes:
    content = reader.read(MAX_DOCUMENT_BYTES + 1)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise ParseError(f"{where}: larger than {MAX_DOCUMENT_BYTES} bytes once decompressed")
    return content


class _Guarded:
    """A reader whose decompression errors are a `ParseError` with a reason staff can read."""

    def __init__(
        self,
        raw: Reader,
        compression: Compression | None,
        *,
        where: str = "",
        under: Reader | None = None,
    ) -> None:
        self._raw = raw
        self._compression = compression
        self._where = f"{where}: " if where else ""
        self._under = under  # what a decompressor reads from: closed with it

    def __enter__(self) -> _Guarded:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(*_DAMAGED):  # a damaged stream's reason is given already
            self._raw.close()
        if self._under is not None:
            self._under.close()

    def read(self, size: int = -1, /) -> bytes:
        return self._checked(lambda: self._raw.read(size))

    def readline(self, size: int = -1, /) -> bytes:
        return self._checked(lambda: self._raw.readline(size))

    def _checked(self, call: Callable[[], bytes]) -> bytes:
        if self._compression is None:
            return call()
        try:
            return call()
        except _DAMAGED as exc:
            detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise ParseError(
                f"{self._where}the {self._compression.name} file is damaged or cut short ({detail})"
            ) from None


def numbered_lines(reader: Reader) -> Iterator[tuple[int, bytes | None]]:
    """The reader's lines, numbered from 1; a line longer than MAX_LINE_BYTES is None (read
    past to its end, never held whole), so no one line costs more memory than that."""
    number = 0
    while True:
        line = reader.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = reader.readline(_SKIP_CHUNK)
            yield number, None
            continue
        yield number, line


LINE_TOO_LONG = f"the line is longer than {MAX_LINE_BYTES} bytes: no article is; skipped"
