"""Feeds and news sitemaps, parsed without trusting the XML.

defusedxml reads the document first and refuses entity declarations and external references
(billion laughs, XXE); only then does feedparser see it. Documents that are not well-formed are
still given to feedparser's lenient parser, but only when they declare no DTD or entity at all.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from html import escape, unescape
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit, urlunsplit
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XMLSyntaxError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from headlines.intake.errors import ParseError
from headlines.intake.extraction.languages import CODES
from headlines.intake.reading.dates import as_datetime, in_range, parse_record_date
from headlines.intake.reading.decoding import decode
from headlines.intake.reading.opening import decompressed
from headlines.intake.reading.records import outlet_name, section_labels

if TYPE_CHECKING:  # feedparser loads only where feeds are read (fast start-up).
    import feedparser

DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# What every feed is handed to feedparser with, in place of its own declaration (and the white
# space before it) or in front of a document that has none: feedparser puts its own, as long,
# in place of one, but adds it on a line of its own where there is none.
UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)["']""")
# A document that starts as an HTML page does (after an XML declaration and comments, if any).
HTML_PAGE = re.compile(
    rb"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->)*<(?:!doctype\s+html\b|html\b)", re.I | re.S
)
# A document whose root element is a feed's (after an XML declaration, comments, a DOCTYPE):
# what a feed served as text/html is still known by.
FEED_START = re.compile(
    rb"^(?:\s|\xef\xbb\xbf|<\?xml[^>]*\?>|<\?xml-stylesheet[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>)*"
    rb"<(?:rss|feed|rdf:RDF)\b",
    re.I | re.S,
)
FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"<urlset", b"<sitemapindex")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@dataclass
class FeedEntry:
    url: str
    title: str = ""
    author: str = ""
    published: dt.datetime | None = None
    html: str = ""
    # The outlet an entry names for itself (RSS <source>, dc:publisher) and its categories.
    outlet: str = ""
    sections: list[str] = field(default_factory=list)
    date_note: str = ""  # as RawItem's: the entry's date that was not understood
    image: str = ""  # the entry's own picture: media:content, an image enclosure, a thumbnail
    language: str = ""  # its xml:lang, else the feed's <language>
    # Why the entry's link was dropped (a JSON Feed item's `javascript:` url): said of an entry
    # left with nothing to read, which is otherwise dropped unsaid.
    link_note: str = ""


def unread_date(value: object) -> str:
    """The note for an entry whose date was given but not understood."""
    shown = repr(str(value).strip())
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    return f"the entry's date {shown} is not a date"


def safe_tree(content: bytes, where: str) -> Element | None:
    """The parsed document, or None when it is not well-formed but harmless."""
    try:
        return SafeET.fromstring(content, forbid_dtd=False)
    except DefusedXmlException as exc:
        raise ParseError(f"{where}: refused hostile XML ({type(exc).__name__})") from None
    except (XMLSyntaxError, ValueError):
        if DOCTYPE.search(content[:10_000]):
            raise ParseError(f"{where}: malformed XML with a DTD; refused") from None
        return None


def starts_as_feed(content: bytes) -> bool:
    return bool(FEED_START.match(content[:4096]))


def looks_like_feed(content: bytes) -> bool:
    """A feed or sitemap by its root element; an XHTML page also starts with `<?xml`."""
    head = content[:2048].lstrip().lower()
    if b"<html" in head:
        return False
    return head.startswith(b"<?xml") or any(root in head for root in FEED_ROOTS)


# Characters XML does not allow (XML 1.0 `Char`), written out or as references. feedparser's
# lenient parser passed a NUL or another control character into a title (PostgreSQL refuses NUL
# in text), and crashed on a reference to half of a UTF-16 pair (`&#xD800;`) or past U+10FFFF.
NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CHAR_REFERENCE = re.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")


def _xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def _checked_reference(match: re.Match[str]) -> str:
    digits, base = (match.group(1), 16) if match.group(1) else (match.group(2), 10)
    fits = len(digits.lstrip("0")) <= 8  # no int() of a thousand digits
    return match.group(0) if fits and _xml_char(int(digits, base)) else "\ufffd"


def xml_chars_only(text: str) -> str:
    """`text` with the characters XML forbids dropped and references to them replaced by
    U+FFFD (the replacement character)."""
    return CHAR_REFERENCE.sub(_checked_reference, NOT_XML_CHAR.sub("", text))


