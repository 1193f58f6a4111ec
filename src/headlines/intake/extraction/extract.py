"""Extraction: an HTML page or a text record to paragraphs and metadata.

trafilatura runs once per page, in its full mode; trafilatura and htmldate are imported when a
page is first extracted, so that commands that extract nothing start light. Text dumps get
their paragraphs back from blank lines, line breaks or, for one-line records, sentence groups.
"""

from __future__ import annotations

import functools
import html as htmllib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from headlines.intake.extraction.languages import declared_language, reconcile
from headlines.intake.extraction.metadata import head_metadata, plausible_author
from headlines.intake.extraction.unseen import without_unseen
from headlines.intake.reading.dates import DateLike, parse_date
from headlines.intake.scrubbing import segments
from headlines.intake.scrubbing.segments import units

# Sentences glued together by scrapers: "subscribing!Fire crews" → "subscribing! Fire crews".
GLUED = re.compile(r"(?<=[a-z0-9][.!?])(?=[A-Z][a-z])")
PARAGRAPH_WORDS = 60
DATE_PARAMS: dict[str, Any] = {
    "extensive_search": False,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
# A page whose text without its tables is less than this share of the prose its tables hold
# has its article laid out in a table (old sites, forums): the table's prose is the article.
TABLE_PROSE_SHARE = 0.5
# A table cell of at least this many words with a sentence in it is prose, not a menu's cell.
PROSE_CELL_WORDS = 8
TABLE_ROW = re.compile(r"^\|.*\|$")
TAG = re.compile(r"<[^>]*>")
SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.I | re.S)
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
    meta = head_metadata(html)
    title = _without_site_name((meta["title"] or title).strip(), html)
    # Read before the text, on the tree parsed for it (`_main_text` lets it go).
    author = meta["author"].strip() or byline(html)
    text, note = _main_text(html, url, title)
    if not text.strip():
        # Markup lxml cannot root in a body (a page inside an archive's own element, a
        # cut-off doctype, a title that never closes and so holds the rest of the page as its
        # text) hides the whole page from trafilatura; inside a fresh body, its title closed
        # at its first line's end, the same markup is read.
        repaired = _closed_title(html)
        text, note = _main_text(f"<html><body>{repaired}</body></html>", url, title)
        if not text.strip():
            return None
        note = note or (
            "no text was found in the page as its markup stands; it was read again inside a "
            "fresh <body>"
        )
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    if not title:
        # A page or record with no <title> and no og:title (an article body exported from a
        # CMS): its headline is its first <h1>, which trafilatura then leaves as the text's first
        # line; it is the title, not the article's first paragraph.
        title = _first_heading(html)
        if title and paragraphs and _same_line(paragraphs[0], title):
            paragraphs = paragraphs[1:]
        if not paragraphs:
            return None
    date = published or parse_date(meta["date"]) or _htmldate(html)
    return Extracted(
        input=input,
        paragraphs=paragraphs,
        title=title,
        author=author,
        url=(meta["url"] if meta["url"].startswith("http") else url).strip(),
        image_url=meta["image"].strip(),
        language=reconcile(declared_language(html), text),
        published=date,
        extras={"extraction": note} if note else {},
    )


TITLE_OPEN = re.compile(r"<title\b[^>]{0,2000}>", re.I)
TITLE_CLOSE = re.compile(r"</title\s*>", re.I)


def _closed_title(html: str) -> str:
    """`html` with a `<title>` that is never closed closed at the end of its line."""
    opened = TITLE_OPEN.search(html)
    if opened is None or TITLE_CLOSE.search(html, opened.end()):
        return html
    end = html.find("\n", opened.end())
    end = len(html) if end < 0 else end
    return f"{html[:end]}</title>{html[end:]}"


H1_OPEN = re.compile(r"<h1\b[^>]{0,2000}>", re.I)
H1_CLOSE = re.compile(r"</h1\s*>", re.I)
HEADING_MAX = 300


def _first_heading(html: str) -> str:
    """The text of the page's first <h1> (tags out, entities read, spaces collapsed), or "" when
    it has none or it is too long to be a headline. Only the first is looked at, and its end
    only within a few thousand characters: a hostile page of unclosed headings costs no more."""
    opening = H1_OPEN.search(html, 0, 500_000)
    closing = opening and H1_CLOSE.search(html, opening.end(), opening.end() + 4000)
    if not opening or not closing:
        return ""
    heading = _plain_text(html[opening.end() : closing.start()])
    return heading if len(heading) <= HEADING_MAX else ""


# What sits between a headline and the site's name in a <title>: "Tram line opens | The Courier",
# "… - The Courier" (spaced: "Covid-19" is one word), not ":" (which goes on with the headline).
SITE_NAME_AFTER = re.compile(r"^(?:\s*\||\s+[\u2013\u2014\u00b7\u2022\u00bb-]\s)\s*(?=\S)")


