"""One module per invented outlet, each with its own look and markup, as real sites differ.

Every module offers `front(room, base, section)` (the front page or a section front) and
`article(room, base, article)` (an article page with all its furniture).
"""

from __future__ import annotations

import datetime as dt
from html import escape
from types import ModuleType

from headlines.demo.content import Article, Newsroom


def e(value: object) -> str:
    return escape(str(value), quote=True)


def image_path(article: Article) -> str:
    return f"/img/{article.outlet}/{article.slug}.svg"


def us_date(when: dt.datetime) -> str:
    return f"{when:%B} {when.day}, {when:%Y} {when:%I:%M %p} UTC".replace(" 0", " ")


def uk_date(when: dt.datetime) -> str:
    return f"{when:%a} {when.day} {when:%b %Y} {when:%H.%M} GMT"


def iso(when: dt.datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def site(slug: str) -> ModuleType:
    from headlines.demo.sites import chronicle, meridian, wire

    return {"meridian": meridian, "chronicle": chronicle, "wire": wire}[slug]


def teaser_list(room: Newsroom, articles: list[Article], *, css: str) -> str:
    items = "".join(
        f'<li class="{css}"><a href="{e(room.path(a))}">{e(a.title)}</a>'
        f"<p>{e(a.standfirst)}</p></li>"
        for a in articles
    )
    return f"<ul>{items}</ul>"