def as_utf8(content: bytes, *, charset: str = "", where: str = "") -> bytes:
    """The document re-encoded as UTF-8, its charset decided as a page's is (HTTP header, XML
    declaration, UTF-8, then detection): feedparser would guess windows-1252 for a feed that
    declares nothing, and store EUC-JP or KOI8-R text as mojibake. Characters XML forbids are
    taken out (`xml_chars_only`)."""
    return _as_utf8(content, charset=charset, where=where)[0]


@dataclass(frozen=True)
class Shift:
    """Where the document's own text starts after `as_utf8` put UTF8_DECLARATION first: the
    lines of white space before the declaration it replaced, and the column on the feed's
    own line at which what followed that declaration began."""

    lines: int = 0
    column: int = 0

    def place(self, line: int, column: int) -> tuple[int, int]:
        """Expat's line and column in what feedparser read, as they are in the feed's file."""
        if line > 1:
            return line + self.lines, column
        return 1 + self.lines, self.column + max(0, column - len(UTF8_DECLARATION))


def _as_utf8(content: bytes, *, charset: str, where: str) -> tuple[bytes, Shift]:
    declared = XML_ENCODING.match(content[:300])
    named = charset or (declared.group(1).decode("ascii") if declared else "")
    text = xml_chars_only(decode(content, declared=named, where=where))
    found = XML_DECLARATION.match(text)
    replaced = found.group(0) if found else ""
    shift = Shift(replaced.count("\n"), len(replaced) - (replaced.rfind("\n") + 1))
    return (UTF8_DECLARATION + text[len(replaced) :]).encode("utf-8"), shift


# JSON Feed (jsonfeed.org, versions 1 and 1.1): a JSON object whose `version` is its URL.
JSON_FEED = re.compile(rb'^\s*\{.{0,4000}?"version"\s*:\s*"https?://jsonfeed\.org/version/', re.S)


def is_json_feed(content: bytes) -> bool:
    return bool(JSON_FEED.match(content.removeprefix(b"\xef\xbb\xbf")[:4096]))


def parse_json_feed(content: bytes, *, where: str, base: str = "") -> tuple[str, list[FeedEntry]]:
    """A JSON Feed's title and items: `content_html`, else `content_text` (as paragraphs), else
    `summary`; `url` (or `external_url`); `date_published` (or `date_modified`); `authors`
    (1.1) or `author` (1.0); `tags` as sections. A relative `url`, `external_url`, `image` or
    `banner_image` is read against the feed's `home_page_url`, else its `feed_url`, else `base`
    (the address it was fetched from); one that is then no http(s) address is dropped."""
    try:
        feed = json.loads(decode(content.removeprefix(b"\xef\xbb\xbf"), where=where))
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"{where}: not a readable JSON Feed ({_short_reason(exc)})") from None
    items = feed.get("items") if isinstance(feed, dict) else None
    if not isinstance(items, list):
        raise ParseError(f"{where}: not a readable JSON Feed (no list of items)")
    given = [feed.get("home_page_url"), feed.get("feed_url"), base]
    home = next((_no_userinfo(u.strip()) for u in given if isinstance(u, str) and _web(u)), "")
    entries = [_json_entry(item, home) for item in items if isinstance(item, dict)]
    return _plain(feed.get("title")), [e for e in entries if e.url or e.html or e.link_note]


# The longest link kept: the articles' url and image_url columns hold 2000 characters, and a
# link cut there is another address.
MAX_LINK = 2000


def _json_link(item: dict[str, Any], keys: tuple[str, str], home: str) -> tuple[str, str]:
    """The first of the item's `keys` that is an http(s) address once read against `home`, and
    else why the first one given is not ("" when none is given)."""
    notes = []
    for key in keys:
        value = item.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            notes.append(f"its {key} is a JSON {type(value).__name__}, not an address")
            continue
        link = xml_chars_only(value).strip()
        if len(link) > MAX_LINK:
            notes.append(f"its {key} is {len(link)} characters long (over {MAX_LINK})")
            continue
        try:
            url = urljoin(home, link) if _web(home) else link
            host = urlsplit(url).hostname if _web(url) else None
        except ValueError:  # `http://[::1`: brackets that hold no IPv6 address
            host = None
        if host and len(url) <= MAX_LINK:
            return url, ""
        shown = repr(link if len(link) <= 80 else link[:77] + "...")
        notes.append(f"its {key} {shown} is no http(s) address")
    return "", notes[0] if notes else ""


