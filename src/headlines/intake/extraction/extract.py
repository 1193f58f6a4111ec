"""Extraction: an HTML page or a text record to paragraphs and metadata.

trafilatura runs once per page, in its full mode; trafilatura and htmldate are imported when a
page is first extracted, so that commands that extract nothing start light. Text dumps get
their paragraphs back from blank lines, line breaks or, for one-line records, sentence groups.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from headlines.intake.extraction.languages import declared_language, guess_language
from headlines.intake.extraction.metadata import head_metadata
from headlines.intake.reading.dates import DateLike, parse_date

# Sentences glued together by scrapers: "subscribing!Fire crews" → "subscribing! Fire crews".
GLUED = re.compile(r"(?<=[a-z0-9][.!?])(?=[A-Z][a-z])")
SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
PARAGRAPH_WORDS = 60
DATE_PARAMS: dict[str, Any] = {
    "extensive_search": False,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
# A line that ends a sentence (or a caption's credit) is its own paragraph; one that does not
# and is followed by a lower-case start is a hard wrap inside a paragraph.
LINE_ENDS = re.compile(r"[.!?\u2026:;\"'\u201d\u2019)\]]$")


@dataclass
class Extracted:
    input: str
    paragraphs: list[str]
    title: str = ""
    author: str = ""
    url: str = ""
    image_url: str = ""
    language: str = ""
    published: DateLike | None = None
    extras: dict[str, str] = field(default_factory=dict)


def from_html(
    html: str, *, input: str, url: str = "", title: str = "", published: DateLike | None = None
) -> Extracted | None:
    """The article in `html`, or None when trafilatura finds no main text."""
    text = _main_text(html, url)
    if not text.strip():
        return None
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    meta = head_metadata(html)
    date = published or parse_date(meta["date"]) or _htmldate(html)
    return Extracted(
        input=input,
        paragraphs=paragraphs,
        title=(meta["title"] or title).strip(),
        author=meta["author"].strip(),
        url=(meta["url"] if meta["url"].startswith("http") else url).strip(),
        image_url=meta["image"].strip(),
        language=declared_language(html) or guess_language(text),
        published=date,
    )


def _main_text(html: str, url: str) -> str:
    """trafilatura's full mode: its own extractor checked against readability and jusText.
    The fast mode alone lost whole articles on real pages whose layout hides them from it."""
    # trafilatura loads lxml and more (a quarter second): only extraction pays for it.
    from trafilatura import bare_extraction
    from trafilatura.metadata import Document

    document = bare_extraction(
        html,
        url=url or None,
        fast=False,
        with_metadata=False,
        include_comments=False,
        include_tables=False,
    )
    text = (document.text or "") if isinstance(document, Document) else ""
    # NFC, as trafilatura's own extract() returns it: one spelling for each character.
    return unicodedata.normalize("NFC", text)


def _htmldate(html: str) -> DateLike | None:
    """htmldate's heuristics, only for pages that declare no date in their head."""
    from htmldate import find_date

    found = find_date(html, **DATE_PARAMS)
    return parse_date(found) if isinstance(found, str) else None


def from_text(
    text: str,
    *,
    input: str,
    url: str = "",
    title: str = "",
    author: str = "",
    published: DateLike | None = None,
    language: str = "",
) -> Extracted:
    return Extracted(
        input=input,
        paragraphs=recover_paragraphs(text),
        title=title,
        author=author,
        url=url,
        language=language or guess_language(text),
        published=published,
    )


def recover_paragraphs(text: str) -> list[str]:
    """Paragraphs from a dump's text: blank lines, else line breaks, else sentence groups."""
    text = GLUED.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        return []
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = unwrap([" ".join(line.split()) for line in block.split("\n") if line.strip()])
        for line in lines:
            paragraphs.extend(
                group_sentences(line) if len(line.split()) > 2 * PARAGRAPH_WORDS else [line]
            )
    return paragraphs


def unwrap(lines: list[str]) -> list[str]:
    joined: list[str] = []
    for line in lines:
        if joined and not LINE_ENDS.search(joined[-1]) and line[:1].islower():
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def group_sentences(line: str) -> list[str]:
    """A one-line record becomes paragraphs of a few sentences each."""
    paragraphs: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in SENTENCE_END.split(line):
        current.append(sentence)
        count += len(sentence.split())
        if count >= PARAGRAPH_WORDS:
            paragraphs.append(" ".join(current))
            current, count = [], 0
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs
