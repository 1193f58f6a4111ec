"""The consent ledger's one write, and the cleaning of free text that ends up in it."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

from headlines.core.errors import InvalidInput
from headlines.core.models import Edition
from headlines.core.names import has_control
from headlines.core.rows import PreparedInsert
from headlines.subscriptions import wording
from headlines.subscriptions.hashing import ip_hash
from headlines.subscriptions.models import ConsentEvent, Subscriber

Purpose = ConsentEvent.Purpose
Key = TypeVar("Key", bound=Hashable)


def last_said_yes(answers: Iterable[tuple[Key, bool]]) -> set[Key]:
    """The keys (readers, editions) whose last answer is yes, of `(key, granted)` rows in the
    ledger's order: a later no withdraws an earlier yes."""
    last: dict[Key, bool] = {}
    for key, granted in answers:
        last[key] = granted
    return {key for key, yes in last.items() if yes}


def _event(
    *,
    email_hash: str,
    edition: Edition | None,
    purpose: str,
    granted: bool,
    words: str,
    source: str,
    ip_key: str,
) -> PreparedInsert[ConsentEvent]:
    # A new row only (ConsentEvent.save refuses updates): one prepared INSERT.
    event = ConsentEvent(
        email_hash=email_hash,
        edition=edition,
        purpose=purpose,
        granted=granted,
        wording=words,
        privacy_version=edition.privacy_version if edition else "",
        source=source,
        ip_hash=ip_key,
    )
    return PreparedInsert(event, append_only=True)


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
    event = _event(
        email_hash=subscriber.email_hash,
        edition=edition,
        purpose=purpose,
        granted=granted,
        words=words,
        source=source,
        ip_key=ip_hash(ip),
    )
    return event.run(subscriber_id=subscriber.pk)


def grants_prepared(
    *,
    email_hash: str,
    edition: Edition,
    marketing: bool,
    source: str,
    newsletter_words: str,
    newsletter: bool = True,
    marketing_words: str = wording.MARKETING,
    ip_key: str = "",
) -> list[PreparedInsert[ConsentEvent]]:
    """The newsletter grant (unless `newsletter` is False) and, if ticked, the marketing grant,
    computed before the transaction: inside it, run each with `subscriber_id=`. `ip_key` is the
    client's `ip_hash`."""
    wanted = [(Purpose.NEWSLETTER, newsletter_words)] if newsletter else []
    if marketing:
        wanted.append((Purpose.MARKETING, marketing_words))
    return [
        _event(
            email_hash=email_hash,
            edition=edition,
            purpose=purpose,
            granted=True,
            words=words,
            source=source,
            ip_key=ip_key,
        )
        for purpose, words in wanted
    ]


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
    grants = grants_prepared(
        email_hash=subscriber.email_hash,
        edition=edition,
        marketing=marketing,
        source=source,
        newsletter_words=newsletter_words,
        newsletter=newsletter,
        marketing_words=marketing_words,
        ip_key=ip_hash(ip),
    )
    for grant in grants:
        grant.run(subscriber_id=subscriber.pk)


def clean_text(value: str, *, field: str, max_length: int) -> str:
    """Free text from a reader or a file: no control characters, bounded length."""
    value = value.strip()
    if has_control(value):  # C1 too: "\x9b" is a terminal's CSI, as ESC [ is
        raise InvalidInput(f"{field} must not contain control characters", field=field)
    if len(value) > max_length:
        raise InvalidInput(f"{field} is longer than {max_length} characters", field=field)
    return value
