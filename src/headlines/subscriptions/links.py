"""Signed links in emails: confirm, unsubscribe (also RFC 8058 one-click) and preferences.

A token is a signed object with a purpose-specific salt, so a token for one action cannot be
replayed as another. Confirmation tokens expire; unsubscribe and preferences tokens do not (an old
digest's unsubscribe link must still work). Timestamps come from `core.clock`, so tests and
replays can move time; the token format is Django's `signing.dumps`.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from headlines.core import clock
from headlines.core.errors import InvalidInput

SALTS = {
    "confirm": "headlines.subscriptions.confirm",
    "unsubscribe": "headlines.subscriptions.unsubscribe",
    "preferences": "headlines.subscriptions.preferences",
    "widget": "headlines.subscriptions.widget-form",
}


class ClockSigner(signing.TimestampSigner):
    """Django's TimestampSigner, reading the time from `core.clock` instead of `time.time()`."""

    def timestamp(self) -> str:
        return signing.b62_encode(int(clock.now().timestamp()))

    def unsign(self, value: str, max_age: float | dt.timedelta | None = None) -> str:
        result = signing.Signer.unsign(self, value)
        value, stamp = result.rsplit(self.sep, 1)
        if max_age is not None:
            seconds = max_age.total_seconds() if isinstance(max_age, dt.timedelta) else max_age
            age = clock.now().timestamp() - signing.b62_decode(stamp)
            if age > seconds:
                raise signing.SignatureExpired(f"signature age {age} > {seconds} seconds")
        return value


class LinkExpired(InvalidInput):
    """A genuine link past its age: its page can offer a new one."""


def sign_value(purpose: str, value: Any) -> str:
    return ClockSigner(salt=SALTS[purpose]).sign_object(value, compress=False)


def unsign_value(purpose: str, token: str, *, max_age_seconds: float | None = None) -> Any:
    """The value inside `token`; signing.BadSignature / SignatureExpired when it is not good."""
    return ClockSigner(salt=SALTS[purpose]).unsign_object(token, max_age=max_age_seconds)


def make_token(purpose: str, subscription_id: int) -> str:
    return sign_value(purpose, subscription_id)


def read_token(purpose: str, token: str, *, max_age_seconds: int | None = None) -> int:
    """The subscription id inside `token`, or InvalidInput if it is forged, altered or expired."""
    try:
        value = unsign_value(purpose, token, max_age_seconds=max_age_seconds)
    except signing.SignatureExpired:
        raise LinkExpired("This link has expired.") from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise InvalidInput("This link is not valid. Please check you copied all of it.") from None
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput("This link is not valid.")
    return value


def confirm_max_age_seconds() -> int:
    return int(settings.CONFIG["HEADLINES_CONFIRM_MAX_AGE_DAYS"]) * 86400


def read_confirm_token(token: str) -> int:
    return read_token("confirm", token, max_age_seconds=confirm_max_age_seconds())


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def confirm_url(subscription_id: int) -> str:
    return absolute(reverse("subscriptions:confirm", args=[make_token("confirm", subscription_id)]))


@lru_cache(maxsize=8)
def _path(name: str) -> tuple[str, str]:
    """The URL path around a token, reversed once: a send builds links for every reader."""
    before, _, after = reverse(name, args=["TOKEN"]).partition("TOKEN")
    return before, after


def _link(name: str, purpose: str, subscription_id: int) -> str:
    before, after = _path(name)
    return f"{settings.BASE_URL}{before}{make_token(purpose, subscription_id)}{after}"


def unsubscribe_url(subscription_id: int) -> str:
    """Also the RFC 8058 List-Unsubscribe target: its POST unsubscribes with no CSRF token."""
    return _link("subscriptions:unsubscribe", "unsubscribe", subscription_id)


def preferences_url(subscription_id: int) -> str:
    return _link("subscriptions:preferences", "preferences", subscription_id)
