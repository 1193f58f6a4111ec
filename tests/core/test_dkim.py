"""DKIM signing of transactional mail (`sign_message`), checked by dkimpy."""

from __future__ import annotations

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from headlines.core import mail
from headlines.core.dkim import DKIMKey, load_key, sign_message


def key_of(kind: str) -> DKIMKey:
    private = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ed25519.Ed25519PrivateKey.generate()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return load_key(selector="s1", domain="news.example", pem=pem)


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
    key = key_of(kind)
    signed = sign_message(confirmation(), key)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return key.dns_record().encode()

    assert dkim.verify(signed, dnsfunc=dns)
    for name in ("From", "To", "Subject", "Date", "Message-ID", "Reply-To", "List-Unsubscribe"):
        added = f"{name}: Reply with your password <thief@evil.example>\r\n".encode()
        assert not dkim.verify(added + signed, dnsfunc=dns), name
