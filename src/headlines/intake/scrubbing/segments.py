"""How long a piece of text is, and where its sentences end, in any script.

Languages written without spaces (Chinese, Japanese, Thai) have no whitespace-separated words
and end sentences with their own full stops (U+3002, U+FF01, U+FF1F); Hindi ends them with the
danda, Arabic, Hebrew and Russian after a letter that is no Latin capital. Both the size of a
text and its sentence boundaries are measured here, once, for every scrubbing rule and for the
stories' summaries.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from headlines.intake.scrubbing.patterns import INLINE_CREDIT

# The cased alphabets' letters, for the stories' own patterns (defined with the credits).
from headlines.intake.scrubbing.patterns import LOWER_LETTERS as LOWER_LETTERS
from headlines.intake.scrubbing.patterns import UPPER_LETTERS as UPPER_LETTERS

# Scripts written without spaces between words: CJK ideographs, kana, Hangul is spaced but
# counted the same way harmlessly, and Thai.
UNSPACED = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f\uac00-\ud7af]"
)
# About how many characters of such a script make one word.
CHARACTERS_PER_WORD = 2
# What may close a sentence after its mark: quotes and brackets, Latin and CJK.
CLOSERS = "\"'\u201d\u2019)\u00bb\u300d\u300f\uff09"
# What may open one: quotes, a bracket, Spanish's inverted marks.
OPENERS = "\"'\u201c\u2018(\u00ab\u201e\u00bf\u00a1"
# After ". " a sentence starts with a letter that is not a lower-case one (a capital of any
# cased script: Latin, Greek, Cyrillic, Armenian, Georgian's Mtavruli; or a letter of a script
# without capitals: Arabic, Hebrew, Devanagari, Hangul, kana and ideographs, Thai, Ethiopic) or
# with a digit. Python's `re` has no Unicode categories, so the pattern takes the next word
# character and `starts_a_sentence` judges it.
# Marks followed by a space and a sentence's start: . ! ? … and the Arabic question mark.
SPACED_STOPS = ".!?\u2026\u061f"
# Full stops that need no space after them: CJK's full-width full stop, exclamation and
# question marks, the Devanagari and Bengali danda (single and double), the Urdu full stop,
# the Armenian full stop, the Ethiopic full stop, Myanmar's and Khmer's.
OWN_STOPS = "\u3002\uff01\uff1f\u0964\u0965\u06d4\u0589\u1362\u104b\u17d4"
# Where a sentence may end: group 1 is a spaced mark with its closers (kept with the sentence)
# and group 2 the first letter after it (`starts_a_sentence` decides), or group 3 is a mark
# that needs no space; the rest of the match is the space after it.
SENTENCE_END = re.compile(
    rf"([{SPACED_STOPS}][{CLOSERS}]*)\s+(?=[{OPENERS}]?([^\W_]))"
    rf"|([{OWN_STOPS}][{CLOSERS}]*)\s*(?=\S)"
)
# The mark some publications end an article with, after its last full stop: "… 。□", "… .■".
END_MARKS = "\u25a1\u25a0\u25aa\u25c6\u25c7\u220e\u2666"
SENTENCE_CLOSE = re.compile(rf"[{SPACED_STOPS}{OWN_STOPS}][{CLOSERS}]*(\s*[{END_MARKS}])?$")
# Any sentence's stop, wherever it is: a mark with its closers before a space or the end.
SENTENCE_STOP = re.compile(rf"[{SPACED_STOPS}][{CLOSERS}]*(?:\s|$)|[{OWN_STOPS}][{CLOSERS}]*")
# Sentences after these are glued on without a space.
CJK_STOPS = "\u3002\uff01\uff1f\u300d\u300f\uff09"
# A caption's credit "(Jane Doe/Metro Wire)", "(AFP via Getty Images)" ends it even without
# a full stop.
CREDIT_THEN_TEXT = re.compile(rf"({INLINE_CREDIT.pattern})\s+(?=[{OPENERS}]?([^\W_]))")


def starts_a_sentence(first: str) -> bool:
    """Whether a sentence may start with this character after a full stop and a space: a digit
    or a letter that is not lower-case (a capital, or a letter of a script without case)."""
    return first.isdigit() or (first.isalpha() and not first.islower())


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


# Words a full stop follows inside a sentence: titles, name suffixes, companies, months.
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "sens",
        "rep",
        "reps",
        "gov",
        "govs",
        "gen",
        "adm",
        "maj",
        "rev",
        "atty",
        "dept",
        "col",
        "capt",
        "lt",
        "sgt",
        "st",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "vs",
        "etc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
    ]
)


# Letters joined by full stops: "D.C", "N.Y", "F.B.I" (the last one's stop is the match's).
_INITIALISM = re.compile(r"^[^\W\d_](?:\.[^\W\d_])+$")


def abbreviation(word: str) -> bool:
    """A full stop after this word does not end the sentence ("Mr. Smith", "U.S. troops",
    "John F. Kennedy", "the D.C. National Guard")."""
    word = word.lstrip(OPENERS)
    return word.lower() in ABBREVIATIONS or len(word) == 1 or bool(_INITIALISM.match(word))


def sentences(paragraph: str, joined: Callable[[str], bool] | None = None) -> list[str]:
    """The paragraph's sentences, each with its own mark and closing quotes. `joined(word)`:
    the full stop after this word is an abbreviation's ("Mr. Smith"), not a sentence's end."""
    found: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(paragraph):
        mark = 1 if match.group(1) else 3
        if mark == 1 and not starts_a_sentence(match.group(2)):
            continue
        if (
            joined is not None
            and match.group(mark)[0] == "."
            and joined(paragraph[start : match.start()].rsplit(" ", 1)[-1])
        ):
            continue
        found.append(paragraph[start : match.end(mark)].strip())
        start = match.end()
    found.append(paragraph[start:].strip())
    return [s for s in found if s]


def closes_a_sentence(text: str) -> bool:
    return bool(SENTENCE_CLOSE.search(text))


def split_after_credits(piece: str) -> list[str]:
    parts, start = [], 0
    for match in CREDIT_THEN_TEXT.finditer(piece):
        if not starts_a_sentence(match.groups()[-1]):
            continue
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
