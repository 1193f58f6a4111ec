from __future__ import annotations

import pytest
from django.conf import settings

from headlines.delivery import bounces
from headlines.delivery.message import unsubscribe_mailto, verp_address
from headlines.delivery.models import BounceEvent
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import Subscription, Suppression
from tests.delivery import factories
from tests.delivery.test_reliability import DSN

pytestmark = pytest.mark.django_db

ARF = """From: abuse@isp.example
To: {verp}
Subject: FW: complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="arf"

--arf
Content-Type: text/plain

This is an email abuse report.

--arf
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeISP/1.0
Version: 1
Original-Rcpt-To: {rcpt}

--arf
Content-Type: text/rfc822-headers

From: desk@news.example
To: {rcpt}
Subject: Tonight

--arf--
"""

SOFT_DSN = (
    DSN.replace("Action: failed", "Action: delayed")
    .replace("5.1.1", "4.2.2")
    .replace("550 5.1.1 user unknown", "452 4.2.2 mailbox full")
)


def suppressed(address: str) -> str | None:
    row = Suppression.objects.filter(email_hash=email_hash(address)).first()
    return row.reason if row else None


def setup_reader(address: str) -> tuple[Subscription, str]:
    ed = factories.edition()
    sub = factories.reader(ed, email=address)
    digest = factories.digest(ed)
    return sub, verp_address(digest_id=digest.pk, subscription_id=sub.pk, domain="news.example")


def test_a_hard_bounce_suppresses_at_once() -> None:
    _, verp = setup_reader("gone@example.org")
    report = bounces.bounce_process(
        raw=DSN.format(verp=verp, rcpt="gone@example.org").encode(), recipients=[verp]
    )
    assert (report.kind, report.suppressed) == ("hard", ("gone@example.org",))
    assert suppressed("gone@example.org") == "hard_bounce"


def test_soft_bounces_suppress_only_after_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SOFT_BOUNCE_LIMIT", 3)
    _, verp = setup_reader("full@example.org")
    raw = SOFT_DSN.format(verp=verp, rcpt="full@example.org").encode()
    for _ in range(2):
        assert bounces.bounce_process(raw=raw, recipients=[verp]).kind == "soft"
        assert suppressed("full@example.org") is None
    assert bounces.bounce_process(raw=raw, recipients=[verp]).suppressed == ("full@example.org",)
    assert suppressed("full@example.org") == "soft_bounces"


def test_an_arf_complaint_suppresses_at_once() -> None:
    _, verp = setup_reader("angry@example.org")
    report = bounces.bounce_process(
        raw=ARF.format(verp=verp, rcpt="angry@example.org").encode(), recipients=[verp]
    )
    assert report.kind == "complaint"
    assert suppressed("angry@example.org") == "complaint"


def test_a_complaint_without_verp_uses_the_reported_recipient() -> None:
    factories.reader(factories.edition(), email="angry2@example.org")
    raw = ARF.format(verp="abuse-desk@news.example", rcpt="angry2@example.org").encode()
    assert bounces.bounce_process(raw=raw, recipients=["fbl@news.example"]).kind == "complaint"
    assert suppressed("angry2@example.org") == "complaint"


def test_mail_to_the_unsubscribe_address_unsubscribes() -> None:
    sub, _ = setup_reader("done@example.org")
    mailto = unsubscribe_mailto(subscription_id=sub.pk, domain="news.example")
    address = mailto.removeprefix("mailto:").split("?")[0]
    report = bounces.bounce_process(raw=b"Subject: unsubscribe\r\n\r\n", recipients=[address])
    assert report.kind == "unsubscribe"
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.UNSUBSCRIBED


@pytest.mark.parametrize(
    "raw",
    [b"", b"garbage\x00\xff", b"Subject: hello\r\n\r\njust a reply, not a bounce\r\n"],
)
def test_junk_and_forged_addresses_change_nothing(raw: bytes) -> None:
    sub, verp = setup_reader("safe@example.org")
    forged = verp.replace(f".{sub.pk}.", f".{sub.pk + 1}.")
    for recipients in ([forged], ["someone@news.example"], []):
        report = bounces.bounce_process(raw=raw, recipients=recipients)
        assert report.suppressed == ()
    forged_unsub = f"unsubscribe+{sub.pk}.0000000000@news.example"
    assert bounces.bounce_process(raw=raw, recipients=[forged_unsub]).kind != "unsubscribe"
    assert not Suppression.objects.exists() and not BounceEvent.objects.exists()
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.CONFIRMED


@pytest.mark.parametrize("status", [b"5.1.1\x00 junk", b"5.1.1 \xff\xfe", b"5.1.1 \xed\xa0\x80"])
def test_a_report_in_bytes_no_database_stores_still_suppresses(status: bytes) -> None:
    # NUL (which PostgreSQL refuses in text) or undecodable bytes (which the mail parser keeps
    # as half characters) in a DSN field stopped the bounce from being recorded at all.
    _, verp = setup_reader("gone@example.org")
    raw = DSN.format(verp=verp, rcpt="gone@example.org").encode()
    raw = raw.replace(b"Status: 5.1.1", b"Status: " + status)
    assert bounces.bounce_process(raw=raw, recipients=[verp]).kind == "hard"
    assert suppressed("gone@example.org") == "hard_bounce"
    detail = BounceEvent.objects.get().detail
    assert detail.startswith("5.1.1") and "\x00" not in detail
    detail.encode("utf-8")  # storable: no half characters
