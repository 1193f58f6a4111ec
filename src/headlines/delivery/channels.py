"""How a finished message leaves: a `Channel` takes an `Outgoing` and gives back a `Reply`.

Delivery sees messages, not wires. A channel answers one of these verdicts:

- `sent`: someone took responsibility for it (a relay's 250, the outbox's stored row);
- `retry`: not now (4xx, a lost connection); the ledger defers the row and tries later;
- `refused_reader`: a permanent refusal about the reader (5.1.1 no such user) — it suppresses;
- `refused_us`: a refusal about us (5.7.x policy, our DKIM or reputation; relaying or auth
  refused; our envelope sender refused at MAIL FROM): nothing the reader did, and what the
  operator can fix tonight — retried as `retry` is, nobody blamed (and a send that meets several
  in a row pauses: delivery.sender.Breaker);
- `refused_message`: this message will never fit (5.3.4 too big): the row fails at once, nobody
  blamed; the same bytes sent again, to the same relay, are refused again;
- `soft_bounce`: the reader's mailbox cannot take it now (X.2.2 mailbox full, over quota),
  whatever the code's first digit — retried as `retry` is, and counted once for the delivery
  as a soft bounce (HEADLINES_SOFT_BOUNCE_LIMIT), as a DSN saying so is.

`judge` decides by the reply's enhanced status code (RFC 3463) when it has one; a reply without
one is judged by its words (`_by_words`), and only plain "no such user" wordings blame the
reader: a relay that answers `554 Relay access denied` refuses every reader of the send alike.

`MessengerChannel` puts any `core.mail.Messenger` (the SMTP relays, the outbox) behind this
interface. Which one a send uses is chosen per edition (`Edition.channel`: the installation's
default, always the outbox, or SMTP) by `channel_for`, not by a module global; a messenger
passed in explicitly (tests, benchmarks, `headlines send` with a peer) wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from django.conf import settings

from headlines.core.errors import InvalidInput
from headlines.core.mail import (
    Messenger,
    OutboxMessenger,
    SendResult,
    SMTPMessenger,
    get_messenger,
    messenger_installed,
    parse_smtp_urls,
)
from headlines.core.models import Edition


class Verdict(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    REFUSED_READER = "refused_reader"
    REFUSED_US = "refused_us"
    REFUSED_MESSAGE = "refused_message"
    SOFT_BOUNCE = "soft_bounce"


@dataclass(frozen=True)
class Outgoing:
    """One finished message for one reader: the bytes a reader gets, and its envelope."""

    envelope_from: str
    recipient: str
    raw: bytes
    message_id: str


@dataclass(frozen=True)
class Reply:
    verdict: Verdict
    code: int | None
    text: str
    relay: str = ""


class Channel(Protocol):
    def deliver(self, outgoing: Outgoing) -> Reply: ...

    def close(self) -> None: ...


def judge(result: SendResult) -> Reply:
    """A relay's reply as a verdict (see the module docstring)."""
    text = f"{result.code} {result.reply}"
    if result.accepted:
        verdict = Verdict.SENT
    elif mailbox_full(result.reply) and not result.sender_refused:
        verdict = Verdict.SOFT_BOUNCE
    elif result.permanent_failure:
        verdict = _refusal(result)
    else:
        verdict = Verdict.RETRY
    return Reply(verdict, result.code, text, result.relay)


