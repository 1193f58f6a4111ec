"""DKIM signing of transactional mail (`sign_message`), checked by dkimpy."""

from __future__ import annotations

import dkim
import pytest

from headlines.core import mail
from headlines.core.dkim import sign_message
from tests.delivery import factories


def confirmation() -> bytes:
    message = mail.build_message(
        from_addr="US Evening Headlines <desk@news.example>",
        to="reader@example.org",
        subject="Please confirm your US Evening Headlines email",
        text="Confirm: https://news.example/confirm/x/",
        html='<p><a href="https://news.example/confirm/x/">Confirm</a></p>',
    )
    return mail.wire_bytes(message)


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_a_header_added_to_a_signed_confirmation_breaks_its_signature(kind: str) -> None:
    # Each header was signed as often as it occurred: a relay could add a second From or
    # Subject above it, or a Reply-To or List-Unsubscribe the message never had, and the
    # signature still verified.
    key = factories.dkim_key(kind)
    signed = sign_message(confirmation(), key)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return key.dns_record().encode()

    assert dkim.verify(signed, dnsfunc=dns)
    for name in ("From", "To", "Subject", "Date", "Message-ID", "Reply-To", "List-Unsubscribe"):
        added = f"{name}: Reply with your password <thief@evil.example>\r\n".encode()
        assert not dkim.verify(added + signed, dnsfunc=dns), name
