from __future__ import annotations

import email
import re
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from django.conf import settings

from headlines.core.dkim import load_key
from headlines.core.errors import InvalidInput
from headlines.delivery import message
from headlines.subscriptions.audience import Recipient, audience_recipients
from headlines.subscriptions.links import read_token
from tests.delivery import factories

pytestmark = pytest.mark.django_db


def reader_of(subscription_id: int) -> Recipient:
    return audience_recipients(subscription_ids=[subscription_id])[subscription_id]


def parse(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def body(parsed: EmailMessage, kind: str) -> str:
    part = parsed.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def test_each_reader_gets_their_own_links_and_headers() -> None:
    ed = factories.edition(name="US Evening Headlines", reply_to="letters@news.example")
    sub = factories.reader(ed, email="ana@example.org")
    digest = factories.digest(ed, subject="Tonight: Café talks")
    template = message.DigestTemplate(digest)

    out = template.render(reader_of(sub.pk))
    parsed = parse(out.raw)

    assert parsed["To"] == "ana@example.org" and parsed["Subject"] == "Tonight: Café talks"
    assert parsed["From"] == "US Evening Headlines <desk@news.example>"
    assert parsed["Reply-To"] == "letters@news.example"
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Message-ID"] == out.message_id and parsed["Date"]
    assert parsed["List-Id"] == f"US Evening Headlines <{ed.list_id}>" and ed.list_id
    assert parsed["Feedback-ID"].startswith(f"{digest.pk}:{ed.slug}:")
    https, mailto = (p.strip(" <>") for p in parsed["List-Unsubscribe"].split(","))
    assert https.startswith(settings.BASE_URL + "/unsubscribe/")
    assert read_token("unsubscribe", https.rstrip("/").rsplit("/", 1)[1]) == sub.pk
    assert mailto.startswith("mailto:unsubscribe+")
    assert message.read_unsubscribe_address(mailto[len("mailto:") :].split("?")[0]) == sub.pk
    # The links inside both parts are the reader's own, whole, whatever their length.
    assert f"Unsubscribe: {https}\n" in body(parsed, "plain")
    assert f'href="{https}"' in body(parsed, "html") and "Café talks" in body(parsed, "html")
    assert "[[" not in body(parsed, "plain") + body(parsed, "html")
    assert message.read_verp(out.envelope_from) == (digest.pk, sub.pk)
    assert max(len(line) for line in out.raw.split(b"\r\n")) <= 998


@pytest.mark.parametrize("kind", ["none", "rsa", "ed25519"])
def test_a_name_and_subject_in_chinese_arabic_and_emoji_are_encoded_words(kind: str) -> None:
    # The From of an edition named "晚间新闻 🌙 نشرة" went out as raw UTF-8 (invalid without
    # SMTPUTF8), and a long subject as one encoded word of 200 characters (RFC 2047: 75).
    name = "晚间新闻 🌙 نشرة"
    subject = f"{name}: 特朗普抨击克里在伊朗协议上的影子外交\uff0c" + "新闻" * 40 + " — عاجل 🚨"
    desk = f"{name}, the evening desk 晚间新闻编辑部"
    ed = factories.edition(name=name, from_name=desk)
    sub = factories.reader(ed, email="li@example.org")
    digest = factories.digest(ed, subject=subject)
    key = None if kind == "none" else factories.dkim_key(kind)
    out = message.DigestTemplate(digest, dkim=key).render(reader_of(sub.pk))

    head = out.raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    words = re.findall(rb"=\?[^?]+\?[bqBQ]\?[^?]*\?=", head)
    assert words and max(len(w) for w in words) <= 75
    assert max(len(line) for line in head.split(b"\r\n")) <= 998
    # Decoded as RFC 2047 6.2 says, blanks between encoded words dropped, as mail readers do.
    raw = email.message_from_bytes(out.raw, policy=policy.compat32)
    assert str(make_header(decode_header(raw["From"]))) == f"{desk} <desk@news.example>"
    assert str(make_header(decode_header(raw["Subject"]))) == subject
    assert parse(out.raw)["List-Id"] == f"{name} <{ed.list_id}>"
    if key is not None:
        record = key.dns_record().encode()
        assert dkim.verify(out.raw, dnsfunc=lambda name, timeout=5: record)


def test_forged_verp_and_unsubscribe_addresses_are_not_ours() -> None:
    real = message.verp_address(digest_id=3, subscription_id=4, domain="b.example")
    assert message.read_verp(real) == (3, 4)
    for forged in [
        real.replace("+3.4.", "+3.5."),
        "bounce+3.4.000000000000@b.example",
        "bounce+x.y.z@b.example",
        "bounce+3.4.\u00e9@b.example",  # not ASCII: compare_digest raised TypeError
        "bounce+\u00b2.4.abc@b.example",  # "²".isdigit(), but no int
        "someone@b.example",
        "",
    ]:
        assert message.read_verp(forged) is None
    assert message.read_unsubscribe_address("unsubscribe+9.deadbeef@b.example") is None
    assert message.read_unsubscribe_address("unsubscribe+9.\u00e9@b.example") is None
    assert message.read_unsubscribe_address("unsubscribe+\u0663.abc@b.example") is None


def test_a_header_injection_through_a_stored_address_is_refused() -> None:
    ed = factories.edition()
    digest = factories.digest(ed)
    with pytest.raises(InvalidInput):
        message.DigestTemplate(digest).render(
            Recipient(1, "a@b.org\r\nBcc: x@y.z", (), "https://x.example/u", "https://x.example/p")
        )


def _pem(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_dkim_signature_verifies_with_dkimpy(kind: str) -> None:
    key = factories.dkim_key(kind, selector="eh2026")
    ed = factories.edition()
    sub = factories.reader(ed)
    digest = factories.digest(ed, subject="Tonight: Café talks")
    out = message.DigestTemplate(digest, dkim=key).render(reader_of(sub.pk))

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"eh2026._domainkey.news.example."
        return key.dns_record().encode()

    assert out.raw.startswith(b"DKIM-Signature: v=1; a=" + key.algorithm.encode())
    assert dkim.verify(out.raw, dnsfunc=dns)
    for signed in (b"List-Unsubscribe", b"Message-ID", b"From", b"Feedback-ID"):
        assert signed.lower() in out.raw.split(b"h=", 1)[1].split(b";", 1)[0]
    tampered = out.raw.replace(b"Tonight", b"Tonite", 1)
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_a_large_rsa_signature_over_a_long_domain_keeps_every_line_under_998() -> None:
    # The DKIM-Signature went out as one line: with an RSA-4096 key (accepted, as any of 1,024
    # bits or more) and a From domain of 56 characters it ran past RFC 5322's 998 octets.
    domain = "newsletters.evening-headlines-publishing.example.co.uk"
    private = rsa.generate_private_key(public_exponent=65537, key_size=4096)
    key = load_key(selector="eh2026-rsa4096", domain=domain, pem=_pem(private))
    ed = factories.edition(from_address=f"desk@{domain}")
    digest = factories.digest(ed, subject="Tonight: Café talks")
    out = message.DigestTemplate(digest, dkim=key).render(reader_of(factories.reader(ed).pk))

    assert max(len(line) for line in out.raw.split(b"\r\n")) <= 998
    assert dkim.verify(out.raw, dnsfunc=lambda name, timeout=5: key.dns_record().encode())
    # A relay that re-folds the header (or a client that unfolds it) leaves it valid.
    signature, rest = out.raw.split(b"\r\nFrom:", 1)
    unfolded = signature.replace(b"\r\n\t", b" ") + b"\r\nFrom:" + rest
    assert dkim.verify(unfolded, dnsfunc=lambda name, timeout=5: key.dns_record().encode())


def test_configured_key_file_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "dkim.pem"
    path.write_bytes(_pem(ed25519.Ed25519PrivateKey.generate()))
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_DKIM_SELECTOR", "s1")
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_DKIM_KEY_FILE", path)
    digest = factories.digest(factories.edition())
    template = message.DigestTemplate.for_digest(digest)
    assert template.dkim is not None and template.dkim.domain == "news.example"


@pytest.mark.parametrize("pem", [b"", b"not a key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n"])
def test_a_bad_key_is_a_clear_error(pem: bytes) -> None:
    with pytest.raises(InvalidInput, match="DKIM"):
        load_key(selector="s", domain="news.example", pem=pem)


# What a mail reader shows or acts on: a second copy of any of these, added by whoever relays
# the message, must break the signature (RFC 6376 8.15).
SHOWN = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "MIME-Version",
    "Content-Type",
)


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_a_header_added_after_signing_breaks_the_signature(kind: str) -> None:
    # Each header was signed once: a relay could put a second Subject or From above it, which
    # a mail reader may show, and the signature still verified.
    key = factories.dkim_key(kind)
    ed = factories.edition(reply_to="letters@news.example")
    digest = factories.digest(ed, subject="Tonight: Café talks")
    out = message.DigestTemplate(digest, dkim=key).render(reader_of(factories.reader(ed).pk))

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return key.dns_record().encode()

    assert dkim.verify(out.raw, dnsfunc=dns)
    signature, rest = out.raw.split(b"\r\nFrom:", 1)
    for name in SHOWN:
        added = f"{name}: Your account is suspended, reply with your password\r\n".encode()
        assert not dkim.verify(added + out.raw, dnsfunc=dns), name
        # Below the signature too (a relay appending to the header block).
        below = signature + b"\r\n" + added + b"From:" + rest
        assert not dkim.verify(below, dnsfunc=dns), name