def _json_entry(item: dict[str, Any], home: str = "") -> FeedEntry:
    html = _plain_html(item.get("content_html"))
    if not html.strip() and isinstance(item.get("content_text"), str):
        html = "".join(
            f"<p>{escape(part.strip())}</p>"
            for part in item["content_text"].split("\n\n")
            if part.strip()
        )
    if not html.strip():
        html = escape(_plain(item.get("summary")))
    stamp = item.get("date_published") or item.get("date_modified")
    published = parse_record_date(stamp) if isinstance(stamp, str) else None
    note = unread_date(stamp) if stamp and published is None else ""
    authors = _list(item.get("authors")) or [item.get("author")]
    names = [_plain(a.get("name")) for a in authors if isinstance(a, dict)]
    tags = _list(item.get("tags"))
    url, link_note = _json_link(item, ("url", "external_url"), home)
    return FeedEntry(
        url=url,
        link_note=link_note,
        title=_plain(item.get("title")),
        author=", ".join(n for n in names if n),
        published=as_datetime(published) if published is not None else None,
        date_note=note,
        html=html,
        sections=section_labels([[t for t in tags if isinstance(t, str)]]),
        image=_json_link(item, ("image", "banner_image"), home)[0],
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _plain(value: Any) -> str:
    return " ".join(xml_chars_only(value).split()) if isinstance(value, str) else ""


def _plain_html(value: Any) -> str:
    return xml_chars_only(value) if isinstance(value, str) else ""


def _short_reason(exc: BaseException) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:200]


def is_sitemap(content: bytes) -> bool:
    head = content[:2048]
    return b"<urlset" in head or b"<sitemapindex" in head


def parse_feed(
    content: bytes, *, where: str, charset: str = "", base: str = ""
) -> tuple[str, list[FeedEntry]]:
    """The feed's title and entries: RSS, Atom or JSON Feed. Raises ParseError for hostile or
    unreadable feeds. A compressed feed (`feed.xml.gz`) is read decompressed. An entry's
    relative link (`<link>/news/1</link>`) is read against its xml:base, then `base` (the
    address the feed was fetched from), then the feed's own link."""
    content = decompressed(content, where=where)
    if is_json_feed(content):
        return parse_json_feed(content, where=where, base=_no_userinfo(base))
    try:
        content, shift = _as_utf8(content, charset=charset, where=where)
    except ParseError as exc:
        reason = str(exc).removeprefix(f"{where}: ")
        raise ParseError(f"{where}: not an RSS or Atom feed ({reason})") from None
    if HTML_PAGE.match(content[:2048]):
        # A feed's address that answers with a page (a moved feed, an error or login page):
        # say so, rather than call its <!DOCTYPE html> a hostile DTD.
        named = page_feeds(content, base=_no_userinfo(base))
        hint = f"; the page names its feed: {', '.join(named)}" if named else ""
        raise ParseError(f"{where}: not an RSS or Atom feed (an HTML page{hint})")
    tree = safe_tree(content, where)
    if tree is None and not looks_like_feed(content):
        raise ParseError(f"{where}: not an RSS or Atom feed")
    import feedparser

    try:
        parsed = feedparser.parse(content, sanitize_html=False, resolve_relative_uris=False)
    except (ValueError, OverflowError) as exc:  # UnicodeError is a ValueError
        # What `xml_chars_only` does not foresee must still fail this feed, not the run.
        raise ParseError(f"{where}: not a readable RSS or Atom feed ({exc})") from None
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        raise ParseError(f"{where}: not a readable RSS or Atom feed ({_problem(parsed, shift)})")
    home = _no_userinfo(base if _web(base) else str(parsed.feed.get("link", "")))
    language = _code(parsed.feed.get("language"))
    entries = [e for e in (_entry(e, home, language) for e in parsed.entries) if e.url or e.html]
    if not entries and parsed.get("bozo"):
        # A feed cut short (a download that stopped) keeps at most a fragment of an entry,
        # with no link and no content: it is a failure to name, not an empty feed.
        raise ParseError(f"{where}: not a readable RSS or Atom feed ({_problem(parsed, shift)})")
    title = " ".join(_title(parsed.feed.get("title"), parsed.feed.get("title_detail")).split())
    return title, entries


# A title's markup: a line break or a block's edge parts words, an inline tag does not.
BREAKING_TAG = re.compile(r"<\s*/?\s*(?:br|p|div|li|h[1-6])\b[^>]*>", re.I)
ANY_TAG = re.compile(r"<[^>]*>")
REFERENCE = re.compile(r"&(?:#[xX][0-9A-Fa-f]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);?")


def _read_reference(match: re.Match[str]) -> str:
    """A reference read, but one to a character XML forbids (`&#0;`) is text as written."""
    numeric = CHAR_REFERENCE.fullmatch(match.group(0))
    if numeric and _checked_reference(numeric) != numeric.group(0):
        return match.group(0)
    return unescape(match.group(0))


