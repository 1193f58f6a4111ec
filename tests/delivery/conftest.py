"""Fixtures of the delivery tests: a ledger-friendly configuration and a counting SMTP peer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings

from tests.conftest import SMTPPeer, port_open, require
from tests.delivery.children import drop_postgres, fresh_postgres_url


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Retries in tens of milliseconds so the retry tests take seconds, not hours."""
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_RETRY_BASE_SECONDS", 0.05)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_RETRY_MAX_SECONDS", 0.2)
    # Several sender threads, as in production: they contend for the ledger on both databases.
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_DELIVERY_THREADS", 3)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_DELIVERY_BATCH", 20)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_DELIVERY_FLUSH", 5)
    yield


def advertise_pipelining(peer: SMTPPeer) -> SMTPPeer:
    """Make the aiosmtpd peer offer PIPELINING (RFC 2920) as Postfix does, so the delivery
    tests take the same pipelined path production relays get. aiosmtpd reads commands in
    order either way; it just does not advertise the extension by default."""

    async def handle_EHLO(server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    peer.controller.handler.handle_EHLO = handle_EHLO
    return peer


@pytest.fixture
def smtp_peer() -> Iterator[SMTPPeer]:
    """The shared aiosmtpd peer, offering PIPELINING."""
    peer = advertise_pipelining(SMTPPeer()).start()
    yield peer
    peer.stop()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated and empty, for an installation in other processes."""
    require(port_open("127.0.0.1", 5432), "PostgreSQL is not running on 127.0.0.1:5432")
    url = fresh_postgres_url(migrated=True)
    yield url
    drop_postgres(url)
