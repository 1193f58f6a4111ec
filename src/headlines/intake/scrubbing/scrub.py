"""Scrubbing: take out of an article's text what is page furniture, not the article.

The rules (rules.py, one list) are general ones about how web pages talk to readers; a
per-source memory (`LineMemory`) adds the lines a source repeats under every article; the shape
of the text (structure.py) finds menus, related lists and taglines. Work happens per
sentence-like segment, so a widget glued to the first sentence of a dump record is cut out
without losing the sentence. Every removal is kept with its reason for staff review.

Scrubbing never takes the article: a family of rules (one reason) that would remove most of a
page's extracted text is not applied to that page, and the removal list says why (reason
"kept").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from headlines.intake.scrubbing import structure
from headlines.intake.scrubbing.links import Links
from headlines.intake.scrubbing.patterns import INLINE_CREDIT, PLATFORMS, PROMPT_PREFIX, REPORTING
from headlines.intake.scrubbing.rules import classify, topical
from headlines.intake.scrubbing.segments import (
    closes_a_sentence,
    join,
    sentences,
    split_after_credits,
    units,
)

NOT_LETTERS = re.compile(r"[\W\d_]+")
# Only lines this short are learned as a source's furniture; longer ones are always read.
LEARNED_MAX_WORDS = 30
# One family of rules may remove at most this share of a page's extracted text.
MAX_REMOVED_SHARE = 0.5


@dataclass(frozen=True)
class Removed:
    text: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "reason": self.reason}


class LineMemory(Protocol):
    """What one source's past articles have taught: which lines repeat under every article."""

    def prefetch(self, keys: Iterable[str]) -> None: ...

    def is_repeated(self, key: str) -> bool: ...

    def record(self, keys: Iterable[str], examples: dict[str, str]) -> None: ...


def line_key(line: str) -> str:
    """Lines that differ only in case, digits or spacing are the same line of furniture."""
    normal = " ".join(NOT_LETTERS.split(line.lower()))
    return hashlib.blake2b(normal.encode(), digest_size=12).hexdigest()


def segments(paragraph: str) -> list[str]:
    pieces = sentences(paragraph)
    if "(" in paragraph:
        pieces = [part for piece in pieces for part in split_after_credits(piece)]
    if "/" in paragraph:
        pieces = [part for piece in pieces for part in structure.split_glued_credit(piece)]
    return [s.strip() for s in pieces if s.strip()]


class _Memo:
    """One page's segments and verdicts, kept across the passes `scrub` makes over it (a pass
    per skipped family, one without the memory): each segment is split and judged once."""

    def __init__(self) -> None:
        self._pieces: dict[str, list[str]] = {}
        self._reasons: dict[tuple[str, frozenset[str]], str | None] = {}

    def pieces(self, paragraph: str) -> list[str]:
        found = self._pieces.get(paragraph)
        if found is None:
            found = self._pieces[paragraph] = _unglued(segments(paragraph))
        return found

    def reason(self, segment: str, skip: frozenset[str]) -> str | None:
        key = (segment, skip)
        if key not in self._reasons:
            self._reasons[key] = classify(segment, skip)
        return self._reasons[key]


def scrub(
    paragraphs: Iterable[str],
    memory: LineMemory | None = None,
    *,
    extracted: bool = False,
    links: Links | None = None,
) -> tuple[list[str], list[Removed]]:
    """The article's paragraphs without furniture, and what was removed and why.

    `extracted`: the paragraphs are an extractor's choice of a page's main text, so furniture
    can only be a small part of them (a dump record, by contrast, may be mostly widget).
    `links`: the page's link texts, which tell menus and related lists by their shape."""
    paragraphs = [" ".join(p.split()) for p in paragraphs if p.strip()]
    if memory is not None:
        memory.prefetch(())
    memo = _Memo()
    kept, removed = _scrub(paragraphs, memory, links=links, memo=memo)
    topics = topical(kept)
    if topics:
        kept, removed = _scrub(paragraphs, memory, topics, links, memo)
    if memory is not None and _repetition_ate_the_story(kept, removed):
        # A source that repeats whole sentences of news (wire boilerplate) must not lose its
        # article to what it learned: furniture never outweighs the story.
        kept, removed = _scrub(paragraphs, None, topics, links, memo)
    if memory is not None:
        memory.record(*_learnable(paragraphs, kept))
    if extracted:
        kept, removed = _no_rule_takes_most(paragraphs, memory, kept, removed, links, topics, memo)
    return kept, removed