def _html_text(html: str) -> str:
    """An HTML title's or name's text: tags out (a break or a block's edge a space, an inline
    tag nothing), references read, spaces collapsed."""
    return " ".join(
        REFERENCE.sub(_read_reference, ANY_TAG.sub("", BREAKING_TAG.sub(" ", html))).split()
    )


def _title(value: Any, detail: Any) -> str:
    """A feed's or entry's title as text. feedparser gives an HTML title (Atom's type="html"
    or "xhtml", an RSS title holding escaped markup or entities) as HTML: "Q&A: <i>Dune</i>"
    and "Rock &amp; roll" were stored, and sent to readers, tags and entities and all."""
    text = str(value or "")
    return _html_text(text) if "html" in str((detail or {}).get("type", "")) else text


# expat names where it stopped as "<unknown>:LINE:COLUMN: reason".
EXPAT_PLACE = re.compile(r"^<unknown>:(\d+):(\d+): ")


def _problem(parsed: feedparser.FeedParserDict, shift: Shift) -> str:
    problem = str(parsed.get("bozo_exception") or "no entries")
    place = EXPAT_PLACE.match(problem)
    if place is None:
        return problem
    line, column = shift.place(int(place.group(1)), int(place.group(2)))
    return f"line {line}, column {column}: {problem[place.end() :]}"


def _utc(stamp: Any) -> dt.datetime | None:
    """feedparser's UTC time, or None past what a datetime holds (an entry dated
    9999-12-31T23:59:59-14:00 is in the year 10000 in UTC)."""
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(stamp), tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


