"""The names people give things (an edition, a topic, an API token): one line of text.

`ord(c) < 32` let DEL and the C1 controls through: `\\x9b` is a terminal's CSI, as ESC [ is,
and an edition's name is printed by the commands and sent in every digest's From and Subject.
"""

from __future__ import annotations

import re
import unicodedata

# The escapes `controls_escaped` writes (`\\x1b`, `\\x9b`, `\\n`, `\\t`, `\\r`).
_ESCAPE = re.compile(r"\\(?:x[0-9a-f]{2}|[ntr])")


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


def escaped_cut(text: str, limit: int) -> str:
    """`text`, escaped (`controls_escaped`): its first `limit` characters and "…" when it is
    longer, cut before an escape the limit falls inside rather than in it (`\\x1` of `\\x1b`
    reads as another character, or as none)."""
    text = controls_escaped(text)
    if len(text) <= limit:
        return text
    end = limit
    for escape in _ESCAPE.finditer(text, max(0, end - 3), end + 3):
        if escape.start() < end < escape.end():
            end = escape.start()
            break
    return text[:end] + "…"