# An enhanced status code (RFC 3463) opens the reply's text: class.subject.detail.
_ENHANCED = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
# X.2.2: the mailbox is full (RFC 3463 calls it "useful ... for temporary failure"); without a
# code, its usual words, and RFC 5321's own text for 552. Not "insufficient system storage":
# that is 452's text about the server (too many recipients, a full disk), not the mailbox.
_FULL = re.compile(
    r"mailbox (?:is )?full|over (?:the |its |their )?(?:storage )?quota|quota exceeded"
    r"|exceeded (?:the |its |their )?(?:storage )?quota|exceeded storage allocation",
    re.IGNORECASE,
)
# Words of a relay, an auth or a policy refusal: about our sending, so about every reader alike.
# A relay's word not followed by "recipient": "User unknown in relay recipient table" is
# Postfix's word for a reader that does not exist.
_ABOUT_US = re.compile(
    r"\brelay(?:ing)?\b(?!\s+recipient)|\bauth(?:entication|enticate|enticated)?\b"
    r"|\bsender\b|not permitted|not allowed to send|\bpolicy\b|\bblock(?:ed|list(?:ed)?)\b"
    r"|black ?list(?:ed)?|\bspam|reputation|\b(?:rbl|dnsbl)\b|spamhaus",
    re.IGNORECASE,
)
# Plain words about the reader's address: the only ones that blame the reader without a code.
_ABOUT_READER = re.compile(
    r"user unknown|unknown (?:user|recipient|mailbox)|no such (?:user|mailbox|recipient|address)"
    r"|mailbox (?:is )?(?:unavailable|not found|disabled)|does not exist|doesn't exist"
    r"|recipient (?:address )?(?:rejected|unknown|not found)|invalid (?:recipient|mailbox)",
    re.IGNORECASE,
)


def _status(reply: str) -> tuple[str, int, int] | None:
    found = _ENHANCED.match(reply)
    return (found[1], int(found[2]), int(found[3])) if found else None


def mailbox_full(reply: str) -> bool:
    """Does a reply's text (after its code) say the reader's mailbox is full (X.2.2)? Also
    asked of a DSN's Status and Diagnostic-Code, so a report received later agrees."""
    status = _status(reply)
    if status is not None:
        return status[1:] == (2, 2)
    return _FULL.search(reply) is not None


def _refusal(result: SendResult) -> Verdict:
    """A 5xx: about the message (5.3.4 too big, at MAIL FROM's SIZE too), about us (5.7.x
    policy, 5.1.7/5.1.8 our sender's address, a refused MAIL FROM) or about the reader (any
    other enhanced code: 5.1.1 no such user, …)."""
    status = _status(result.reply)
    if status is not None and status[1:] == (3, 4):
        return Verdict.REFUSED_MESSAGE
    if result.sender_refused:
        return Verdict.REFUSED_US
    if status is None:
        return _by_words(result.reply)
    _, subject, detail = status
    if subject == 7 or (subject, detail) in {(1, 7), (1, 8)}:
        return Verdict.REFUSED_US
    return Verdict.REFUSED_READER


def _by_words(reply: str) -> Verdict:
    """A 5xx without an enhanced code: `550 relaying denied`, `530 Authentication required`,
    `554 Relay access denied` were each judged about the reader, and every reader of the send
    was suppressed for good. Only plain words about the reader's address blame the reader;
    words about relaying, auth, our sender or a policy, and words that say neither, do not."""
    if _ABOUT_US.search(reply) or not _ABOUT_READER.search(reply):
        return Verdict.REFUSED_US
    return Verdict.REFUSED_READER


class MessengerChannel:
    """A `Messenger` (SMTP relays, outbox) as a channel; closes it only if it opened it."""

    def __init__(self, messenger: Messenger, *, owned: bool) -> None:
        self.messenger = messenger
        self.owned = owned

    def deliver(self, outgoing: Outgoing) -> Reply:
        result = self.messenger.send(
            envelope_from=outgoing.envelope_from,
            recipients=[outgoing.recipient],
            raw=outgoing.raw,
        )
        return judge(result)

    def close(self) -> None:
        if self.owned:
            self.messenger.close()


def channel_for(edition: Edition, *, messenger: Messenger | None = None) -> MessengerChannel:
    """The channel a send of this edition uses (see the module docstring for the order)."""
    if messenger is not None:
        return MessengerChannel(messenger, owned=False)
    if messenger_installed():  # a process-wide messenger installed by tests or a benchmark
        return MessengerChannel(get_messenger(), owned=False)
    choice = edition.channel or Edition.Channel.DEFAULT
    if choice == Edition.Channel.OUTBOX:
        return MessengerChannel(OutboxMessenger(), owned=True)
    url = settings.CONFIG["HEADLINES_SMTP_URL"]
    if choice == Edition.Channel.SMTP and not url:
        raise InvalidInput(f"{edition.name} sends by SMTP but HEADLINES_SMTP_URL is not set")
    if not url:
        return MessengerChannel(OutboxMessenger(), owned=True)
    return MessengerChannel(SMTPMessenger(parse_smtp_urls(url)), owned=True)
