"""Bytes to text: declared charsets are checked, not trusted; binary junk is refused."""

from __future__ import annotations

import codecs
import re

from headlines.intake.errors import ParseError

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
BINARY_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")
# Characters decoded text hardly ever contains when the guess is right.
UNLIKELY = re.compile("[\u3130-\u318f\ue000-\uf8ff\x00-\x08\x0e-\x1f\x7f-\x9f]")
TIE = 0.01
# charset_normalizer's own bar for a text that reads as garbled; correctly decoded news in
# Latin, Cyrillic, Greek, Hebrew or Thai scores under 0.1, mojibake of them from 0.2 up.
GARBLED = 0.2
GARBLED_SAMPLE = 50_000
BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b")
# What a declared charset stands for in practice: browsers read these labels as the charsets
# that extend them (the WHATWG Encoding Standard), and pages written under them use the
# extension's characters (GBK's under "gb2312", curly quotes under "iso-8859-1").
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
}
# A declared charset that reads all but one byte in this many (a corrupt byte, a character cut
# in a copy) is still the page's: a browser shows it with a replacement character or two.
BYTES_PER_BROKEN = 1000


def refuse_binary(content: bytes, *, content_type: str = "", where: str = "") -> None:
    label = f"{where}: " if where else ""
    if content_type.startswith(BINARY_TYPES):
        raise ParseError(f"{label}not a text document ({content_type})")
    if looks_binary(content):
        raise ParseError(f"{label}binary data, not a text document")
    if not content.strip():
        raise ParseError(f"{label}the document is empty")


def looks_binary(content: bytes) -> bool:
    """A picture's, a PDF's or an archive's first bytes, or NULs no text has."""
    head = content[:2048]
    return head.startswith(BINARY_MAGIC) or head.count(b"\x00") > 8


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode(content: bytes, *, declared: str = "", where: str = "") -> str:
    """Decode with the first charset that fits: declared, <meta>, UTF-8, then a detected one."""
    charset, text = _chosen(content, declared=declared, where=where, partial=False)
    return text if text is not None else content.decode(charset, "replace")


def charset_of(content: bytes, *, where: str = "", partial: bool = False) -> str:
    """The charset `decode` would read `content` with. `partial`: `content` is only the start of
    a longer text (a table's first megabyte), so a character may be cut at its end."""
    return _chosen(content, declared="", where=where, partial=partial)[0]


def _chosen(content: bytes, *, declared: str, where: str, partial: bool) -> tuple[str, str | None]:
    """(charset, the text) where a charset decodes `content` cleanly; (charset, None) where it
    is taken although it does not (a BOM's, mostly UTF-8, or the detected one)."""
    if content.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", None
    # A page saved as "Unicode" on Windows: its NULs are every other byte, not binary data.
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", None
    refuse_binary(content, where=where)
    if content.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", None
    named = [declared]
    meta = META_CHARSET.search(content[:4096])
    if meta:
        named.append(meta.group(1).decode("ascii", "ignore"))
    codecs_named = [c for c in (_codec(name) if name else None for name in named) if c]
    candidates = [c for codec in codecs_named for c in (SUPERSETS.get(codec), codec) if c]
    # Text beyond ASCII that reads as UTF-8 throughout is UTF-8 whatever it declares: no page
    # in another charset forms those sequences by chance, and a page saved as UTF-8 under an
    # old "ISO-8859-1" header read as "â€”" for every dash. ASCII reads the same in any of them,
    # and keeps the declared name (a table judged on its first megabyte is read on with it).
    first = [] if content.isascii() else ["utf-8"]
    for codec in dict.fromkeys([*first, *candidates, "utf-8"]):
        try:
            text = codecs.getincrementaldecoder(codec)().decode(content, final=not partial)
        except UnicodeDecodeError:
            continue
        return _unless_garbled(content, codec, text, partial=partial)
    if mostly_utf8(content):
        return "utf-8", None
    for codec in dict.fromkeys(candidates):
        if codec != "utf-8" and _mostly(content, codec):
            return codec, None
    encoding = detect(content[:200_000])
    if encoding is None:
        raise ParseError(f"{where or 'input'}: cannot tell the text's character encoding")
    return encoding, None


def _unless_garbled(
    content: bytes, codec: str, text: str, *, partial: bool
) -> tuple[str, str | None]:
    """A declared single-byte charset (ISO-8859-1 above all) decodes any bytes, so a feed in
    EUC-JP or KOI8-R that declares it decodes "cleanly" into mojibake. When the text reads as
    garbled (charset_normalizer's mess ratio) and the detected charset reads it cleanly, the
    declaration is wrong and the detected charset is taken."""
    if codec == "utf-8" or content.isascii():
        return codec, text
    garbled = _mess(text)
    if garbled < GARBLED:
        return codec, text
    detected = _codec(detect(content[:200_000]) or "")
    if detected is None or detected == codec:
        return codec, text
    try:
        better = codecs.getincrementaldecoder(detected)().decode(content, final=not partial)
    except UnicodeDecodeError:
        return codec, text
    if _mess(better) * 2 >= garbled:
        return codec, text
    return detected, better


def _mostly(content: bytes, codec: str) -> bool:
    """Whether the declared `codec` reads `content` but for a few broken bytes, into text that
    does not read as garbled."""
    text = content.decode(codec, "replace")
    if text.count("\ufffd") > len(content) // BYTES_PER_BROKEN:
        return False
    return _mess(text) < GARBLED


def _mess(text: str) -> float:
    """How garbled `text` reads (charset_normalizer's mess ratio of its first GARBLED_SAMPLE
    characters): mojibake scores high, real text in any language low."""
    from charset_normalizer.md import mess_ratio

    return float(mess_ratio(text[:GARBLED_SAMPLE], maximum_threshold=1.0))


def mostly_utf8(content: bytes) -> bool:
    """UTF-8 with a few broken bytes (a truncated character, one pasted-in Latin-1 byte) is
    still UTF-8: a detector would pick a single-byte charset and garble every accented
    letter of the page."""
    text = content.decode("utf-8", "replace")
    broken = text.count("\ufffd")
    # Bytes beyond the first of each well-formed multi-byte character (a Latin-1 page has
    # next to none: its accented letters are the broken bytes).
    multibyte = len(content) - len(text)
    return multibyte >= 20 and broken <= multibyte // 50


def detect(content: bytes) -> str | None:
    """The detector's best guess; among guesses that read equally clean to it (short texts in
    EUC-JP and EUC-KR often do), the one whose text has the fewest characters real text hardly
    uses (lone Hangul jamo, private-use, control and replacement characters)."""
    from charset_normalizer import from_bytes  # 0.04 s to load: only intake pays for it

    matches = list(from_bytes(content))
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos <= least + TIE]
    if len(tied) == 1:
        return str(tied[0].encoding)
    return str(min(tied, key=lambda m: _unlikely(content.decode(m.encoding, "replace"))).encoding)


def _unlikely(text: str) -> int:
    return sum(1 for c in text if c in "\ufffd" or UNLIKELY.match(c))
