"""The editor's test send is built by the same builder as a reader's email, byte for byte but
for its own Message-ID."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from pathlib import Path

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.conf import settings

from headlines.core import clock
from headlines.core.dkim import load_key
from headlines.core.errors import Conflict, InvalidInput
from headlines.core.models import OutboxMessage
from headlines.delivery import services
from tests.conftest import SMTPPeer
from tests.delivery import factories

pytestmark = pytest.mark.django_db(transaction=True)
NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def dkim_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "dkim.pem"
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_DKIM_SELECTOR", "s1")
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_DKIM_KEY_FILE", path)


def test_an_editor_who_reads_the_edition_gets_exactly_their_readers_email(dkim_key: None) -> None:
    clock.set_clock(clock.FixedClock(NOON))
    ed = factories.edition()
    factories.readers(ed, 3)
    factories.reader(ed, email="editor@news.example")
    digest = factories.digest(ed)

    result = services.delivery_send_test(digest_id=digest.pk, to="editor@news.example")
    assert result.verdict == "sent"
    services.delivery_send_now(digest_id=digest.pk)

    tests = OutboxMessage.objects.filter(recipients="editor@news.example").order_by("id")
    test, real = (bytes(m.raw) for m in tests)
    assert test.startswith(b"DKIM-Signature:")
    # Headers, links and body alike; only the Message-ID (and the signature over it) is the
    # test's own: with the delivery's, a mailbox that holds the test (Gmail) dropped the real
    # digest as a copy, and the editor never saw it.
    assert _without_identity(test) == _without_identity(real)
    ids = [message_from_bytes(raw)["Message-ID"] for raw in (test, real)]
    assert ids[0] != ids[1]


def _without_identity(raw: bytes) -> bytes:
    """The message less its Message-ID and DKIM-Signature headers (folded lines included)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    kept, skipping = [], False
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t"):
            if not skipping:
                kept.append(line)
            continue
        skipping = line.lower().startswith((b"message-id:", b"dkim-signature:"))
        if not skipping:
            kept.append(line)
    return b"\r\n".join(kept) + b"\r\n\r\n" + body


