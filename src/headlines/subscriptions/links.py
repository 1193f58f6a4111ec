"""Signed links in emails: confirm, unsubscribe (also RFC 8058 one-click) and preferences.

A token is `signing.dumps` of the subscription id with a purpose-specific salt, so a token for one
action cannot be replayed as another. Confirmation tokens expire; unsubscribe and preferences
tokens do not (an old digest's unsubscribe link must still work).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from headlines.core.errors import InvalidInput

SALTS = {
    "confirm": "headlines.subscriptions.confirm",
    "unsubscribe": "headlines.subscriptions.unsubscribe",
    "preferences": "headlines.subscriptions.preferences",
}


def make_token(purpose: str, subscription_id: int) -> str:
    return signing.dumps(subscription_id, salt=SALTS[purpose], compress=False)


def read_token(purpose: str, token: str, *, max_age_seconds: int | None = None) -> int:
    """The subscription id inside `token`, or InvalidInput if it is forged, altered or expired."""
    try:
        value = signing.loads(token, salt=SALTS[purpose], max_age=max_age_seconds)
    except signing.SignatureExpired:
        raise InvalidInput("This link has expired. Please sign up again.") from None
    except signing.BadSignature:
        raise InvalidInput("This link is not valid. Please check you copied all of it.") from None
    if not isinstance(value, int):
        raise InvalidInput("This link is not valid.")
    return value


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def confirm_url(subscription_id: int) -> str:
    return absolute(reverse("subscriptions:confirm", args=[make_token("confirm", subscription_id)]))


def unsubscribe_url(subscription_id: int) -> str:
    """Also the RFC 8058 List-Unsubscribe target: its POST unsubscribes with no CSRF token."""
    return absolute(
        reverse("subscriptions:unsubscribe", args=[make_token("unsubscribe", subscription_id)])
    )


def preferences_url(subscription_id: int) -> str:
    return absolute(
        reverse("subscriptions:preferences", args=[make_token("preferences", subscription_id)])
    )