def _without_site_name(title: str, html: str) -> str:
    """The page's headline (its first <h1>) where the title is that headline followed by the
    site's name, as a <title> mostly is: "Tram line opens | The Courier" was stored and sent as
    the article's title."""
    if not title:
        return title
    heading = _first_heading(html)
    if not heading or not title.casefold().startswith(heading.casefold()):
        return title
    separator = SITE_NAME_AFTER.match(title[len(heading) :])
    # A site's name is shorter than the headline; "Brexit — the deal explained" goes on with it.
    if separator and len(title) - len(heading) - separator.end() < len(heading):
        return heading
    return title


def _plain_text(fragment: str) -> str:
    """An HTML fragment's text: scripts and tags out, entities read, spaces collapsed."""
    return " ".join(htmllib.unescape(TAG.sub(" ", SCRIPT.sub(" ", fragment))).split())


def _same_line(line: str, title: str) -> bool:
    return " ".join(line.casefold().split()) == " ".join(title.casefold().split())


def byline(html: str) -> str:
    """The page's author where its head names none: schema.org's JSON-LD, else the byline in
    the page, as trafilatura's metadata readers find them on the tree parsed for the
    extraction (`without_unseen`), kept only where it reads as names (`plausible_author`).
    The head's own author tags gave one page in seven an author on real pages; these, 44 %
    (docs/benchmarks.md, "Authors beyond the head")."""
    from trafilatura.metadata import Document, extract_author, extract_meta_json

    tree = without_unseen(html)
    if isinstance(tree, str):  # not parsed into a body: no byline to find
        return ""
    try:
        found = extract_meta_json(tree, Document()).author
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError):
        found = None  # trafilatura's reader on JSON-LD of a shape it does not expect ([1, {…}])
    return plausible_author(found or extract_author(tree) or "")


def _main_text(html: str, url: str, title: str = "") -> tuple[str, str]:
    """`_main_text_of` the page, parsed once for it (`unseen.without_unseen` keeps the last
    parsed pages for trafilatura's several calls) and not kept after."""
    try:
        return _main_text_of(html, url, title)
    finally:
        without_unseen.cache_clear()


def _main_text_of(html: str, url: str, title: str = "") -> tuple[str, str]:
    """trafilatura's full mode: its own extractor checked against readability and jusText.
    The fast mode alone lost whole articles on real pages whose layout hides them from it.

    Tables are left out (menus, listings, data), unless the page's prose lives in them: when
    the text without tables (its headline aside) is less than half of the prose its tables
    hold, the article is laid out in a table, and the table's prose is taken with it. The second
    return value says why, when that happened."""
    text, recalled = _recalled(html, url, _trafilatura(html, url, tables=False))
    outside = _words_beside_title(text, title)
    # What trafilatura takes with the tables is at most this text and the tables' own: the
    # second pass is needed only when the tables hold more words than the text found outside.
    if outside >= _words_in_tables(html):
        return text, recalled
    with_tables = _table_prose(_trafilatura(html, url, tables=True))
    if outside >= TABLE_PROSE_SHARE * units(with_tables):
        return text, recalled
    note = (
        f"the page's text outside its tables ({outside} words besides its title) is less than "
        f"half of the prose inside them ({units(with_tables)} words): the article is laid out in "
        "a table"
    )
    return with_tables, note


def _recalled(html: str, url: str, text: str) -> tuple[str, str]:
    """`text`, or trafilatura's recall mode's text for a page lxml roots in no body when that
    finds at least RECALL_SHARE times as many words; the second value says why, when it did.
    Such pages (an archive's copy inside its own element, a page saved from the middle of its
    layout, a document that never opens its body) are mostly old ones laid out in tables, and
    trafilatura's precise mode kept what stood beside the article and lost the article (a
    teachers' magazine: its sidebar of books, not the column); its recall mode, trafilatura's
    own retry for a text it finds too short, reads such cells, and its table rows are cut to
    their prose as `_table_prose` cuts them. Pages with a body are left to the precise mode:
    its recall mode is a second extraction, and no page with a body of extraction-dev gained
    from it."""
    if not isinstance(without_unseen(html), str):
        return text, ""
    found = units(text)
    bar = RECALL_SHARE * max(found, 1)
    if units(_plain_text(html)) < bar:
        # The page holds too few words for any mode to find twice as many (a dump's record of
        # one article's paragraphs, a fragment): not extracted a second time.
        return text, ""
    again = _table_prose(_bare_text(html, url, tables=False, config=None, recall=True))
    recalled = units(again)
    if recalled < bar:
        return text, ""
    return again, (
        f"the page has no body as its markup stands, and trafilatura's precise mode found "
        f"{found} words of it; its recall mode, {recalled}, was taken"
    )


# readability's own rule for taking its text over another's: twice as long.
RECALL_SHARE = 2


def _words_in_tables(html: str) -> int:
    """The words of prose the page's table cells hold (each cell's own text, tables inside it
    aside, cut after its last sentence and kept from PROSE_CELL_WORDS words, as `_table_prose`
    does with trafilatura's rows): 0 for a page without tables, so most pages need no second
    pass. The page is the tree trafilatura was handed (`without_unseen`, parsed once for the
    extraction), so tables the reader does not see count for nothing."""
    if "<table" not in html.lower():
        return 0
    tree = without_unseen(html)
    if isinstance(tree, str):  # trafilatura could not root it in a body: lxml's own way
        from lxml import etree
        from lxml import html as lxml_html

        try:
            tree = lxml_html.document_fromstring(html)
        except (etree.ParserError, ValueError):  # unparsable: as if every table held prose
            return units(_plain_text(html))
    total = 0
    for cell in tree.iter("td", "th"):
        text = " ".join(" ".join(_own_text(cell)).split())
        prose = units(_up_to_last_sentence(text))
        total += prose if prose >= PROSE_CELL_WORDS else 0
    return total


def _own_text(cell: Any) -> list[str]:
    """A cell's text without that of the tables inside it (their cells count apart)."""
    parts = [cell.text or ""]
    stack = list(reversed(cell))  # iterative: a hostile page may nest thousands deep
    while stack:
        element = stack.pop()
        if isinstance(element, str):  # a tail, in document order
            parts.append(element)
            continue
        if element.tag != "table" and isinstance(element.tag, str):
            parts.append(element.text or "")
            stack.append(element.tail or "")
            stack.extend(reversed(element))
        else:
            parts.append(element.tail or "")
    return parts


def _words_beside_title(text: str, title: str) -> int:
    """The text's size without the lines that are the page's title or part of it."""
    heading = " ".join(title.casefold().split())
    return sum(
        units(line)
        for line in text.split("\n")
        if line.strip() and not (heading and " ".join(line.casefold().split()) in heading)
    )


def _trafilatura(html: str, url: str, *, tables: bool) -> str:
    """trafilatura's text. When what its extractor finds is under its MIN_EXTRACTED_SIZE (250
    characters: a brief in English, but a whole short article in Japanese or Chinese, where a
    character is about half a word, or a feed entry's content) trafilatura takes the text of
    the whole article element instead, as one line: headline, paragraphs and photo captions
    run together, however long that is. A text of one line is extracted again with the bar
    lowered, and that text is taken when it is under the bar (what trafilatura found) and
    keeps at least half the words."""
    text = _bare_text(html, url, tables=tables, config=None)
    if "\n" in text.strip():
        return text
    again = _bare_text(html, url, tables=tables, config=_short_article_config())
    # Only what trafilatura found under its bar explains the one line; a long second text
    # means the first came another way (a real one-paragraph page), and it stands.
    fell_back = len(again) < TRAFILATURA_MIN_EXTRACTED
    return again if fell_back and again.strip() and 2 * units(again) >= units(text) else text


# trafilatura's own MIN_EXTRACTED_SIZE, and the bar a one-line text's second pass uses: a
# sentence.
TRAFILATURA_MIN_EXTRACTED = 250
SHORT_ARTICLE_CHARS = 25


@functools.cache
def _short_article_config() -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", str(SHORT_ARTICLE_CHARS))
    return config


def _bare_text(html: str, url: str, *, tables: bool, config: Any, recall: bool = False) -> str:
    # trafilatura loads lxml and more (a quarter second): only extraction pays for it.
    from trafilatura import bare_extraction
    from trafilatura.metadata import Document

    document = bare_extraction(
        without_unseen(html),
        url=url or None,
        fast=False,
        with_metadata=False,
        include_comments=False,
        include_tables=tables,
        favor_recall=recall,
        **({"config": config} if config is not None else {}),
    )
    text = (document.text or "") if isinstance(document, Document) else ""
    # NFC, as trafilatura's own extract() returns it: one spelling for each character.
    return unicodedata.normalize("NFC", text)


def _table_prose(text: str) -> str:
    """The text with each table row ("| cell | cell |") cut down to its prose: a layout table
    holds the article in a cell or two, and menus, link lists, dates and labels in the others."""
    lines = []
    for line in text.split("\n"):
        if not TABLE_ROW.match(line.strip()):
            lines.append(line)
            continue
        for cell in line.strip().strip("|").split(" | "):
            prose = _up_to_last_sentence(cell.strip())
            if units(prose) >= PROSE_CELL_WORDS:
                lines.append(prose)
    return "\n".join(lines)


def _up_to_last_sentence(cell: str) -> str:
    """A cell's text up to its last sentence's stop: a menu or a list of links flattened into
    the same cell after the story has no stops of its own."""
    ends = [match.end() for match in segments.SENTENCE_STOP.finditer(cell)]
    return cell[: ends[-1]].strip() if ends else ""


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
        language=reconcile(language, text),
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
                group_sentences(line) if units(line) > 2 * PARAGRAPH_WORDS else [line]
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
    for sentence in segments.sentences(line):
        current.append(sentence)
        count += units(sentence)
        if count >= PARAGRAPH_WORDS:
            paragraphs.append(segments.join(current))
            current, count = [], 0
    if current:
        paragraphs.append(segments.join(current))
    return paragraphs
