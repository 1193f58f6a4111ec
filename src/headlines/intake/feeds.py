"""Feeds and news sitemaps, parsed without trusting the XML.

defusedxml reads the document first and refuses entity declarations and external references
(billion laughs, XXE); only then does feedparser see it. Documents that are not well-formed are
still given to feedparser's lenient parser, but only when they declare no DTD or entity at all.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XMLSyntaxError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from headlines.intake.errors import ParseError

if TYPE_CHECKING:  # feedparser loads only where feeds are read (fast start-up).
    import feedparser

DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@dataclass
class FeedEntry:
    url: str
    title: str = ""
    author: str = ""
    published: dt.datetime | None = None
    html: str = ""


def safe_tree(content: bytes, where: str) -> Element | None:
    """The parsed document, or None when it is not well-formed but harmless."""
    try:
        return SafeET.fromstring(content, forbid_dtd=False)
    except DefusedXmlException as exc:
        raise ParseError(f"{where}: refused hostile XML ({type(exc).__name__})") from None
    except XMLSyntaxError:
        if DOCTYPE.search(content[:10_000]):
            raise ParseError(f"{where}: malformed XML with a DTD; refused") from None
        return None


def looks_like_feed(content: bytes) -> bool:
    head = content[:1024].lstrip().lower()
    return head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head or b"<urlset" in head


def is_sitemap(content: bytes) -> bool:
    head = content[:2048]
    return b"<urlset" in head or b"<sitemapindex" in head


def parse_feed(content: bytes, *, where: str) -> tuple[str, list[FeedEntry]]:
    """The feed's title and entries. Raises ParseError for hostile or unreadable feeds."""
    tree = safe_tree(content, where)
    if tree is None and not looks_like_feed(content):
        raise ParseError(f"{where}: not an RSS or Atom feed")
    import feedparser

    parsed = feedparser.parse(content, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        problem = parsed.get("bozo_exception")
        raise ParseError(f"{where}: not a readable RSS or Atom feed ({problem or 'no entries'})")
    entries = [_entry(e) for e in parsed.entries]
    return str(parsed.feed.get("title", "")), [e for e in entries if e.url or e.html]


def _entry(raw: feedparser.FeedParserDict) -> FeedEntry:
    html = ""
    for content in raw.get("content", []) or []:
        if len(content.get("value", "")) > len(html):
            html = content["value"]
    html = html or raw.get("summary", "")
    stamp = raw.get("published_parsed") or raw.get("updated_parsed")
    published = dt.datetime.fromtimestamp(calendar.timegm(stamp), tz=dt.UTC) if stamp else None
    return FeedEntry(
        url=str(raw.get("link", "")).strip(),
        title=str(raw.get("title", "")).strip(),
        author=str(raw.get("author", "")).strip(),
        published=published,
        html=html,
    )


def parse_sitemap(content: bytes, *, where: str) -> tuple[list[FeedEntry], list[str]]:
    """A sitemap's page entries and, for a sitemap index, the child sitemaps' URLs."""
    tree = safe_tree(content, where)
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
        entries.append(FeedEntry(url=url, title=title, published=parse_when(date)))
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
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
