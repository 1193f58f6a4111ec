"""Ids, numbers and MACs read back from outside (links, addresses, headers), and what went
wrong reading a CSV file, in a person's words.

`hmac.compare_digest` raises TypeError for text that is not ASCII, and `str.isdigit` is true
of "²" and "٣", which `int` then refuses: a click link or bounce address with one such character
was a server error (or a bounce lost) instead of "not ours".
"""

from __future__ import annotations

import csv
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


# The csv module's words for what went wrong, said the way a person fixing the file needs.
_CSV_ERRORS = {
    "unexpected end of data": "a quote is opened and never closed",
    "expected after": "a closing quote is followed by more text in the same field",
    "field larger than field limit": (
        f"a field is longer than {csv.field_size_limit():,} characters"
    ),
}


def csv_error(exc: Exception) -> str:
    """What a `csv.Error` (or any error reading a CSV row) means, for the file's author."""
    return next((v for k, v in _CSV_ERRORS.items() if k in str(exc)), str(exc))
