"""The signed redirect links of a digest email: one per story, the same for every reader.

`/r/<digest>.<item>.<mac>/` names a digest item, never a URL, so the redirect can only lead to a
link that is in that digest (no open redirect), and nothing in it says who clicked.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.urls import reverse

from headlines.core.untrusted import mac_matches, plain_id


def _mac(ref: str) -> str:
    key = f"headlines:engagement:{settings.SECRET_KEY}".encode()
    return hmac.new(key, ref.encode(), hashlib.sha256).hexdigest()[:16]


def click_token(*, digest_id: int, item_id: int) -> str:
    ref = f"{digest_id}.{item_id}"
    return f"{ref}.{_mac(ref)}"


def click_url(*, digest_id: int, item_id: int) -> str:
    token = click_token(digest_id=digest_id, item_id=item_id)
    return settings.BASE_URL + reverse("engagement:click", args=[token])


def read_click_token(token: str) -> tuple[int, int] | None:
    """(digest_id, item_id) from a token we made, or None (forged, truncated, foreign)."""
    parts = token.split(".")
    if len(parts) != 3 or not all(plain_id(p) for p in parts[:2]):
        return None
    ref = f"{parts[0]}.{parts[1]}"
    if not mac_matches(parts[2], _mac(ref)):
        return None
    return int(parts[0]), int(parts[1])
