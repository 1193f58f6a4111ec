"""Test data for intake: pages and feeds that read like the real thing."""

from __future__ import annotations

import itertools
from typing import Any

from headlines.intake import services
from headlines.intake.models import Source

_seq = itertools.count(1)

BODY = (
    "Fire crews worked through the night to contain a blaze at a warehouse on the city's east "
    "side, officials said on Wednesday morning. The fire started shortly after ten o'clock and "
    "spread quickly through the building, which stored furniture and paper goods for shops."
)


def page(title: str = "Warehouse blaze contained", body: str = BODY, extra: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><title>{title}</title>
<meta property="article:published_time" content="2024-03-14T09:30:00+00:00">
<meta name="author" content="Sam Reporter"></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all</div>
<article><h1>{title}</h1><p>{body}</p>
<p>Firefighters at the scene on Tuesday (Jane Doe/Metro Wire)</p>
<p>No one was hurt, the fire chief said, and the cause is being investigated by the city.</p>
{extra}<p>Read more: Council to review the fire code</p></article>
<footer>Privacy policy · Terms of use</footer></body></html>"""


def rss(items: list[tuple[str, str]], title: str = "Metro Wire") -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{link}</link>"
        "<pubDate>Thu, 14 Mar 2024 09:30:00 GMT</pubDate></item>"
        for t, link in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}'
        f"</title><link>http://example.test/</link><description>x</description>{entries}"
        "</channel></rss>"
    )


def source(**overrides: Any) -> Source:
    n = next(_seq)
    fields: dict[str, Any] = {
        "name": f"Source {n}",
        "kind": Source.Kind.FEED,
        "url": "http://127.0.0.1/feed",
        "is_local": True,
    }
    fields.update(overrides)
    return services.source_create(**fields)
