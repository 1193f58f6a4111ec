"""Which lines of an extracted text are the page's links: menus and lists of other stories are
made of them in every language, so their shape is found without knowing a word of it."""

from __future__ import annotations

import html as htmllib
import re

ANCHOR = re.compile(r"<a\b[^>]*\bhref\s*=[^>]*>(.*?)</a\s*>", re.I | re.S)
TAG = re.compile(r"<[^>]+>")
NOT_WORD = re.compile(r"[\W_]+")
# Anchors this long are paragraphs that happen to be links, not menu items.
MAX_ANCHOR = 200
# A line is a link line when no more than this share of its letters lies outside link text.
OUTSIDE_LINKS = 0.25


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


class Links:
    """The texts of a page's links, and how much of a line they make up."""

    def __init__(self, texts: set[str]) -> None:
        self.texts = {t for t in texts if 1 < len(t) <= MAX_ANCHOR}
        # Longest first, so "World news" is taken before "news".
        self.ordered = sorted(self.texts, key=len, reverse=True)

    @classmethod
    def from_html(cls, page: str) -> Links:
        texts = set()
        for match in ANCHOR.finditer(page):
            text = _normal(htmllib.unescape(TAG.sub(" ", match.group(1))))
            if text:
                texts.add(text)
        return cls(texts)

    def __bool__(self) -> bool:
        return bool(self.texts)

    def parts(self, line: str) -> int:
        """How many link texts make up `line`, or 0 when too much of it is not a link."""
        rest = _normal(line)
        if rest in self.texts:
            return 1
        letters = len(NOT_WORD.sub("", rest))
        if not letters or len(rest) > 4 * MAX_ANCHOR:
            return 0
        found = 0
        for text in self.ordered:
            if len(text) <= len(rest) and text in rest:
                found += rest.count(text)
                rest = rest.replace(text, " ")
        outside = len(NOT_WORD.sub("", rest))
        return found if found and outside <= letters * OUTSIDE_LINKS else 0
