"""What reading hands on to extraction: a raw item, or a failure with a readable reason."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

from headlines.core.storable import storable
from headlines.intake.reading.dates import DateLike

# Control characters (tab and line breaks aside) say nothing in an article, and in a title
# printed by `headlines extract` or a digest's plain text an ESC is a terminal's command (clear
# the screen, set its title). Those that part words (form feed, vertical tab, the separators,
# NEL) become a space; the others go.
CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SPACING = "\x0b\x0c\x1c\x1d\x1e\x1f\x85"
# A page may write one as a reference (`&#27;`), which the HTML parser turns into the character
# and trafilatura then refused the whole page for ("no article text found"). References to
# U+0080-U+009F are left: HTML reads them as Windows-1252 (`&#128;` is "€").
CONTROL_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9A-Fa-f]{1,2})|0*([0-9]{1,3}));")


def _plain(match: re.Match[str]) -> str:
    return " " if match.group(0) in SPACING else ""


def _plain_reference(match: re.Match[str]) -> str:
    hexa, decimal = match.groups()
    code = int(hexa, 16) if hexa else int(decimal)
    if code in (0x9, 0xA, 0xD) or 0x20 <= code < 0x7F or code > 0x7F:
        return match.group(0)
    return " " if chr(code) in SPACING else ""


def without_controls(text: str) -> str:
    """`text` without control characters, written out or (in HTML) as references."""
    if "&#" in text:
        text = CONTROL_REFERENCE.sub(_plain_reference, text)
    return CONTROL.sub(_plain, text)


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
    # Why the item is undated although its record or feed entry gave a date ("the record's
    # date '2025-02-30' is not a date"): it is kept undated, and its report says so.
    date_note: str = ""
    # A picture the item's record names (a feed entry's media:content or enclosure), for when
    # its page names none.
    image_url: str = ""

    def __post_init__(self) -> None:
        # Every reader makes its items here: whatever it read is storable from now on (NUL
        # dropped, half characters U+FFFD: `core.storable`).
        # What it says is free of control characters too; its input stays the path or URL
        # it was given.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                value = storable(value)
                setattr(self, f.name, value if f.name == "input" else without_controls(value))
        self.sections = [without_controls(storable(s)) for s in self.sections]


@dataclass
class Failure:
    input: str
    reason: str


Item = RawItem | Failure
