"""Factories for test data: small functions with sensible defaults, one per model."""

from __future__ import annotations

import itertools
from typing import Any

from headlines.core.models import Edition
from headlines.core.services import edition_create

_seq = itertools.count(1)


def edition(**overrides: Any) -> Edition:
    n = next(_seq)
    fields: dict[str, Any] = {
        "slug": f"ed{n}",
        "name": f"Edition {n} Evening Headlines",
        "timezone": "Europe/London",
    }
    fields.update(overrides)
    return edition_create(**fields)