def _no_rule_takes_most(
    paragraphs: list[str],
    memory: LineMemory | None,
    kept: list[str],
    removed: list[Removed],
    links: Links | None = None,
    topics: frozenset[str] = frozenset(),
    memo: _Memo | None = None,
) -> tuple[list[str], list[Removed]]:
    """A rule that would remove most of an extracted text has misread the page (a language or
    a layout it does not know): it is not applied to this page, and the removal list says so.
    Several rules together may remove more (a page heavy with widgets), none alone."""
    total = sum(units(p) for p in paragraphs)
    skip = topics
    notes: list[Removed] = []
    while total:
        by_reason: dict[str, int] = {}
        for r in removed:
            by_reason[r.reason] = by_reason.get(r.reason, 0) + units(r.text)
        reason, size = max(by_reason.items(), key=lambda kv: kv[1], default=("", 0))
        if size <= total * MAX_REMOVED_SHARE:
            break
        skip |= {reason}
        share = round(100 * size / total)
        notes.append(Removed(f"{reason} rules would have removed {share}% of the text", "kept"))
        kept, removed = _scrub(paragraphs, memory, skip, links, memo)
    return kept, removed + notes


def _scrub(
    paragraphs: list[str],
    memory: LineMemory | None,
    skip: frozenset[str] = frozenset(),
    links: Links | None = None,
    memo: _Memo | None = None,
) -> tuple[list[str], list[Removed]]:
    memo = memo or _Memo()
    kept: list[str] = []
    removed: list[Removed] = []
    learned = None if "repeated" in skip else memory
    for paragraph in paragraphs:
        if learned and _is_learned(paragraph, learned):
            removed.append(Removed(paragraph, "repeated"))
            continue
        parts: list[str] = []
        last = None
        pieces = memo.pieces(paragraph)
        for i, segment in enumerate(pieces):
            if learned and segment != paragraph and _is_learned(segment, learned):
                removed.append(Removed(segment, "repeated"))
                continue
            reason = memo.reason(segment, skip)
            if reason == "share" and _amid_prose(pieces, i, memo, skip):
                reason = None
            if reason is None and last == "prompt" and structure.headline_like(segment):
                reason = "prompt"  # a teaser's headline runs on past its question mark
            last = reason
            if reason:
                removed.append(Removed(segment, reason))
            else:
                parts.append(segment if "caption" in skip else _without_credits(segment, removed))
        if parts and last == "caption" and _is_caption(parts):
            # A caption ends in its credit: what stands before the credit is the caption.
            removed[-1:] = [Removed(" ".join([*parts, removed[-1].text]), "caption")]
            parts = []
        if parts == pieces:
            kept.append(paragraph)  # untouched: as written, its own spacing included
        elif parts:
            kept.append(join(parts))
    kept, more = structure.lists_and_taglines(kept, [], skip, links)
    return kept, removed + [Removed(text, reason) for text, reason in more]


def _amid_prose(pieces: list[str], i: int, memo: _Memo, skip: frozenset[str]) -> bool:
    """A call to follow or share that names no platform or handle, written as a sentence
    between two sentences of the article in one paragraph ("We train models. Follow us to stay
    up to date. In this roundup …"), is the writer's own: a share bar or a prompt stands apart
    from the prose, at its edges, and names where to follow ("Follow us @site, Facebook")."""
    piece = pieces[i]
    if not 0 < i < len(pieces) - 1 or not closes_a_sentence(piece):
        return False
    if "@" in piece or PLATFORMS.search(piece):
        return False
    return memo.reason(pieces[i - 1], skip) is None and memo.reason(pieces[i + 1], skip) is None


def _without_credits(segment: str, removed: list[Removed]) -> str:
    """A photo credit in brackets inside a sentence of the article: the credit goes, the
    sentence stays."""
    if "(" not in segment:
        return segment
    credits = [m.group().strip() for m in INLINE_CREDIT.finditer(segment)]
    if not credits:
        return segment
    removed.extend(Removed(credit, "caption") for credit in credits)
    return " ".join(INLINE_CREDIT.sub("", segment).split())


def _unglued(pieces: list[str]) -> list[str]:
    """A teaser whose headline has no full stop is cut from the sentence glued after it."""
    out: list[str] = []
    for piece in pieces:
        match = PROMPT_PREFIX.match(piece)
        split = match and structure.split_after_glued_headline(
            piece, len(piece[: match.end() - 1].split())
        )
        out.extend(split or [piece])
    return out


def _is_caption(parts: list[str]) -> bool:
    text = " ".join(parts)
    return units(text) <= 30 and not REPORTING.search(text) and not text.endswith(":")


def _is_learned(line: str, memory: LineMemory) -> bool:
    return units(line) <= LEARNED_MAX_WORDS and memory.is_repeated(line_key(line))


def _repetition_ate_the_story(kept: list[str], removed: list[Removed]) -> bool:
    learned = sum(units(r.text) for r in removed if r.reason == "repeated")
    return learned > 0 and learned >= sum(units(k) for k in kept)


def _learnable(paragraphs: list[str], kept: list[str]) -> tuple[list[str], dict[str, str]]:
    """Short paragraphs, and the closing sentence where taglines sit ("X is a nonprofit …")."""
    lines = [p for p in paragraphs if units(p) <= LEARNED_MAX_WORDS]
    if kept:
        last = segments(kept[-1])[-1:]
        lines += [s for s in last if s != kept[-1] and units(s) >= 4]
    examples = {line_key(line): line[:300] for line in lines}
    return list(examples), examples
