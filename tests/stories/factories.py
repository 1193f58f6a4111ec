"""Sources and articles for story and digest tests, made directly (intake is built elsewhere)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from typing import Any

from django.utils.text import slugify

from headlines.core.models import Edition
from headlines.intake.models import Article, Source

_seq = itertools.count(1)


def source(*, name: str | None = None, edition: Edition | None = None, **fields: Any) -> Source:
    n = next(_seq)
    name = name or f"Source {n}"
    made = Source.objects.create(name=name, slug=f"{slugify(name)}-{n}", **fields)
    if edition is not None:
        made.editions.add(edition)
    return made


def article(
    *,
    source: Source,
    edition: Edition,
    title: str = "",
    text: str = "",
    published_at: dt.datetime | None = None,
    **fields: Any,
) -> Article:
    n = next(_seq)
    text = text or f"Article {n} says something that happened today in a place far away."
    made = Article.objects.create(
        source=source,
        title=title,
        text=text,
        text_hash=hashlib.sha256(f"{n}:{text}".encode()).hexdigest(),
        published_at=published_at,
        url=fields.pop("url", f"https://{source.slug}.example/{n}"),
        **fields,
    )
    made.editions.add(edition)
    return made
