"""What reading hands on to extraction: a raw item, or a failure with a readable reason."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from headlines.core.storable import storable
from headlines.intake.reading.dates import DateLike


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
        # Every reader makes its items here: whatever it read is storable from now on (NUL
        # dropped, half characters U+FFFD: `core.storable`).
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
