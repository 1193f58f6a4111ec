"""Mail out: one narrow `Messenger` protocol with two implementations.

`OutboxMessenger` stores messages in the database (the embedded default, read in the admin);
`SMTPMessenger` hands them to one or more relays, in order, failing over on connection errors.
Everything that sends mail (transactional emails, the digest delivery engine) goes through
`get_messenger()`, so tests pass a real local SMTP peer or the outbox, never a patch.
The protocol lives in `core.messenger` and the SMTP machinery in `core.smtp`; both are
re-exported here, so callers import every mail name from this module.
"""

from __future__ import annotations

import atexit
import base64
import email.policy
import os
import threading
from collections.abc import Mapping, Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import TYPE_CHECKING

from headlines.core import clock
from headlines.core.dkim import configured_key, sign_message
from headlines.core.errors import InvalidInput
from headlines.core.messenger import Messenger, SendResult
from headlines.core.smtp import (
    RateLimiter,
    Relay,
    RelayPool,
    SMTPMessenger,
    open_smtp,
    parse_smtp_urls,
    transact,
)

if TYPE_CHECKING:
    from headlines.core.models import Edition

ENCODED_WORD_MAX = 75  # RFC 2047 section 2


def encoded_words(text: str) -> str:
    """`text` as RFC 2047 "B" encoded words of at most 75 characters, one a folded line.

    The library's folder made one word of hundreds of characters at a 998 fold limit, and at
    78 put spaces of its own into a long display name. Whitespace between encoded words is
    not part of the text (RFC 2047 6.2), so the words join back exactly; "B" words may stand
    in a phrase (a display name) as well as in a Subject."""
    room = (ENCODED_WORD_MAX - len("=?utf-8?b??=")) // 4 * 3  # whole base64 quanta: 45 bytes
    words: list[bytes] = []
    chunk = b""
    for ch in text:
        encoded = ch.encode("utf-8")
        if chunk and len(chunk) + len(encoded) > room:
            words.append(chunk)
            chunk = b""
        chunk += encoded
    words.append(chunk)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)


def encoded_address(display_name: str, addr_spec: str) -> str:
    """One address for a header: a non-ASCII display name in encoded words."""
    if display_name.isascii():
        local, _, domain = addr_spec.rpartition("@")
        return str(Address(display_name=display_name, username=local, domain=domain))
    return f"{encoded_words(display_name)} <{addr_spec}>"


FOLD_AT = 78  # RFC 5322 2.1.1: a line SHOULD be at most 78 characters


def folded_at_spaces(line: bytes) -> bytes:
    """One header line (CRLF ended) folded before its spaces, so that each line is at most 78
    characters where the words allow: unfolding (RFC 5322 2.2.3) takes out only the CRLFs, so
    the value reads back as it was. A word longer than a line (a URL) is never cut."""
    body = line.removesuffix(b"\r\n")
    if len(body) <= FOLD_AT:
        return line
    # Never between the name and the value's first word: "Name:" alone on a line is legal,
    # but some readers then keep the fold's space as part of the value.
    name, _, value = body.partition(b": ")
    first, *words = value.split(b" ")
    lines: list[bytes] = []
    current = name + b": " + first
    for word in words:
        if word and len(current) + 1 + len(word) > FOLD_AT:  # a line is never only spaces
            lines.append(current)
            current = b" " + word
        else:
            current += b" " + word
    lines.append(current)
    return b"\r\n".join(lines) + b"\r\n"


class _WirePolicy(email.policy.EmailPolicy):
    """Folds ASCII headers between words at 78 and never inside one, so a long
    List-Unsubscribe URL stays plain text (the library's own folder at 78 turned it into
    encoded words), and writes a non-ASCII Subject or display name in short encoded words
    (`encoded_words`)."""

    def fold_binary(self, name: str, value: str) -> bytes:
        text = str(value)
        if text.isascii():
            line = super().fold_binary(name, value)
            return folded_at_spaces(line) if line.count(b"\r\n") == 1 else line
        addresses = getattr(value, "addresses", None)
        if addresses is not None and all(a.addr_spec.isascii() for a in addresses):
            text = ", ".join(encoded_address(a.display_name, a.addr_spec) for a in addresses)
        elif name.lower() == "subject":
            text = encoded_words(text)
        else:
            return super().fold_binary(name, value)
        return f"{name}: {text}\r\n".encode("ascii")


SMTP_POLICY = _WirePolicy(linesep="\r\n", max_line_length=998)

__all__ = [
    "Messenger",
    "OutboxMessenger",
    "RateLimiter",
    "Relay",
    "RelayPool",
    "SMTPMessenger",
    "SendResult",
    "build_message",
    "close_transactional",
    "format_address",
    "get_messenger",
    "messenger_installed",
    "open_smtp",
    "parse_smtp_urls",
    "refuse_line_breaks",
    "send_message",
    "set_messenger",
    "transact",
]


def refuse_line_breaks(value: str, *, field_name: str) -> str:
    """Header injection guard: no CR, LF or NUL may reach a header from any input."""
    if any(ch in value for ch in "\r\n\x00"):
        raise InvalidInput(f"{field_name} must not contain line breaks", field=field_name)
    return value


