"""Where bounces come in: an SMTP endpoint for the bounce domain, and an IMAP mailbox poller.

Both hand each message to `bounces.bounce_process`; neither holds any logic of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import logging
import socket
from collections.abc import Iterator
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from functools import partial
from typing import Any, Protocol
from urllib.parse import unquote

from django.db import connections

from headlines.core import urls
from headlines.core.errors import InvalidInput
from headlines.core.untrusted import plain_digits
from headlines.delivery.bounces import BounceReport, bounce_process, is_ours

log = logging.getLogger(__name__)


def parse_listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not plain_digits(port) or not 0 < int(port) < 65536:
        raise InvalidInput(f"expected host:port, got {value!r}", field="listen")
    return host, int(port)


def _process(raw: bytes, recipients: list[str]) -> BounceReport:
    # Runs on an executor thread: its own database connection, closed after each message
    # (bounces are few; an idle connection per executor thread is not worth holding).
    try:
        report = bounce_process(raw=raw, recipients=recipients)
    finally:
        connections.close_all()
    log.info("bounce endpoint: %s %s", report.kind, report.detail or "")
    return report


class BounceHandler:
    """aiosmtpd handler: accepts mail only for our VERP and unsubscribe addresses."""

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not is_ours(address):
            return "550 5.1.1 no such bounce address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        loop = asyncio.get_running_loop()
        # The ORM is synchronous: run it on the executor, off the event loop.
        try:
            await loop.run_in_executor(None, partial(_process, raw, list(envelope.rcpt_tos)))
        except Exception:
            log.exception("bounce endpoint: could not process a message")
            return "451 4.3.0 could not process the message, try again later"
        return "250 2.0.0 bounce received"


class BounceServer:
    def __init__(self, *, host: str, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(
            BounceHandler(), hostname=host, port=port, data_size_limit=10 * 1024 * 1024
        )

    def start(self) -> BounceServer:
        """Start listening; OSError when the address cannot be bound (e.g. already taken)."""
        host, port = self.controller.hostname, self.controller.port
        try:
            with socket.socket(socket.AF_INET6 if ":" in str(host) else socket.AF_INET) as probe:
                probe.bind((host, port))  # fail here, before aiosmtpd runs its event loop
        except OSError:
            self.controller.loop.close()
            raise
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


class Mailbox(Protocol):
    """A mailbox bounces are delivered to: unread messages in, processed ones marked."""

    def unseen(self) -> Iterator[tuple[str, bytes]]: ...

    def done(self, uid: str) -> None: ...

    def close(self) -> None: ...


class ImapMailbox:
    """imaps://user:pass@host[:port]/FOLDER (or imap:// for plain IMAP on a trusted network)."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
        try:
            parts = urls.split(url)
        except ValueError as exc:
            raise InvalidInput(
                f"the bounce mailbox (--url or HEADLINES_BOUNCE_IMAP_URL): {exc}",
                field="HEADLINES_BOUNCE_IMAP_URL",
            ) from None
        try:
            given_port = parts.port  # ValueError past 65535 or not a number
        except ValueError:
            given_port = -1
        if (
            parts.scheme not in {"imap", "imaps"}
            or not parts.hostname
            or not parts.username
            or given_port == -1
        ):
            # The URL comes from `bounces poll --url` as often as from the setting: name both.
            raise InvalidInput(
                "the bounce mailbox (--url or HEADLINES_BOUNCE_IMAP_URL): expected "
                "imaps://user:pass@host[:port]/FOLDER, a port from 1 to 65535",
                field="HEADLINES_BOUNCE_IMAP_URL",
            )
        secure = parts.scheme == "imaps"
        port = given_port or (993 if secure else 143)
        try:
            self.conn: imaplib.IMAP4 = (
                imaplib.IMAP4_SSL(parts.hostname, port, timeout=timeout)
                if secure
                else imaplib.IMAP4(parts.hostname, port, timeout=timeout)
            )
            self.conn.login(unquote(parts.username), unquote(parts.password or ""))
            self.conn.select(unquote(parts.path.strip("/")) or "INBOX")
        except (TimeoutError, OSError, imaplib.IMAP4.error) as exc:
            raise InvalidInput(f"cannot open the bounce mailbox: {exc}") from None

    def unseen(self) -> Iterator[tuple[str, bytes]]:
        # imaplib hands back a server's NO or BAD as a status: a refused search read as
        # "nothing new" at every poll, without a word. Raised: `bounce_poll` names it.
        status, data = self.conn.uid("search", "UNSEEN")
        _ok(status, data, "searching for unread mail")
        for uid in (data[0] or b"").decode().split():
            status, fetched = self.conn.uid("fetch", uid, "(BODY.PEEK[])")
            _ok(status, fetched, f"reading message {uid}")
            for item in fetched:
                if isinstance(item, tuple):
                    yield uid, item[1]

    def done(self, uid: str) -> None:
        self.conn.uid("store", uid, "+FLAGS", "(\\Seen)")

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.conn.logout()


def _ok(status: str, data: list[Any], doing: str) -> None:
    if status != "OK":
        said = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise imaplib.IMAP4.error(f"the server refused {doing}: {status} {said}".strip())


ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To")


def _recipients(raw: bytes) -> list[str]:
    """The address a polled message was delivered to: the VERP address, if any header has it."""
    msg = BytesHeaderParser().parsebytes(raw)  # headers only: a body nested deep cannot trip it
    values = [str(v) for h in ENVELOPE_HEADERS for v in msg.get_all(h, [])]
    found = [addr for _, addr in getaddresses(values) if addr]
    return [a for a in found if is_ours(a)] or found[:1]


def bounce_poll(*, mailbox: Mailbox, failed: list[str] | None = None) -> list[BounceReport]:
    """Process every unread message in the mailbox; a message that fails stays unread, and is
    named in `failed` (for the command's exit status: it exited 0, as if all was well)."""
    reports = []
    try:
        for uid, raw in mailbox.unseen():
            try:
                reports.append(bounce_process(raw=raw, recipients=_recipients(raw)))
            except Exception as exc:
                log.exception("bounce mailbox: message %s could not be processed", uid)
                if failed is not None:
                    failed.append(f"message {uid}: {type(exc).__name__}: {exc} (left unread)")
                continue
            mailbox.done(uid)
    except (OSError, imaplib.IMAP4.error) as exc:
        # The server went away mid-poll (a dropped connection, a timeout): a traceback and
        # exit 3, "a bug", with what was done unsaid. What is still unread waits for the next.
        if failed is None:
            raise
        failed.append(f"the bounce mailbox: {exc or type(exc).__name__} (the rest left unread)")
    return reports
