"""Writes of the API app: tokens, the per-token rate limit and the audit trail."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from headlines.api.models import ApiToken, AuditEntry, RateWindow
from headlines.core import clock
from headlines.core.errors import Conflict, DomainError, InvalidInput, NotFound
from headlines.core.names import has_control

TOKEN_PREFIX = "hl_"  # noqa: S105 (a prefix that marks our tokens, not a secret)


class RateLimited(DomainError):
    """The token made too many requests this minute; the edge answers 429."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def token_hash(raw: str) -> str:
    # Tokens are 256 random bits: a plain SHA-256 is enough (no password stretching needed).
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


@transaction.atomic
def api_token_create(*, name: str) -> tuple[ApiToken, str]:
    """A new token named `name`; returns it with the raw token, which is never stored."""
    name = name.strip()
    if not name or len(name) > 100 or has_control(name):
        raise InvalidInput("a token name is 1 to 100 printable characters", field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(name=name, prefix=raw[:10], token_hash=token_hash(raw))
    except IntegrityError:
        raise Conflict(_name_taken(name)) from None
    return token, raw


def _name_taken(name: str) -> str:
    # Revoking does not free a name: the audit trail goes on naming the revoked token.
    taken = ApiToken.objects.filter(name=name).first()
    if taken is not None and taken.revoked_at is not None:
        return (
            f"a token named {name!r} was revoked on {taken.revoked_at:%Y-%m-%d}, and a revoked "
            "token keeps its name (the audit trail names it): pick another name"
        )
    return f"a token named {name!r} already exists: pick another name"


@transaction.atomic
def api_token_revoke(*, name: str) -> tuple[ApiToken, bool]:
    """Revoke the token at once; returns it and whether this call revoked it. Revoking a
    revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().filter(name=name.strip()).first()
    if token is None:
        raise NotFound(f"no API token named {name!r}")
    if token.revoked_at is not None:
        return token, False
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    return token, True


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The active token `raw` names, or None. Marks it used (at most once a minute)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.filter(token_hash=token_hash(raw), revoked_at__isnull=True).first()
    if token is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_rate_check(*, token_id: int) -> None:
    """Count one request against the token's minute; RateLimited past the limit."""
    now = clock.now()
    minute = now.replace(second=0, microsecond=0)
    limit = int(settings.CONFIG["HEADLINES_API_RATE_PER_MINUTE"])
    # UPDATE first: the common case is one statement, and two processes racing to create the
    # minute's row cannot both insert it (the loser's INSERT fails, and it updates instead).
    with transaction.atomic():
        counted = RateWindow.objects.filter(token_id=token_id, minute=minute).update(
            count=F("count") + 1
        )
        if not counted:
            try:
                with transaction.atomic():
                    RateWindow.objects.create(token_id=token_id, minute=minute, count=1)
            except IntegrityError:
                RateWindow.objects.filter(token_id=token_id, minute=minute).update(
                    count=F("count") + 1
                )
            RateWindow.objects.filter(token_id=token_id, minute__lt=minute).delete()
        count = RateWindow.objects.get(token_id=token_id, minute=minute).count
    if count > limit:
        retry = 60 - now.second
        raise RateLimited(
            f"this token made more than {limit} requests this minute; retry in {retry} s",
            retry_after=retry,
        )


def api_audit_record(
    *, token: ApiToken | None, action: str, method: str, path: str, status: int, target: str = ""
) -> AuditEntry:
    return AuditEntry.objects.create(
        token=token,
        token_name=token.name if token else "",
        action=action[:64],
        method=method[:8],
        path=path[:500],
        status=status,
        target=target[:300],
    )
