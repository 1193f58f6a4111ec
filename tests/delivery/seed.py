"""Seed an installation run by tests.delivery.children (runs inside the child's settings)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from headlines.core.services import edition_create
from tests.delivery import factories
from tests.delivery.topics import seed_topics

DAY = dt.date(2026, 11, 25)


def seed(*, readers: int, day: str = DAY.isoformat(), topics: bool = False, **edition: Any) -> None:
    fields: dict[str, Any] = {
        "slug": "e1",
        "name": "E1 Evening Headlines",
        "timezone": "UTC",
        "from_address": "desk@news.example",
    }
    fields.update(edition)
    ed = edition_create(**fields)
    ids = factories.readers(ed, readers, prefix="kid")
    digest = factories.digest(ed, day=dt.date.fromisoformat(day))
    if topics:  # readers on several topic sets (tests.delivery.topics)
        seed_topics(ed, digest, ids)
