"""Which bytes the sample newsroom answers for which path. Pure: no sockets, no clock."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from html import escape

from headlines.demo import feeds
from headlines.demo.content import OUTLETS, OUTLETS_BY_SLUG, Newsroom
from headlines.demo.sites import site

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


def _ok(text: str, content_type: str = HTML) -> Response:
    return Response(200, content_type, text.encode("utf-8"))


NOT_FOUND = Response(404, HTML, b"<!doctype html><title>Not found</title><h1>Page not found</h1>")

# Section fronts, one URL style per outlet.
_SECTION_RE = {
    "meridian": re.compile(r"^/meridian/section/([a-z]+)/?$"),
    "chronicle": re.compile(r"^/chronicle/([a-z]+)/?$"),
    "wire": re.compile(r"^/wire/news/([a-z]+)/?$"),
}
_FEED_KINDS = {
    "rss.xml": (feeds.rss, "application/rss+xml; charset=utf-8"),
    "atom.xml": (feeds.atom, "application/atom+xml; charset=utf-8"),
    "sitemap-news.xml": (feeds.news_sitemap, XML),
}
_IMAGE_RE = re.compile(r"^/img/([a-z]+)/([a-z0-9-]+)\.svg$")
_COLOURS = {"meridian": "#0a2342", "chronicle": "#052962", "wire": "#ff8000"}


def render(room: Newsroom, base: str, path: str) -> Response:
    path = path.split("?", 1)[0].split("#", 1)[0] or "/"
    if path == "/":
        return _ok(_home(room))
    if path == "/robots.txt":
        return _ok("User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
    article = room.article_at(path)
    if article is not None:
        return _ok(site(article.outlet).article(room, base, article))
    parts = path.strip("/").split("/")
    if parts[0] in OUTLETS_BY_SLUG:
        return _outlet_page(room, base, parts[0], path)
    image = _IMAGE_RE.match(path)
    if image and image.group(1) in _COLOURS:
        return Response(200, "image/svg+xml", _svg(image.group(1), image.group(2)).encode())
    return NOT_FOUND


def _outlet_page(room: Newsroom, base: str, outlet: str, path: str) -> Response:
    rest = path[len(outlet) + 1 :].strip("/")
    if rest == "":
        return _ok(site(outlet).front(room, base, None))
    if rest in _FEED_KINDS:
        make, content_type = _FEED_KINDS[rest]
        return _ok(make(room, base, outlet), content_type)
    match = _SECTION_RE[outlet].match(path)
    if match and match.group(1) in dict(OUTLETS_BY_SLUG[outlet].sections):
        return _ok(site(outlet).front(room, base, match.group(1)))
    return NOT_FOUND


def _home(room: Newsroom) -> str:
    rows = "".join(
        f"<li><a href='/{o.slug}/'>{escape(o.name)}</a> — {escape(o.tagline)} · "
        f"<a href='/{o.slug}/rss.xml'>RSS</a> · <a href='/{o.slug}/atom.xml'>Atom</a> · "
        f"<a href='/{o.slug}/sitemap-news.xml'>news sitemap</a> "
        f"({len(room.of_outlet(o.slug))} articles)</li>"
        for o in OUTLETS
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Sample newsroom</title></head><body><h1>The sample newsroom</h1>"
        "<p>Invented outlets reporting invented events, served on localhost for the Evening "
        f"Headlines demo and tests. Dated back from {room.now:%Y-%m-%d %H:%M} UTC.</p>"
        f"<ul>{rows}</ul></body></html>"
    )


def _svg(outlet: str, slug: str) -> str:
    # A stand-in photo: the outlet's colour and a shade derived from the slug, so each differs.
    shade = int(hashlib.sha256(slug.encode()).hexdigest()[:2], 16)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="700" height="394" viewBox="0 0 700 394">'
        f'<rect width="700" height="394" fill="{_COLOURS[outlet]}"/>'
        f'<circle cx="{200 + shade}" cy="197" r="{60 + shade // 4}" fill="#fff" opacity=".25"/>'
        "</svg>"
    )
