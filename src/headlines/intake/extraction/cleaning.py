"""One raw item to one clean article: extract, then scrub. Stores nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from headlines.core import clock, urls
from headlines.intake.errors import ParseError
from headlines.intake.extraction import extract as extraction
from headlines.intake.extraction.languages import reconcile
from headlines.intake.extraction.metadata import tidy_author
from headlines.intake.reading.dates import DateLike, in_future
from headlines.intake.reading.inputs import RawItem
from headlines.intake.scrubbing.links import Links
from headlines.intake.scrubbing.scrub import LineMemory, Removed, scrub
from headlines.intake.scrubbing.segments import units
from headlines.intake.storing.dedup import canonical_url

MIN_WORDS = 5
BRIEF_TITLE_WORDS = 3  # a brief's headline: "Apple unveils iWatch", not a label
# How far down the page's text a repeat of the headline is looked for.
TITLE_WITHIN = 15
TITLE_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " :: ")


@dataclass
class CleanArticle:
    input: str
    text: str
    title: str = ""
    author: str = ""
    url: str = ""
    canonical_url: str = ""
    image_url: str = ""
    language: str = ""
    published: DateLike | None = None
    removed: list[Removed] = field(default_factory=list)
    outlet: str = ""
    sections: list[str] = field(default_factory=list)
    # Why it is undated although its record or entry gave a date (RawItem.date_note), or one in
    # the future.
    date_note: str = ""

    def date_iso(self) -> str | None:
        if self.published is None:
            return None
        if isinstance(self.published, dt.datetime):
            return self.published.isoformat()
        return self.published.isoformat()

    def as_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "title": self.title,
            "date": self.date_iso(),
            "author": self.author,
            "text": self.text,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "language": self.language,
            "image_url": self.image_url,
            "outlet": self.outlet,
            "sections": self.sections,
            "removed": [r.as_dict() for r in self.removed],
        }


def clean(
    item: RawItem, *, memory: LineMemory | None = None, default_language: str = ""
) -> CleanArticle:
    """The article in `item`; ParseError when there is none to be had."""
    extracted = _extract(item)
    if extracted is None:
        raise ParseError(f"{item.input}: no article text found")
    links = Links.from_html(item.html) if item.html else None
    body, headings = _without_title(extracted)
    paragraphs, removed = scrub(body, memory, extracted=bool(item.html), links=links)
    removed = [Removed(heading, "title") for heading in headings] + removed
    if extracted.extras.get("extraction"):
        # How the text was found, when not the usual way (an article laid out in a table).
        removed.append(Removed(extracted.extras["extraction"], "kept"))
    text = "\n\n".join(paragraphs)
    if units(text) < MIN_WORDS and not is_brief(item, extracted):
        if not item.html:
            # The record had words; the rules took them.
            furniture = [r.reason for r in removed if r.reason not in ("title", "kept")]
            raise ParseError(f"{item.input}: {_too_short(text, item.date_note, furniture)}")
        if not body:
            # trafilatura found nothing but the headline (an error page, a login wall, a
            # page drawn by scripts): a headline is not an article, and no rule took it.
            raise ParseError(f"{item.input}: no article text (the page's only text is its title)")
        raise ParseError(f"{item.input}: no article text left after removing page furniture")
    # A link readers can follow: `javascript:`, `file:` or a relative path is no article's
    # address (what `extract` prints is what `import` stores).
    url = next((_lower_scheme(u) for u in (extracted.url, item.url) if _web_address(u)), "")
    published = item.published or extracted.published
    date_note = item.date_note if published is None else ""
    if published is not None and in_future(published, now=clock.now()):
        # Stored as given, it was in no digest, no story list and no archive until that day
        # came (2031 for a mistyped year), and nothing said so. Taken as unknown, it counts
        # by when it arrived, as an undated article does, and the report names it.
        date_note = f"its date {published.isoformat()} is in the future"
        published = None
    return CleanArticle(
        input=item.input,
        text=text,
        title=extracted.title,
        author=tidy_author(extracted.author or item.author),
        url=url,
        canonical_url=canonical_url(url),
        image_url=extracted.image_url or item.image_url,
        language=_language(item, extracted, default_language, text)[:16],
        published=published,
        removed=removed,
        outlet=item.outlet,
        sections=item.sections,
        date_note=date_note,
    )


def _too_short(text: str, date_note: str, furniture: list[str]) -> str:
    """Why a record is no article: no text, or too few words. "No article text" was said of
    `date 2022-02-30 bad date record`, which has three, and not that its date is no date, and
    of a record whose every line was page furniture (a sign-up line), as if it had none."""
    words = units(text)
    if furniture and not words:
        said = ", ".join(dict.fromkeys(furniture))
        why = f"no article text left after removing page furniture ({said})"
    elif words:
        why = (
            f"the record's text is too short for an article: {words} word"
            f"{'' if words == 1 else 's'}, where an article has {MIN_WORDS} or more (or a "
            f"headline of {BRIEF_TITLE_WORDS} words or more)"
        )
    else:
        why = (
            f"no article text (a record needs a text, or a headline of {BRIEF_TITLE_WORDS} "
            "words or more)"
        )
    return f"{why}; and {date_note}" if date_note else why


def _language(
    item: RawItem, extracted: extraction.Extracted, default_language: str, text: str
) -> str:
    """A feed's language, else the page's or record's (already checked against its text by
    extraction), else the source's; a feed's or a source's is checked against the text too."""
    if extracted.language and not item.language:
        return extracted.language
    return reconcile(item.language or default_language, f"{extracted.title}\n{text}")


