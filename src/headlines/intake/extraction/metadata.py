"""Page metadata read from the document head with a few patterns: cheaper than a second full
parse, and what news pages declare anyway (Open Graph, article:*, JSON-LD, <title>)."""

from __future__ import annotations

import html as htmllib
import re

META = re.compile(r"<meta\b[^>]*>", re.I)
ATTR = re.compile(r"""([a-zA-Z:_-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
CANONICAL = re.compile(r"""<link\b[^>]*rel=["']?canonical["']?[^>]*>""", re.I)
JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
TIME_TAG = re.compile(r"""<time\b[^>]*datetime=["']([^"']+)["']""", re.I)

DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "date",
    "pubdate",
    "dc.date",
    "parsely-pub-date",
    "sailthru.date",
    "publish-date",
    "datepublished",
)
AUTHOR_KEYS = ("author", "article:author", "dc.creator", "parsely-author", "byl")
TITLE_KEYS = ("og:title", "twitter:title", "title")
IMAGE_KEYS = ("og:image", "twitter:image")


def _attrs(tag: str) -> dict[str, str]:
    return {k.lower(): htmllib.unescape(v.strip("\"'")) for k, v in ATTR.findall(tag)}


def head_metadata(page: str) -> dict[str, str]:
    end = page.lower().find("</head>")
    head = page[: end if end > 0 else 30_000]
    metas: dict[str, str] = {}
    for tag in META.findall(head):
        attrs = _attrs(tag)
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key and "content" in attrs and key not in metas:
            metas[key] = attrs["content"].strip()
    found = {
        "date": _first(metas, DATE_KEYS),
        "author": _first(metas, AUTHOR_KEYS),
        "title": _first(metas, TITLE_KEYS),
        "image": _first(metas, IMAGE_KEYS),
        "url": "",
    }
    if not found["title"]:
        match = TITLE.search(head)
        found["title"] = htmllib.unescape(" ".join(match.group(1).split())) if match else ""
    canonical = CANONICAL.search(head)
    if canonical:
        found["url"] = _attrs(canonical.group(0)).get("href", "")
    if not found["date"]:
        match = JSON_LD_DATE.search(page) or TIME_TAG.search(page)
        found["date"] = match.group(1) if match else ""
    if found["author"].startswith("http"):
        found["author"] = ""
    return found


def _first(metas: dict[str, str], keys: tuple[str, ...]) -> str:
    for key in keys:
        if metas.get(key):
            return metas[key]
    return ""
