"""The widget's anti-forgery token: signed, time-limited, bound to the form, no cookie.

The widget lives in a frame on a publisher's article page, another site. Browsers do not send
SameSite=Lax cookies to a third-party frame, so Django's cookie-based CSRF cannot protect its
POST. Instead the form carries a token the server signed when it rendered the form, naming the
form it belongs to; a POST without a fresh token for the same form is refused.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing

from headlines.core.errors import InvalidInput
from headlines.subscriptions.links import sign_value, unsign_value

EXPIRED = "This form was open for a long time. Please press the button again."


def form_token(*, form: str) -> str:
    return sign_value("widget", {"form": form, "nonce": secrets.token_urlsafe(8)})


def form_token_check(token: object, *, form: str) -> None:
    """Raise InvalidInput unless `token` is a fresh token issued for `form`."""
    max_age = int(settings.CONFIG["HEADLINES_WIDGET_FORM_MAX_AGE_HOURS"]) * 3600
    if not isinstance(token, str) or not token or len(token) > 500:
        raise InvalidInput(EXPIRED, field="token")
    try:
        value = unsign_value("widget", token, max_age_seconds=max_age)
    except (signing.BadSignature, ValueError, UnicodeError):
        raise InvalidInput(EXPIRED, field="token") from None
    if not isinstance(value, dict) or value.get("form") != form:
        raise InvalidInput(EXPIRED, field="token")
