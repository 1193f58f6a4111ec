"""Seed an installation run by tests.delivery.children (runs inside the child's settings)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from headlines.core.services import edition_create
from tests.delivery import factories

DAY = dt.date(2026, 11, 25)


def seed(*, readers: int, day: str = DAY.isoformat(), **edition: Any) -> None:
    fields: dict[str, Any] = {
        "slug": "e1",
        "name": "E1 Evening Headlines",
        "timezone": "UTC",
        "from_address": "desk@news.example",
    }
    fields.update(edition)
    ed = edition_create(**fields)
    factories.readers(ed, readers, prefix="kid")
    factories.digest(ed, day=dt.date.fromisoformat(day))
