"""Fixtures every test can use: real local peers, never patches of our own code."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import cached_property
from typing import Any

import pytest

from headlines.core import clock, mail
from tests.isolation import inline_jobs_and_outbox
from tests.travel import (  # `pytest --travel-days=N`: the run with the wall clock moved ahead
    pytest_addoption,
    pytest_configure,
    pytest_report_header,
    pytest_unconfigure,
)

__all__ = ["pytest_addoption", "pytest_configure", "pytest_report_header", "pytest_unconfigure"]

IN_CI = os.environ.get("CI", "").lower() == "true"


# What gives a test the suite's database (pytest-django's mark and fixtures).
SUITE_DATABASE = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
    "admin_user",
    "admin_client",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked own_database runs in the SQLite suites only (`make test-postgres`
    deselects it): it must not use the suite's database, or the PostgreSQL suite would miss it."""
    wrong = [
        item.nodeid
        for item in items
        if item.get_closest_marker("own_database")
        and (
            item.get_closest_marker("django_db")
            or SUITE_DATABASE & set(getattr(item, "fixturenames", ()))
        )
    ]
    if wrong:
        raise pytest.UsageError(f"marked own_database but uses the suite's database: {wrong}")


def require(condition: bool, reason: str) -> None:
    """Skip when a local service or package is missing, except under CI=true, where it fails."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hasher() -> Iterator[None]:
    """Staff passwords made and checked inside the test process are hashed with MD5, as
    Django's testing guide advises: PBKDF2 at Django's 1,000,000 iterations costs 0.3-0.7 s of
    CPU a hash on these machines, and the admin and login tests make and check hundreds. The
    product and every child process a test starts (`headlines run`, the demo) keep PBKDF2."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _inline_jobs_and_outbox() -> Iterator[None]:
    """Jobs run inline and mail goes to the outbox unless a test installs something else."""
    with inline_jobs_and_outbox(clock.SystemClock()):
        yield


@dataclass
class ReceivedMail:
    envelope_from: str
    recipients: list[str]
    raw: bytes

    @cached_property
    def message(self) -> EmailMessage:
        """The message parsed when a test first reads it, not on receipt: most of the thousands
        a sending test receives are only counted by recipient (a parse is ~1 ms of CPU)."""
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""


class SMTPPeer:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives.

    `reply_for` lets a test make the server answer like a struggling or refusing relay.
    """

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[ReceivedMail] = []
        self.sessions: set[object] = set()  # the client end of each connection a message came on
        self.lock = threading.Lock()
        self.reply_for: Any = None  # callable(rcpt: str) -> str | None, e.g. "451 4.3.0 busy"
        self.data_delay = 0.0  # seconds before the reply to a message's final "." (a slow relay)
        self.mail_reply: str | None = None  # the reply to MAIL FROM, e.g. "553 5.1.8 no domain"
        peer = self

        class Handler:
            async def handle_MAIL(self, server, session, envelope, address, mail_options):
                if peer.mail_reply:
                    return peer.mail_reply
                envelope.mail_from = address  # what aiosmtpd does without this hook
                envelope.mail_options.extend(mail_options)
                return "250 OK"

            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                reply = peer.reply_for(address) if peer.reply_for else None
                if reply:
                    return reply
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if peer.data_delay:
                    await asyncio.sleep(peer.data_delay)
                with peer.lock:
                    peer.received.append(
                        ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
                    )
                    peer.sessions.add(session.peer)
                return "250 2.0.0 Message accepted"

        # aiosmtpd's readiness check connects to the given port, so it must be a real one.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            free_port = probe.getsockname()[1]
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=free_port)

    def start(self) -> SMTPPeer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def messenger(self) -> mail.SMTPMessenger:
        return mail.SMTPMessenger(mail.parse_smtp_urls(self.url), timeout=10)

    def to(self, address: str) -> list[ReceivedMail]:
        with self.lock:
            return [m for m in self.received if address in m.recipients]


@pytest.fixture
def smtp_peer() -> Iterator[SMTPPeer]:
    peer = SMTPPeer().start()
    yield peer
    peer.stop()


@pytest.fixture
def smtp_messenger(smtp_peer: SMTPPeer) -> Iterator[SMTPPeer]:
    """Install a messenger that delivers to the aiosmtpd peer; yields the peer to read from."""
    messenger = smtp_peer.messenger()
    previous = mail.set_messenger(messenger)
    yield smtp_peer
    messenger.close()
    mail.set_messenger(previous)


CHROMIUM = "/usr/bin/chromium"
# The flags keep Chromium off the network it would otherwise call home to (this machine has none).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; Playwright never downloads a browser."""
    require(os.path.exists(CHROMIUM), "Debian's chromium is not installed (make system-deps)")
    # Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests
    # make between page actions are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    yield page
    context.close()