# A page's own feed links (RSS autodiscovery): <link rel="alternate" type="application/rss+xml"
# href="…">, in the page's head. Read from its first PAGE_FEEDS_BYTES only.
_LINK_TAG = re.compile(rb"<link\b[^<>]{0,2000}>", re.I)  # bounded: a hostile page is linear
_ATTRIBUTE = re.compile(rb"""([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/feed+json"}
PAGE_FEEDS_BYTES, PAGE_FEEDS_MAX = 256 * 1024, 3


def page_feeds(content: bytes, *, base: str) -> list[str]:
    """The feeds an HTML page names for itself (at most PAGE_FEEDS_MAX, http(s), absolute): what
    a home page added as a feed source should have been given instead."""
    found: list[str] = []
    for tag in _LINK_TAG.finditer(content[:PAGE_FEEDS_BYTES]):
        attributes = {
            m[1].lower().decode(): unescape(
                (m[2] or m[3] or m[4] or b"").decode("utf-8", "replace")
            )
            for m in _ATTRIBUTE.finditer(tag[0])
        }
        rels = attributes.get("rel", "").lower().split()
        if "alternate" not in rels or attributes.get("type", "").strip().lower() not in FEED_TYPES:
            continue
        href = attributes.get("href", "").strip()
        try:
            url = urljoin(base, href) if _web(base) else href
        except ValueError:
            continue
        if (
            _web(url)
            and len(url) <= 2000
            and not re.search(r"[\s\x00-\x1f\x7f]", url)
            and url not in found
        ):
            found.append(url)
        if len(found) == PAGE_FEEDS_MAX:
            break
    return found


def _no_userinfo(url: str) -> str:
    """`url` without a `user:password@`: a feed's credentials are no part of its links."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _web(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _link(raw: feedparser.FeedParserDict, home: str) -> str:
    """The entry's link, a relative one read against `home`. A link that is the entry's guid
    (RSS: a permalink unless it says isPermaLink="false") is not: `<guid>12345</guid>` is no
    address of the feed's site."""
    link = str(raw.get("link", "")).strip()
    if not link or raw.get("guidislink") or not _web(home):
        return link
    return urljoin(home, link)


IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", re.I)


def _is_image(media: Any) -> bool:
    """A Media RSS item or enclosure that is a picture, by its medium, type or file name."""
    kind = str(media.get("medium") or media.get("type") or "").lower()
    return (
        kind == "image"
        or kind.startswith("image/")
        or (not kind and bool(IMAGE_FILE.search(str(media.get("url") or media.get("href") or ""))))
    )


def _image(raw: feedparser.FeedParserDict, home: str) -> str:
    """The entry's picture: Media RSS content, else an image enclosure, else a thumbnail."""
    found = [m.get("url") for m in raw.get("media_content") or [] if _is_image(m)]
    found += [e.get("href") for e in raw.get("enclosures") or [] if _is_image(e)]
    found += [m.get("url") for m in raw.get("media_thumbnail") or []]
    image = next((str(u).strip() for u in found if u and str(u).strip()), "")
    return urljoin(home, image) if image and _web(home) else image


EMAIL = re.compile(r"^(?:mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+$", re.I)


def _author(raw: feedparser.FeedParserDict) -> str:
    """The entry's author's name. feedparser writes an Atom author's email beside the name
    ("Jo Bloggs (jo@wire.test)") and gives RSS's `<author>`, an email by the standard, as
    written ("jo@wire.test (Jo Bloggs)"): both were stored, and sent, as the author. An email
    alone is no name; nor is a creator's markup (`<a href="/staff/jo">Jo Bloggs</a>`)."""
    detail = raw.get("author_detail") or {}
    given = detail.get("name") or ("" if detail.get("email") else raw.get("author"))
    text = str(given or "")
    text = _html_text(text) if ANY_TAG.search(text) else " ".join(text.split())
    return "" if EMAIL.match(text) else text


def _language(raw: feedparser.FeedParserDict) -> str:
    """The language an entry's own xml:lang gives its content or title."""
    details = [*(raw.get("content") or []), raw.get("summary_detail"), raw.get("title_detail")]
    return next((_code(d.get("language")) for d in details if d and _code(d.get("language"))), "")


LANGUAGE_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


def _code(value: Any) -> str:
    """A language tag ("nl", "pt-BR"); anything else ("English", "utf-8") declares nothing."""
    found = LANGUAGE_TAG.match(str(value or "").strip())
    return found.group(0) if found and found.group(1).lower() in CODES else ""


def _entry(raw: feedparser.FeedParserDict, home: str = "", language: str = "") -> FeedEntry:
    html = ""
    for content in raw.get("content", []) or []:
        if len(content.get("value", "")) > len(html):
            html = content["value"]
    html = html or raw.get("summary", "")
    # dict.get: feedparser's own get() answers a missing `updated` with `published`, and warns
    # (DeprecationWarning) whenever an entry's published date could not be parsed.
    # The entry's date as records' dates are read first: feedparser guesses at shapes it does
    # not know ("2014/03/10" was the first of December) and drops a "PM"; its own reading is
    # kept for the shapes only it reads.
    given = dict.get(raw, "published") or dict.get(raw, "updated")
    found = parse_record_date(given) if isinstance(given, str) else None
    stamp = dict.get(raw, "published_parsed") or dict.get(raw, "updated_parsed")
    published = as_datetime(found) if found is not None else _utc(stamp) if stamp else None
    return FeedEntry(
        url=_link(raw, home),
        title=_title(raw.get("title"), raw.get("title_detail")).strip(),
        author=_author(raw),
        published=published,
        date_note=unread_date(given) if given and published is None else "",
        html=html,
        outlet=outlet_name((raw.get("source") or {}).get("title"))
        or outlet_name(raw.get("publisher")),
        sections=section_labels([[t.get("term") or t.get("label") for t in raw.get("tags") or []]]),
        image=_image(raw, home),
        language=_language(raw) or language,
    )


def parse_sitemap(content: bytes, *, where: str) -> tuple[list[FeedEntry], list[str]]:
    """A sitemap's page entries and, for a sitemap index, the child sitemaps' URLs. A compressed
    sitemap (the protocol allows `sitemap-1.xml.gz`) is read decompressed."""
    tree = safe_tree(decompressed(content, where=where), where)
    if tree is None:
        raise ParseError(f"{where}: the sitemap is not well-formed XML")
    if tree.tag == f"{SITEMAP_NS}sitemapindex":
        children = [_text(s, f"{SITEMAP_NS}loc") for s in tree.iter(f"{SITEMAP_NS}sitemap")]
        return [], [c for c in children if c]
    if tree.tag != f"{SITEMAP_NS}urlset":
        raise ParseError(f"{where}: not a sitemap (root element {tree.tag})")
    entries = []
    for node in tree.iter(f"{SITEMAP_NS}url"):
        url = _text(node, f"{SITEMAP_NS}loc")
        if not url:
            continue
        news = node.find(f"{NEWS_NS}news")
        title = _text(news, f"{NEWS_NS}title") if news is not None else ""
        date = _text(news, f"{NEWS_NS}publication_date") if news is not None else ""
        date = date or _text(node, f"{SITEMAP_NS}lastmod")
        published = parse_when(date)
        note = unread_date(date) if date and published is None else ""
        entries.append(FeedEntry(url=url, title=title, published=published, date_note=note))
    return entries, []


def _text(node: Element | None, tag: str) -> str:
    if node is None:
        return ""
    found = node.find(tag)
    return (found.text or "").strip() if found is not None else ""


def parse_when(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return in_range(parsed)
