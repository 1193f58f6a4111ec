"""The names people give things (an edition, a topic, an API token): one line of text.

`ord(c) < 32` let DEL and the C1 controls through: `\\x9b` is a terminal's CSI, as ESC [ is,
and an edition's name is printed by the commands and sent in every digest's From and Subject.
"""

from __future__ import annotations

import unicodedata


def has_control(text: str) -> bool:
    """Whether `text` holds a control character: C0 (tab and line breaks too), DEL or C1."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)
