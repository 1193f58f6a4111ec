"""The names people give things (an edition, a topic, an API token): one line of text.

`ord(c) < 32` let DEL and the C1 controls through: `\\x9b` is a terminal's CSI, as ESC [ is,
and an edition's name is printed by the commands and sent in every digest's From and Subject.
"""

from __future__ import annotations

import unicodedata


def has_control(text: str) -> bool:
    """Whether `text` holds a control character: C0 (tab and line breaks too), DEL or C1."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def controls_escaped(text: str) -> str:
    """`text` with each control character written as its escape (`\\x1b`, `\\n`), so it shows
    on one line and holds no character a terminal obeys or XML 1.0 forbids."""
    if not has_control(text):
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) == "Cc" else ch
        for ch in text
    )
