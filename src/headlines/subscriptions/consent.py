"""The consent ledger's one write, and the cleaning of free text that ends up in it."""

from __future__ import annotations

from headlines.core.errors import InvalidInput
from headlines.core.models import Edition
from headlines.core.rows import row_insert
from headlines.subscriptions import wording
from headlines.subscriptions.hashing import ip_hash
from headlines.subscriptions.models import ConsentEvent, Subscriber

Purpose = ConsentEvent.Purpose


def consent_record(
    *,
    subscriber: Subscriber,
    edition: Edition | None,
    purpose: str,
    granted: bool,
    words: str,
    source: str,
    ip: str | None = None,
) -> ConsentEvent:
    """Append one grant or withdrawal to the ledger (call inside the caller's transaction)."""
    event = ConsentEvent(
        subscriber=subscriber,
        email_hash=subscriber.email_hash,
        edition=edition,
        purpose=purpose,
        granted=granted,
        wording=words,
        privacy_version=edition.privacy_version if edition else "",
        source=source,
        ip_hash=ip_hash(ip),
    )
    # A new row only (ConsentEvent.save refuses updates): one prepared INSERT, as on every sign-up.
    return row_insert(event, append_only=True)


def grants_record(
    *,
    subscriber: Subscriber,
    edition: Edition,
    marketing: bool,
    source: str,
    newsletter_words: str,
    newsletter: bool = True,
    marketing_words: str = wording.MARKETING,
    ip: str | None = None,
) -> None:
    """The newsletter grant (unless `newsletter` is False) and, if ticked, the marketing grant."""
    if newsletter:
        consent_record(
            subscriber=subscriber,
            edition=edition,
            purpose=Purpose.NEWSLETTER,
            granted=True,
            words=newsletter_words,
            source=source,
            ip=ip,
        )
    if marketing:
        consent_record(
            subscriber=subscriber,
            edition=edition,
            purpose=Purpose.MARKETING,
            granted=True,
            words=marketing_words,
            source=source,
            ip=ip,
        )


def clean_text(value: str, *, field: str, max_length: int) -> str:
    """Free text from a reader or a file: no control characters, bounded length."""
    value = value.strip()
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidInput(f"{field} must not contain control characters", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    return value
