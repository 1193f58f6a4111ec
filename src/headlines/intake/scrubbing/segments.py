"""How long a piece of text is, and where its sentences end, in any script.

Languages written without spaces (Chinese, Japanese, Thai) have no whitespace-separated words
and end sentences with their own full stops (U+3002, U+FF01, U+FF1F), so both the size of a
text and its sentence boundaries are measured here, once, for every rule.
"""

from __future__ import annotations

import re

from headlines.intake.scrubbing.patterns import INLINE_CREDIT

# Scripts written without spaces between words: CJK ideographs, kana, Hangul is spaced but
# counted the same way harmlessly, and Thai.
UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\uac00-\ud7af]"
)
# About how many characters of such a script make one word.
CHARACTERS_PER_WORD = 2
CLOSERS = "\"'\u201d\u2019)\u300d\u300f\uff09"
# A Latin sentence ends at . ! ? … followed by a space and a capital or a digit; a CJK one at
# the full-width full stop, exclamation or question mark whatever follows.
SEGMENT_END = re.compile(
    rf"(?<=[.!?\u2026])[{CLOSERS}]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])"
    rf"|(?<=[\u3002\uff01\uff1f])[{CLOSERS}]?\s*(?=\S)"
)
CJK_STOPS = "\u3002\uff01\uff1f\u300d\u300f\uff09"
SENTENCE_CLOSE = re.compile(rf"[.!?\u2026\u3002\uff01\uff1f][{CLOSERS}]?$")
# A caption's credit "(Jane Doe/Metro Wire)", "(AFP via Getty Images)" ends it even without
# a full stop.
CREDIT_THEN_TEXT = re.compile(rf"({INLINE_CREDIT.pattern})\s+(?=[A-Z])")


def units(text: str) -> int:
    """Words, roughly: whitespace-separated tokens, with unspaced scripts counted as one word
    per CHARACTERS_PER_WORD characters (a regex pass per line costs too much otherwise)."""
    words = len(text.split())
    if text.isascii():
        return words
    unspaced = len(UNSPACED.findall(text))
    if not unspaced:
        return words
    return words + (unspaced + CHARACTERS_PER_WORD - 1) // CHARACTERS_PER_WORD


def sentences(paragraph: str) -> list[str]:
    return [s.strip() for s in SEGMENT_END.split(paragraph) if s.strip()]


def closes_a_sentence(text: str) -> bool:
    return bool(SENTENCE_CLOSE.search(text))


def split_after_credits(piece: str) -> list[str]:
    parts, start = [], 0
    for match in CREDIT_THEN_TEXT.finditer(piece):
        parts.append(piece[start : match.end(1)])
        start = match.end()
    parts.append(piece[start:])
    return parts


def join(parts: list[str]) -> str:
    """Segments back into one paragraph: a space after a Latin sentence, none after a CJK one."""
    out = ""
    for part in parts:
        glue = "" if not out or out[-1] in CJK_STOPS else " "
        out = f"{out}{glue}{part}"
    return out