def is_brief(item: RawItem, extracted: extraction.Extracted) -> bool:
    """A dump record with a headline and little or no text: a news aggregator's item (headline,
    blurb, link), or a wire flash. It is news in its own right and is stored with the text it
    has; a fetched page without article text is not (its text was lost, not absent)."""
    return not item.html and units(extracted.title) >= BRIEF_TITLE_WORDS


def _without_title(extracted: extraction.Extracted) -> tuple[list[str], list[str]]:
    """The paragraphs without the headline, and the headline lines taken out.

    trafilatura keeps an <h1> that repeats the title, sometimes below a menu or a section
    label; the title is stored on its own, and a repeated headline is never article text."""
    paragraphs = extracted.paragraphs
    title = " ".join(extracted.title.lower().split())
    if not title:
        return paragraphs, []
    # A <title> often carries the site's name: "Headline | Harbour Wire".
    titles = {title, *(title.rsplit(sep, 1)[0] for sep in TITLE_SEPARATORS if sep in title)}
    head = [" ".join(p.lower().split()) for p in paragraphs[:TITLE_WITHIN]]
    body: list[str] = []
    headings: list[str] = []
    for i, paragraph in enumerate(paragraphs):
        is_title = i < TITLE_WITHIN and head[i] in titles
        (headings if is_title else body).append(paragraph)
    return body, headings


def _extract(item: RawItem) -> extraction.Extracted | None:
    if item.html:
        return extraction.from_html(
            item.html, input=item.input, url=item.url, title=item.title, published=item.published
        )
    return extraction.from_text(
        item.text,
        input=item.input,
        url=item.url,
        title=item.title,
        author=item.author,
        published=item.published,
        language=item.language,
    )


def _web_address(url: str) -> bool:
    """An http(s) address with a host that a link can hold: a record's `http://[::1` (a host
    in brackets that is no IPv6 address) or `https://` was stored as the article's link."""
    if not url.lower().startswith(("http://", "https://")):
        return False
    try:
        return bool(urls.split(url).hostname)
    except ValueError:
        return False


def _lower_scheme(url: str) -> str:
    scheme, _, rest = url.partition(":")
    return f"{scheme.lower()}:{rest}"
