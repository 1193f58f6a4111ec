# ruff: noqa: RUF001  # quotation marks and colons of other scripts, written as they are
"""Furniture that shows in the shape of the text rather than its words: runs of menu items and
of other stories' headlines, a closing tagline, and where a glued teaser or credit ends and the
article resumes.

One short line without a full stop may be a crosshead, and a few may be a list of key points;
three words-or-so lines in a row are a menu, and two or more headlines closing the text are the
"related" list under a story; a label and a linked headline between two paragraphs ("Lea
también: …") points to another story. Sizes and sentence ends come from segments.py, so these
hold for languages written without spaces too.
"""

from __future__ import annotations

import re

from headlines.intake.scrubbing.links import Links
from headlines.intake.scrubbing.patterns import GLUED_CREDIT, QUOTE_OPEN
from headlines.intake.scrubbing.rules import is_tagline
from headlines.intake.scrubbing.segments import closes_a_sentence, join, sentences, units

HEADLINE_MAX_WORDS = 16
MENU_MAX_WORDS = 4
# A closing list of teasers: at least this many linked headlines, each over a blurb of at most
# TEASER_BLURB_WORDS; a headline is a link when most of its letters are link text.
TEASERS = 3
TEASER_BLURB_WORDS = 60
TEASER_LINK_SHARE = 0.5
# A teaser may carry its own date on a line between its headline and its blurb ("Jueves 21
# abril, 2022"); a headline, its date and its blurb tell a teaser on their own, so two such at
# the end are the related list. A date line: a few words with a year and a day's number, any
# language's month names (each word letters, a number, a numeric date or time, or a CJK date).
DATED_TEASERS = 2
DATED_HEADLINE_MAX_WORDS = HEADLINE_MAX_WORDS + MENU_MAX_WORDS  # as long as a pointer's may be
DATE_LINE_MAX_WORDS = 6
_DATE_WORD = r"(?:[^\W\d_]+\.?,?|\d{1,4}(?:[./:-]\d{1,4}){0,2}[.,]?|(?:\d{1,4}[年月日])+)"
DATE_LINE = re.compile(
    r"^\W*(?=.*(?<!\d)(?:1[89]|20)\d\d(?!\d))(?=.*(?<!\d)\d{1,2}(?!\d))"
    rf"{_DATE_WORD}(?:\s+{_DATE_WORD})*\W*$"
)
# Lines longer than this are read as paragraphs even when they are links.
LINK_LINE_MAX_WORDS = 40
# A pointer to another story inside the text ("Read also: <a>its headline</a>", "Czytaj też:",
# "À lire aussi »"): a label of at most four words and its mark, then a link that makes up at
# least POINTER_LINK_SHARE of the rest, a headline of POINTER_MIN_WORDS words or more.
# Its words are whitespace apart, so no run of letters can be cut up in many ways (a pattern
# that let it took 38 s over 400 letters without a space).
POINTER_LABEL = re.compile(
    r"^\W*([^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,3})\s*([:：»])\s*(\S.*)$"
)
POINTER_MIN_WORDS = 4
POINTER_LINK_SHARE = 0.8
# A headline has words of letters, and is no address.
POINTER_WORDS = re.compile(r"[^\W\d_]{2,}")
POINTER_ADDRESS = re.compile(r"https?://|www\.|\S@\S")
# Headline words that cannot end a headline, so a capital after them is still the headline.
FUNCTION_WORDS = frozenset(
    ("a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and", "or",
     "as", "into", "over", "after", "before", "near")
)  # fmt: skip


def headline_like(paragraph: str, longest: int = HEADLINE_MAX_WORDS) -> bool:
    """A line of a menu or a list of other stories: short, and not a sentence."""
    return units(paragraph) <= longest and not closes_a_sentence(paragraph)


def menu_item(paragraph: str) -> bool:
    return units(paragraph) <= MENU_MAX_WORDS and not closes_a_sentence(paragraph)


def split_after_glued_headline(text: str, skip: int) -> tuple[str, str] | None:
    """Where a headline without a full stop ends and the next sentence begins.

    `skip` words (the "Read more:" or the credit's own words) come first. A sentence starts
    with a capital after a word a headline can end on; in a run of capitals (a place or an
    agency, then the sentence's first word) the last one starts the sentence. When it is
    unclear the earliest boundary wins: it can leave a headline word in, never take one out.
    """
    tokens = text.split()
    for i in range(skip + 1, min(len(tokens), skip + HEADLINE_MAX_WORDS + 1)):
        word, before = tokens[i], tokens[i - 1]
        if not word[:1].isupper() or before.lower() in FUNCTION_WORDS:
            continue
        if i + 1 < len(tokens) and tokens[i + 1][:1].isupper():
            continue  # inside a run of capitals: the sentence starts at its last word
        rest = tokens[i:]
        if len(rest) >= 5 and closes_a_sentence(rest[-1]):
            return " ".join(tokens[:i]), " ".join(rest)
        return None
    return None


def split_glued_credit(piece: str) -> list[str]:
    """ "… on Tuesday Photo: Lee Wong/Valley Press Officials said …" → caption, sentence."""
    match = GLUED_CREDIT.search(piece)
    if match is None:
        return [piece]
    skip = len(piece[: match.end()].split()) - 1
    split = split_after_glued_headline(piece, skip)
    return list(split) if split else [piece]


def lists_and_taglines(
    kept: list[str],
    removed: list[tuple[str, str]],
    skip: frozenset[str] = frozenset(),
    links: Links | None = None,
) -> tuple[list[str], list[tuple[str, str]]]:
    """Take out menus, lists of other stories' headlines, and a closing tagline."""
    if "navigation" not in skip:
        kept = _without_repeated_short_lines(kept, removed, links)
    if links:
        kept = _link_lists(kept, removed, skip, links)
        if "related" not in skip:
            kept = _closing_teasers(kept, removed, links)
            kept = _pointers(kept, removed, links)
    else:
        kept = _short_line_lists(kept, removed, skip)
    return (kept, removed) if "tagline" in skip else _without_tagline(kept, removed)


def _without_repeated_short_lines(
    kept: list[str], removed: list[tuple[str, str]], links: Links | None
) -> list[str]:
    """A short line that is not a sentence and shows twice in one text is a menu item (pages
    repeat their navigation above and below the story). When the page's links are known it
    must be a link too: code and lyrics repeat short lines of their own. And a menu item
    leads to one place however often it shows; a link that leads somewhere new each time
    ("Full solution" under every exercise, a heading's own anchor) is the article's."""
    keys = [" ".join(line.casefold().split()) for line in kept]
    seen: dict[str, int] = {}
    for key, line in zip(keys, kept, strict=True):
        if menu_item(line) and (not links or links.parts(line)):
            seen[key] = seen.get(key, 0) + 1
    if links:
        among = {key for i, key in enumerate(keys) if key in seen and _among_links(kept, i, links)}
        seen = {key: n for key, n in seen.items() if key in among or links.places(key) < n}
    out = []
    for key, line in zip(keys, kept, strict=True):
        if seen.get(key, 0) >= 2:
            removed.append((line, "navigation"))
        else:
            out.append(line)
    return out


def _among_links(kept: list[str], i: int, links: Links) -> bool:
    """Whether the line at `i` has a link line next to it (menus come in runs)."""
    return any(links.parts(kept[j]) for j in (i - 1, i + 1) if 0 <= j < len(kept))


def _link_lists(
    kept: list[str], removed: list[tuple[str, str]], skip: frozenset[str], links: Links
) -> list[str]:
    """With the page's links known: a run of three or more lines made of links is a menu,
    and so is one line made of three or more; two or more closing the text are the related
    list; a short heading over a list so removed ("Notas relacionadas", "Most popular")
    goes with it. Short lines that are not links (crossheads, key points, a timeline) stay."""
    parts = [links.parts(line) if units(line) <= LINK_LINE_MAX_WORDS else 0 for line in kept]
    reasons: list[str | None] = [None] * len(kept)
    i = 0
    while i < len(kept):
        j = i
        while j < len(kept) and parts[j]:
            j += 1
        menu = j - i >= 3 or (j - i == 1 and parts[i] >= 3)
        related = not menu and j - i >= 2 and j == len(kept)
        if (menu and "navigation" not in skip) or (related and "related" not in skip):
            reasons[i:j] = ["navigation" if menu else "related"] * (j - i)
        i = max(j, i + 1)
    _headings_over(kept, reasons, links)
    out = []
    for line, reason in zip(kept, reasons, strict=True):
        if reason:
            removed.append((line, reason))
        else:
            out.append(line)
    return out


def _headings_over(kept: list[str], reasons: list[str | None], links: Links) -> None:
    """A short line that is neither a sentence nor a link, standing over two or more removed
    link lines or over removed ones that close the text, is that list's heading."""
    for i in range(len(kept) - 1):
        if reasons[i] is not None or reasons[i + 1] is None:
            continue
        j = i + 1
        while j < len(kept) and reasons[j] is not None:
            j += 1
        line = kept[i]
        if (
            (j - i > 2 or j == len(kept))
            and menu_item(line)
            and links.share(line) < TEASER_LINK_SHARE
        ):
            reasons[i] = reasons[i + 1]