def test_a_test_send_to_someone_else_links_to_the_web_page(smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition()
    digest = factories.digest(ed)
    result = services.delivery_send_test(digest_id=digest.pk, to="desk@elsewhere.example")
    assert result.verdict == "sent", result
    (received,) = smtp_messenger.to("desk@elsewhere.example")
    assert "[[" not in received.text() + received.html()
    assert received.message["DKIM-Signature"] is None
    # They read no edition, so there is nothing to unsubscribe them from: the test carried the
    # web page as its List-Unsubscribe (and a mailto for "subscription 0"), and a mail
    # program's Unsubscribe button posted to a page that refuses a POST.
    assert received.message["List-Unsubscribe"] is None
    assert received.message["List-Unsubscribe-Post"] is None
    assert received.message["List-Id"]


def test_a_test_to_someone_else_is_signed_and_has_no_unsubscribe_to_add(dkim_key: None) -> None:
    ed = factories.edition()
    digest = factories.digest(ed)
    services.delivery_send_test(digest_id=digest.pk, to="desk@elsewhere.example")
    raw = bytes(OutboxMessage.objects.get(recipients="desk@elsewhere.example").raw)
    record = _dns_record(Path(settings.CONFIG["HEADLINES_DKIM_KEY_FILE"]))

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return record

    parsed = message_from_bytes(raw)
    assert parsed["List-Unsubscribe"] is None and parsed["List-Unsubscribe-Post"] is None
    assert dkim.verify(raw, dnsfunc=dns)
    added = b"List-Unsubscribe: <https://evil.example/unsubscribe>\r\n"
    assert not dkim.verify(added + raw, dnsfunc=dns)


def _dns_record(path: Path) -> bytes:
    key = load_key(selector="s1", domain="news.example", pem=path.read_bytes())
    return key.dns_record().encode()


def test_each_test_to_someone_else_has_a_message_id_of_its_own() -> None:
    # Every test of a digest to someone who reads no edition carried the Message-ID of
    # "subscription 0": a mailbox that holds a message (Gmail) drops a later one with the same
    # id, so the test an editor sent after fixing a headline never showed up.
    ed = factories.edition()
    digest = factories.digest(ed)
    for _ in range(2):
        services.delivery_send_test(digest_id=digest.pk, to="desk@elsewhere.example")
    ids = [
        message_from_bytes(bytes(m.raw))["Message-ID"]
        for m in OutboxMessage.objects.filter(recipients="desk@elsewhere.example")
    ]
    assert len(ids) == 2 and ids[0] != ids[1]
    assert all(i.startswith("<") and i.endswith("@news.example>") for i in ids)


@pytest.mark.parametrize("to", ["", "no-at-sign", "a@b.org\r\nBcc: x@y.z"])
def test_a_bad_address_is_refused_and_nothing_is_sent(to: str) -> None:
    digest = factories.digest(factories.edition())
    with pytest.raises(InvalidInput):
        services.delivery_send_test(digest_id=digest.pk, to=to)
    assert not OutboxMessage.objects.exists()


def test_an_unrendered_digest_cannot_be_tested() -> None:
    digest = factories.digest(factories.edition())
    digest.html = ""
    digest.save()
    with pytest.raises(Conflict):
        services.delivery_send_test(digest_id=digest.pk, to="ed@news.example")


@pytest.mark.parametrize("reads_the_edition", [True, False])
def test_a_suppressed_address_gets_no_test(reads_the_edition: bool) -> None:
    # Every send checks the suppression first: an editor's address that bounced or complained
    # (or a reader's, suppressed since) was mailed the test all the same.
    from headlines.subscriptions.services import suppression_add

    ed = factories.edition()
    if reads_the_edition:
        factories.reader(ed, email="gone@news.example")
    digest = factories.digest(ed)
    suppression_add(email="Gone@NEWS.example", reason="complaint")
    with pytest.raises(Conflict, match="suppressed"):
        services.delivery_send_test(digest_id=digest.pk, to="gone@news.example")
    assert not OutboxMessage.objects.exists()


def test_a_test_to_an_international_domain_goes_to_its_ascii_form(
    smtp_messenger: SMTPPeer,
) -> None:
    # A staff account's address may have an international domain (the admin's Users page takes
    # `ed@bücher.example`): the relay's RCPT TO is ASCII, and the test crashed the page.
    digest = factories.digest(factories.edition())
    result = services.delivery_send_test(digest_id=digest.pk, to="ed@bücher.example")
    assert result.verdict == "sent", result
    (received,) = smtp_messenger.to("ed@xn--bcher-kva.example")
    assert received.message["To"] == "ed@xn--bcher-kva.example"


@pytest.mark.parametrize(
    ("to", "said"),
    [
        ("édi@example.com", "letters beyond ASCII before the @"),
        ("a b@example.com", "not an email address"),
        ("ed@news.example, desk@news.example", "not an email address"),
        ("Editor <ed@news.example>", "not an email address"),
        ("ed@", "not an email address"),
    ],
)
def test_a_staff_address_no_relay_takes_is_refused_saying_why(to: str, said: str) -> None:
    # The outbox stored each of these as "250 Ok" (a relay refuses them or cannot be told
    # them): the editor waited for a test that could never come.
    digest = factories.digest(factories.edition())
    with pytest.raises(InvalidInput, match=said) as refused:
        services.delivery_send_test(digest_id=digest.pk, to=to)
    assert "your staff account" in str(refused.value)
    assert not OutboxMessage.objects.exists()


def test_a_test_send_counts_the_editor_as_their_own_answer_says_reading_only_theirs() -> None:
    # Who gets per-reader parts was read for the whole edition for one test email (every
    # reader's engagement answers: 1 s at 500,000 readers); the editor's own rows say it.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from headlines.digests.models import OPEN_PLACEHOLDER as OPEN
    from headlines.engagement.services import edition_tracking_set, reader_tracking_choose

    clock.set_clock(clock.FixedClock(NOON))
    ed = factories.edition(privacy_url="https://news.example/privacy", privacy_version="2")
    others = factories.readers(ed, 5)
    yes = factories.reader(ed, email="editor@news.example")
    no = factories.reader(ed, email="subeditor@news.example")
    digest = factories.digest(ed, html=factories.HTML.replace("</body>", f"{OPEN}</body>"))
    edition_tracking_set(edition_id=ed.pk, per_reader=True, privacy_version="2")
    for subscription_id in [*others, yes.pk]:
        reader_tracking_choose(subscription_id=subscription_id, yes=True)
    reader_tracking_choose(subscription_id=no.pk, yes=False)

    with CaptureQueriesContext(connection) as queries:
        for to in ("editor@news.example", "subeditor@news.example", "desk@elsewhere.example"):
            assert services.delivery_send_test(digest_id=digest.pk, to=to).verdict == "sent"
    ledger = [q["sql"] for q in queries if "consentevent" in q["sql"].lower()]
    assert ledger and all('"subscriber_id" = ' in sql for sql in ledger), ledger
    services.delivery_send_now(digest_id=digest.pk)

    def sent(to: str) -> list[bytes]:
        rows = OutboxMessage.objects.filter(recipients=to).order_by("id")
        return [bytes(m.raw) for m in rows]

    def pixel(raw: bytes) -> bool:
        html = message_from_bytes(raw, policy=policy.default).get_body(("html",))
        return "/r/open/" in html.get_content()  # type: ignore[union-attr]

    test, real = sent("editor@news.example")
    assert pixel(test) and _without_identity(test) == _without_identity(real)
    test, real = sent("subeditor@news.example")
    assert not pixel(test) and _without_identity(test) == _without_identity(real)
    (elsewhere,) = sent("desk@elsewhere.example")
    assert not pixel(elsewhere)
