"""The sample newsroom behind `headlines run --demo` (see issue: the newcomer's path)."""

from __future__ import annotations

from typing import TextIO

from headlines.core.services import editions_ensure_demo


def start_demo(*, host: str, port: int, out: TextIO) -> None:
    editions = editions_ensure_demo()
    out.write("Demo editions: " + ", ".join(e.name for e in editions) + "\n")
