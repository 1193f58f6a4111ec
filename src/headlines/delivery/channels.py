"""How a finished message leaves: a `Channel` takes an `Outgoing` and gives back a `Reply`.

Delivery sees messages, not wires. A channel answers one of four verdicts:

- `sent`: someone took responsibility for it (a relay's 250, the outbox's stored row);
- `retry`: not now (4xx, a lost connection); the ledger defers the row and tries later;
- `refused_reader`: a permanent refusal about the reader (5.1.1 no such user) — it suppresses;
- `refused_us`: a permanent refusal about us (5.7.x policy, our DKIM or reputation; 5.3.4 size;
  our envelope sender refused at MAIL FROM) — the row fails but the reader is not blamed.

`MessengerChannel` puts any `core.mail.Messenger` (the SMTP relays, the outbox) behind this
interface. Which one a send uses is chosen per edition (`Edition.channel`: the installation's
default, always the outbox, or SMTP) by `channel_for`, not by a module global; a messenger
passed in explicitly (tests, benchmarks, `headlines send` with a peer) wins.
"""

from __future__ import annotations

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
    """A relay's reply as a verdict. 5.7.x (policy), 5.3.4 (size) and a refused envelope
    sender (MAIL FROM, before any reader is named) are about us."""
    text = f"{result.code} {result.reply}"
    if result.accepted:
        verdict = Verdict.SENT
    elif result.permanent_failure:
        about_us = result.sender_refused or result.reply.strip().startswith(("5.7.", "5.3.4"))
        verdict = Verdict.REFUSED_US if about_us else Verdict.REFUSED_READER
    else:
        verdict = Verdict.RETRY
    return Reply(verdict, result.code, text, result.relay)


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
