"""Content-Encoding undone a bounded piece at a time, so the byte cap also stops a zip bomb.

httpx inflates each network chunk in one call: 1.7 KB sent as `Content-Encoding: gzip, gzip`
(a gigabyte of zeros, compressed twice) took 1.9 GB of memory and 17 seconds before the byte cap
saw the first decoded chunk. Here each layer hands on at most PIECE bytes at a time, and the
caller stops reading at its cap.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

PIECE = 64 * 1024
ACCEPTED = "gzip, deflate"  # what Accept-Encoding offers: what `decoded` can undo


class EncodingError(Exception):
    """The body's Content-Encoding is unknown or its compressed data is damaged."""


def decoded(chunks: Iterable[bytes], content_encoding: str) -> Iterator[bytes]:
    """The body's bytes, every coding of `content_encoding` undone (the last applied first)."""
    names = [n.strip().lower() for n in content_encoding.split(",")]
    stream: Iterator[bytes] = iter(chunks)
    for name in reversed([n for n in names if n and n != "identity"]):
        if name in ("gzip", "x-gzip"):
            stream = _inflate(stream, name, zlib.MAX_WBITS | 16)
        elif name == "deflate":
            stream = _inflate(stream, name, None)
        else:
            raise EncodingError(f"the body is encoded as {name[:40]!r}, which we do not read")
    return stream


def _inflate(chunks: Iterator[bytes], name: str, wbits: int | None) -> Iterator[bytes]:
    inflater = None
    for chunk in chunks:
        if not chunk:
            continue
        if inflater is None:
            inflater = zlib.decompressobj(_deflate_wbits(chunk) if wbits is None else wbits)
        data = chunk
        while not inflater.eof:
            try:
                out = inflater.decompress(data, PIECE)
            except zlib.error:
                raise EncodingError(f"the body's {name} data is damaged") from None
            if out:
                yield out
            data = inflater.unconsumed_tail
            if not data and len(out) < PIECE:
                break


def _deflate_wbits(first: bytes) -> int:
    """`deflate` is meant to be zlib-wrapped (RFC 9110), but some servers send it raw."""
    if len(first) >= 2 and first[0] & 0x0F == 8 and ((first[0] << 8) | first[1]) % 31 == 0:
        return zlib.MAX_WBITS
    return -zlib.MAX_WBITS