def build_message(
    *,
    from_addr: str,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    reply_to: str | None = None,
    headers: Mapping[str, str] | None = None,
    domain: str | None = None,
) -> EmailMessage:
    """A MIME message (text, or text + HTML alternative) with every header checked."""
    msg = EmailMessage()
    msg["From"] = refuse_line_breaks(from_addr, field_name="From")
    msg["To"] = refuse_line_breaks(to, field_name="To")
    msg["Subject"] = refuse_line_breaks(subject, field_name="Subject")
    msg["Date"] = formatdate(clock.now().timestamp(), usegmt=True)
    msg["Message-ID"] = make_msgid(domain=domain or _domain_of(from_addr))
    if reply_to:
        msg["Reply-To"] = refuse_line_breaks(reply_to, field_name="Reply-To")
    for name, value in (headers or {}).items():
        msg[refuse_line_breaks(name, field_name="header name")] = refuse_line_breaks(
            value, field_name=name
        )
    msg.set_content(text, cte="quoted-printable")
    if html is not None:
        msg.add_alternative(html, subtype="html", cte="quoted-printable")
        # The library makes the HTML part a whole message, with a MIME-Version of its own:
        # RFC 2045 puts it at the top level only, so the message carried it twice.
        for part in msg.iter_parts():
            del part["MIME-Version"]
    return msg


def sender_address(edition: Edition) -> str:
    """An edition's From address (its own, else HEADLINES_MAIL_FROM's): its digests and its
    sign-up emails come from the same one."""
    from django.conf import settings

    return edition.from_address or parseaddr(settings.CONFIG["HEADLINES_MAIL_FROM"])[1]


def format_address(display_name: str, address: str) -> str:
    refuse_line_breaks(display_name, field_name="display name")
    refuse_line_breaks(address, field_name="address")
    local, _, domain = address.rpartition("@")
    return str(Address(display_name=display_name, username=local, domain=domain))


def _domain_of(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2] or "localhost"


class OutboxMessenger:
    """Stores every message in `OutboxMessage`; staff read them in the admin."""

    relay = "outbox"

    def send(self, *, envelope_from: str, recipients: Sequence[str], raw: bytes) -> SendResult:
        from email.parser import BytesHeaderParser

        from headlines.core.models import OutboxMessage

        parsed = BytesHeaderParser().parsebytes(raw)  # the headers alone: the body is stored whole
        OutboxMessage.objects.create(
            envelope_from=envelope_from,
            recipients="\n".join(recipients),
            subject=str(parsed.get("Subject", ""))[:998],
            to_header=str(parsed.get("To", ""))[:998],
            message_id=str(parsed.get("Message-ID", ""))[:998],
            raw=raw,
        )
        return SendResult(250, "2.0.0 Ok: stored in the outbox", self.relay)

    def close(self) -> None:
        return None


_override: Messenger | None = None


def set_messenger(messenger: Messenger | None) -> Messenger | None:
    """Install a messenger for this process (tests, benchmarks); None returns to the settings."""
    global _override
    previous, _override = _override, messenger
    return previous


def messenger_installed() -> bool:
    """Is a messenger installed for the process (so callers must not close it)?"""
    return _override is not None


def get_messenger() -> Messenger:
    if _override is not None:
        return _override
    from django.conf import settings

    url = settings.CONFIG["HEADLINES_SMTP_URL"]
    if not url:
        return OutboxMessenger()
    return SMTPMessenger(parse_smtp_urls(url))


def wire_bytes(message: EmailMessage) -> bytes:
    """The bytes SMTP carries: CRLF line ends (smtplib passes bytes through as they are, and
    relays refuse bare LF) and ASCII headers folded between words (`folded_at_spaces`), so
    that long URLs in List-Unsubscribe stay plain text instead of becoming RFC 2047 encoded
    words."""
    return message.as_bytes(policy=SMTP_POLICY)


# The messenger of transactional mail, one a process and relay list: its connections stay open
# between messages and its relays' rate limits count every message the process sends. A new one
# each message opened a connection for each confirmation and let `?rate=` and `?hourly=` start
# afresh every time. Keyed by the process too: a child forked from a process that sent mail
# must not write on its parent's sockets.
_transactional: dict[tuple[int, str], SMTPMessenger] = {}
_transactional_lock = threading.Lock()


def _transactional_messenger() -> Messenger:
    from django.conf import settings

    url = settings.CONFIG["HEADLINES_SMTP_URL"]
    if _override is not None or not url:
        return get_messenger()
    key = (os.getpid(), str(url))
    with _transactional_lock:
        if key not in _transactional:
            _transactional[key] = SMTPMessenger(parse_smtp_urls(str(url)))
        return _transactional[key]


def close_transactional() -> None:
    """Say goodbye (QUIT) on this process's kept transactional connections; the next message
    opens new ones. Run at exit."""
    with _transactional_lock:
        mine = [k for k in _transactional if k[0] == os.getpid()]
        messengers = [_transactional.pop(k) for k in mine]
    for messenger in messengers:
        messenger.close()


atexit.register(close_transactional)


def send_message(message: EmailMessage, *, envelope_from: str | None = None) -> SendResult:
    """Send one transactional message (confirmation, welcome, test digest) now, over the
    process's kept connections (`_transactional_messenger`)."""
    sender = envelope_from or parseaddr(str(message["From"]))[1]
    recipients = [parseaddr(str(message["To"]))[1]]
    raw = wire_bytes(message)
    key = configured_key(domain=_domain_of(str(message["From"])))
    if key is not None:
        raw = sign_message(raw, key)
    messenger = _transactional_messenger()
    return messenger.send(envelope_from=sender, recipients=recipients, raw=raw)
