"""Where the labelled development data lives: `../shared/data` beside the repository, or
`$HEADLINES_SHARED_DATA`. It is never copied into the repository; benchmarks that use it skip
with a message naming the folder when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    configured = os.environ.get("HEADLINES_SHARED_DATA")
    return Path(configured) if configured else ROOT.parent / "shared" / "data"


def folder(name: str, who: str) -> Path | None:
    """The data's `name` folder, or None after saying that `who` skips because it is absent."""
    where = data_dir() / name
    if where.is_dir():
        return where
    print(f"{who}: skipped, {where} is absent (set HEADLINES_SHARED_DATA to the folder)")
    return None
