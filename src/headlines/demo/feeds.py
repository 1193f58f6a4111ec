"""Each outlet's RSS 2.0 feed, Atom feed and Google News sitemap."""

from __future__ import annotations

import datetime as dt
from email.utils import format_datetime
from xml.sax.saxutils import escape

from headlines.demo.content import OUTLETS_BY_SLUG, Newsroom
from headlines.demo.sites import iso


def _x(value: object) -> str:
    return escape(str(value), {'"': "&quot;"})


def rss(room: Newsroom, base: str, outlet: str) -> str:
    meta = OUTLETS_BY_SLUG[outlet]
    items = []
    for article in room.of_outlet(outlet):
        link = base + room.path(article)
        items.append(
            f"<item><title>{_x(article.title)}</title><link>{_x(link)}</link>"
            f'<guid isPermaLink="true">{_x(link)}</guid>'
            f"<pubDate>{format_datetime(room.published(article))}</pubDate>"
            f"<dc:creator>{_x(article.author)}</dc:creator>"
            f"<category>{_x(meta.section_label(article.section))}</category>"
            f"<description>{_x(article.standfirst)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n<channel>'
        f"<title>{_x(meta.name)}</title><link>{_x(base)}/{outlet}/</link>"
        f'<atom:link href="{_x(base)}/{outlet}/rss.xml" rel="self" type="application/rss+xml"/>'
        f"<description>{_x(meta.tagline)}</description><language>{meta.language}</language>"
        f"<lastBuildDate>{format_datetime(room.now)}</lastBuildDate>\n"
        + "\n".join(items)
        + "\n</channel></rss>\n"
    )


def atom(room: Newsroom, base: str, outlet: str) -> str:
    meta = OUTLETS_BY_SLUG[outlet]
    entries = []
    for article in room.of_outlet(outlet):
        link = base + room.path(article)
        entries.append(
            f"<entry><title>{_x(article.title)}</title>"
            f'<link rel="alternate" type="text/html" href="{_x(link)}"/>'
            f"<id>{_x(link)}</id><published>{iso(room.published(article))}</published>"
            f"<updated>{iso(room.modified(article))}</updated>"
            f"<author><name>{_x(article.author)}</name></author>"
            f'<category term="{_x(article.section)}"/>'
            f'<summary type="text">{_x(article.standfirst)}</summary></entry>'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{meta.language}">'
        f"<title>{_x(meta.name)}</title><subtitle>{_x(meta.tagline)}</subtitle>"
        f'<link rel="self" href="{_x(base)}/{outlet}/atom.xml"/>'
        f'<link rel="alternate" href="{_x(base)}/{outlet}/"/>'
        f"<id>{_x(base)}/{outlet}/</id><updated>{iso(room.now)}</updated>\n"
        + "\n".join(entries)
        + "\n</feed>\n"
    )


def news_sitemap(room: Newsroom, base: str, outlet: str) -> str:
    """A Google News sitemap: only the last two days, as the format asks."""
    meta = OUTLETS_BY_SLUG[outlet]
    cutoff = room.now - dt.timedelta(days=2)
    urls = []
    for article in room.of_outlet(outlet):
        if room.published(article) < cutoff:
            continue
        urls.append(
            f"<url><loc>{_x(base + room.path(article))}</loc><news:news>"
            f"<news:publication><news:name>{_x(meta.name)}</news:name>"
            f"<news:language>{meta.language[:2]}</news:language></news:publication>"
            f"<news:publication_date>{iso(room.published(article))}</news:publication_date>"
            f"<news:title>{_x(article.title)}</news:title></news:news></url>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        + "\n".join(urls)
        + "\n</urlset>\n"
    )