def date_line(line: str) -> bool:
    """A line that is only a date, in any language's words ("Lunes 18 abril, 2022",
    "18.04.2022", "21 de abril de 2022")."""
    return units(line) <= DATE_LINE_MAX_WORDS and bool(DATE_LINE.match(line))


def _closing_teasers(kept: list[str], removed: list[tuple[str, str]], links: Links) -> list[str]:
    """Other stories closing the text, each a linked headline over a short blurb that is not
    a link ("Fraser's lasting legacy" / "MALCOLM Fraser — an effective prime minister …"):
    TEASERS or more such pairs at the end, or DATED_TEASERS or more with a date line between
    headline and blurb, are the related list under a story, with the short heading over
    them."""

    def teaser(headline: str, blurb: str, longest: int = HEADLINE_MAX_WORDS) -> bool:
        return (
            headline_like(headline, longest)
            and links.share(headline) >= TEASER_LINK_SHARE
            and links.share(blurb) < TEASER_LINK_SHARE
            and units(blurb) <= TEASER_BLURB_WORDS
        )

    start, teasers, dated = len(kept), 0, 0
    while start >= 2:
        if (
            start >= 3
            and date_line(kept[start - 2])
            and teaser(kept[start - 3], kept[start - 1], DATED_HEADLINE_MAX_WORDS)
        ):
            start, teasers, dated = start - 3, teasers + 1, dated + 1
        elif teaser(kept[start - 2], kept[start - 1]):
            start, teasers = start - 2, teasers + 1
        else:
            break
    if start > 0 and (teasers >= TEASERS or (dated >= DATED_TEASERS and dated == teasers)):
        heading = kept[start - 1]
        if start > 1 and menu_item(heading) and links.share(heading) < TEASER_LINK_SHARE:
            start -= 1  # the list's heading ("Other opinion columns")
        removed.extend((line, "related") for line in kept[start:])
        return kept[:start]
    return kept


def pointer(line: str, links: Links) -> bool:
    """Whether `line` points to another story: a short label that is not a link, its mark,
    then a linked headline of a few words. Its shape tells it in any language; the label's
    words are never read. A linked title with a colon of its own ("Review: The Incident", a
    reference) is one link, label and all, and stays."""
    match = POINTER_LABEL.match(line)
    if match is None or QUOTE_OPEN.match(line):  # a quoted title, label and all: a reference
        return False
    label, rest = match.group(1), match.group(3)
    if not POINTER_WORDS.search(rest) or POINTER_ADDRESS.search(rest):
        return False
    if not POINTER_MIN_WORDS <= units(rest) <= HEADLINE_MAX_WORDS + MENU_MAX_WORDS:
        return False
    return links.share(rest) >= POINTER_LINK_SHARE and links.share(label) < TEASER_LINK_SHARE


def _pointers(kept: list[str], removed: list[tuple[str, str]], links: Links) -> list[str]:
    """Lines inside the text that send the reader to another story ("Lea también: …")."""
    out = []
    for line in kept:
        if pointer(line, links):
            removed.append((line, "related"))
        else:
            out.append(line)
    return out


def _short_line_lists(
    kept: list[str], removed: list[tuple[str, str]], skip: frozenset[str]
) -> list[str]:
    """Without the page's links (a dump record): one short line without a full stop may be a
    crosshead, and a few may be a list of key points; three words-or-so lines in a row are a
    menu, and two or more headlines closing the text are the "related" list under a story."""
    out: list[str] = []
    i = 0
    while i < len(kept):
        j = i
        while j < len(kept) and headline_like(kept[j]):
            j += 1
        run = kept[i:j]
        menu = len(run) >= 3 and all(menu_item(line) for line in run)
        related = not menu and len(run) >= 2 and j == len(kept)
        if (menu and "navigation" not in skip) or (related and "related" not in skip):
            removed.extend((line, "navigation" if menu else "related") for line in run)
        else:
            out.extend(run or [kept[i]])
        i = max(j, i + 1)
    return out


def _without_tagline(
    kept: list[str], removed: list[tuple[str, str]]
) -> tuple[list[str], list[tuple[str, str]]]:
    """The story's last sentences, when the publisher describes itself or asks for support
    ("… is a not-for-profit newsroom. Donate today.")."""
    if len(kept) < 2:
        return kept, removed
    pieces = sentences(kept[-1])
    count = len(pieces)
    while pieces and is_tagline(pieces[-1]):
        removed.append((pieces.pop(), "tagline"))
    if len(pieces) < count:
        kept = kept[:-1] + ([join(pieces)] if pieces else [])
    return kept, removed
