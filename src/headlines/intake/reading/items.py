"""What reading hands on to extraction: a raw item, or a failure with a readable reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

from headlines.intake.reading.dates import DateLike

# What no database stores: NUL (PostgreSQL refuses it in text) and half of a UTF-16 pair (no
# UTF-8 encoder writes it; JSON can escape one). A page, dump or feed holding either crashed
# the whole import on PostgreSQL. NUL says nothing and goes; half a character becomes U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` without NUL, and with U+FFFD for each lone surrogate."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


@dataclass
class RawItem:
    input: str
    html: str = ""
    text: str = ""
    url: str = ""
    title: str = ""
    author: str = ""
    language: str = ""
    published: DateLike | None = None
    # The outlet and sections a record or feed names for itself (a mixed dump, an aggregator's
    # feed); empty when the item is simply its source's.
    outlet: str = ""
    sections: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Every reader makes its items here: whatever it read is storable from now on.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                setattr(self, f.name, storable(value))
        self.sections = [storable(s) for s in self.sections]


@dataclass
class Failure:
    input: str
    reason: str


Item = RawItem | Failure
