"""Text from outside made storable: what no database stores never reaches one.

NUL: PostgreSQL refuses it in text (one in a page, a dump or a bounce stopped the whole import
or the bounce there). Half of a UTF-16 pair (a lone surrogate): no UTF-8 encoder writes it, on
either database; JSON can escape one, and Python's mail parser makes them of a header's
undecodable bytes. NUL says nothing and goes; half a character becomes U+FFFD.
"""

from __future__ import annotations

import re

SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` without NUL, and with U+FFFD for each lone surrogate."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text if text.isascii() else SURROGATE.sub("\ufffd", text)
