"""Which lines of an extracted text are the page's links: menus and lists of other stories are
made of them in every language, so their shape is found without knowing a word of it.

Only links that lead away count. An anchor to a place on the same page (`href="#…"`: a table of
contents, a footnote's back-link, a heading's permalink) is the article's own structure; a bare
`href="#"` is a script's button, and counts. Lines of a preformatted block (`<pre>`: code, a
listing) are never a menu, whatever links they hold.
"""

from __future__ import annotations

import html as htmllib
import re

ANCHOR = re.compile(
    r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))[^>]*>(.*?)</a\s*>""",
    re.I | re.S,
)
TAG = re.compile(r"<[^>]+>")
PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre\s*>", re.I | re.S)
NOT_WORD = re.compile(r"[\W_]+")
# Anchors this long are paragraphs that happen to be links, not menu items.
MAX_ANCHOR = 200
# A line is a link line when no more than this share of its letters lies outside link text.
OUTSIDE_LINKS = 0.25


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _target(href: str) -> str:
    """Where a link leads, spelled one way: "/news/" and "/news" are one place."""
    return htmllib.unescape(href).strip().split("#", 1)[0].rstrip("/").casefold()


class Links:
    """The texts of a page's links, how much of a line they make up, and how many places
    each text leads to."""

    def __init__(
        self, texts: set[str] | dict[str, set[str]], code: frozenset[str] = frozenset()
    ) -> None:
        targets = texts if isinstance(texts, dict) else {t: set() for t in texts}
        # Lines of the page's preformatted blocks (code, listings): never a menu.
        self.code = code
        self.targets = {t: places for t, places in targets.items() if 1 < len(t) <= MAX_ANCHOR}
        self.texts = set(self.targets)
        # Longest first, so "World news" is taken before "news".
        self.ordered = sorted(self.texts, key=len, reverse=True)
        # Each line is asked about by several rules and passes: it is worked out once.
        self._parts: dict[str, int] = {}
        self._shares: dict[str, float] = {}

    @classmethod
    def from_html(cls, page: str) -> Links:
        targets: dict[str, set[str]] = {}
        for match in ANCHOR.finditer(page):
            double, single, bare, inner = match.groups()
            value = double if double is not None else single if single is not None else bare
            value = value.strip()
            if not value or (value.startswith("#") and len(value) > 1):
                continue  # no link, or a place on this page: the article's own structure
            text = _normal(htmllib.unescape(TAG.sub(" ", inner)))
            if text:
                targets.setdefault(text, set()).add(value)
        code = {
            _normal(htmllib.unescape(line))
            for block in (PRE.findall(page) if "<pre" in page or "<PRE" in page else ())
            for line in TAG.sub("", block).splitlines()
        }
        return cls(targets, frozenset(code - {""}))

    def __bool__(self) -> bool:
        return bool(self.texts)

    def places(self, line: str) -> int:
        """How many different places a link reading exactly `line` leads to (0: none)."""
        return len({_target(href) for href in self.targets.get(_normal(line), ())})

    def parts(self, line: str) -> int:
        """How many different link texts make up `line`, or 0 when too much of it is not a
        link (one link repeated is one part: a menu offers several places)."""
        found = self._parts.get(line)
        if found is None:
            found = self._parts[line] = self._count_parts(line)
        return found

    def share(self, line: str) -> float:
        """How much of `line` (a share of its letters) is the text of the page's links."""
        found = self._shares.get(line)
        if found is None:
            rest = _normal(line)
            letters = len(NOT_WORD.sub("", rest))
            if not letters or rest in self.code or len(rest) > 4 * MAX_ANCHOR:
                found = 0.0
            else:
                found = 1 - len(NOT_WORD.sub("", self._without_links(rest)[1])) / letters
            self._shares[line] = found
        return found

    def _count_parts(self, line: str) -> int:
        rest = _normal(line)
        if rest in self.code:
            return 0
        if rest in self.texts:
            return 1
        letters = len(NOT_WORD.sub("", rest))
        if not letters or len(rest) > 4 * MAX_ANCHOR:
            return 0
        found, rest = self._without_links(rest)
        outside = len(NOT_WORD.sub("", rest))
        return found if found and outside <= letters * OUTSIDE_LINKS else 0

    def _without_links(self, rest: str) -> tuple[int, str]:
        """`rest` with each of the page's link texts in it blanked out, longest first, and how
        many different ones there were."""
        found = 0
        for text in self.ordered:
            if len(text) <= len(rest) and text in rest:
                found += 1
                rest = rest.replace(text, " ")
        return found, rest
