"""Ids, numbers and MACs read back from outside: links, addresses, headers.

`hmac.compare_digest` raises TypeError for text that is not ASCII, and `str.isdigit` is true
of "²" and "٣", which `int` then refuses: a click link or bounce address with one such character
was a server error (or a bounce lost) instead of "not ours".
"""

from __future__ import annotations

import hmac


def mac_matches(given: str, expected: str) -> bool:
    """Whether `given` (read from outside) is the MAC `expected`, in constant time."""
    return given.isascii() and hmac.compare_digest(given, expected)


def plain_digits(value: str) -> bool:
    """Whether `value` is a non-empty run of the digits 0-9."""
    return value.isascii() and value.isdigit()


def plain_id(value: str) -> bool:
    """Whether `value` reads as a row id: plain digits, at most 18 (a bigint; `int()` of
    thousands of digits raises)."""
    return plain_digits(value) and len(value) < 19
