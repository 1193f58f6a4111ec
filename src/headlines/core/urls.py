"""URLs as people give them and are shown them.

A feed or webhook receiver behind Basic auth is configured as `https://user:pass@host/…`: the
password goes with every request but never into a list, an error, a log or an API answer.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit, urlunsplit

# What is wrong with a URL urlsplit cannot read. It raises a ValueError of its own words for a
# host in brackets that is no IPv6 address: "Invalid IPv6 URL" (`http://[::1`, a `[` without
# its `]`), "'zz' does not appear to be an IPv4 or IPv6 address" (`http://[zz]/`), "An IPv4
# address cannot be in brackets". Uncaught, each crashed the command that was given the URL.
BRACKETS = "a host in [ ] must be an IPv6 address, with both brackets"
NOT_A_URL = f"not a valid URL ({BRACKETS})"


def split(url: str) -> SplitResult:
    """`url`'s parts; a ValueError saying NOT_A_URL when urlsplit cannot read it. The port is
    not read here (`.port` raises ValueError past 65535 or when it is no number): each caller
    says which port it wanted."""
    try:
        return urlsplit(url)
    except ValueError:
        raise ValueError(NOT_A_URL) from None


def masked_url(url: str) -> str:
    """`url` with the password in it (if any) shown as `***`."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # a port that is no number: nothing reliable to mask, show no userinfo
        host = url.partition("://")[2].partition("/")[0]
        return url.replace(host, host.rpartition("@")[2], 1) if "@" in host else url
    if password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def masked_in(text: str, url: str) -> str:
    """`text` (an error, a report) with `url` in it masked."""
    shown = masked_url(url)
    return text.replace(url, shown) if url and shown != url else text


def port(parts: SplitResult, setting: str) -> int | None:
    """The URL's port (None: not given). A port that is no number, or past 65535, is a
    ValueError naming `setting`: a `#` or `/` in a password cuts the URL there, so the hint."""
    try:
        return parts.port
    except ValueError:
        raise ValueError(
            f"{setting}: expected a port from 1 to 65535 after the host (percent-encode `#`, "
            "`/`, `?` and `@` in a user name or password: `#` is %23)"
        ) from None
