from __future__ import annotations

import base64
import datetime as dt
import zlib

import pytest
from django.conf import settings

from headlines.core import clock
from headlines.delivery import bounces
from headlines.delivery.message import unsubscribe_mailto, verp_address
from headlines.delivery.models import BounceEvent, Delivery
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


def soft_bounces_on_three_evenings(address: str) -> list[tuple[str, bytes]]:
    """(VERP, DSN) of a soft bounce of three digests, one each evening, to one reader."""
    sub, _ = setup_reader(address)
    found = []
    for day in (26, 27, 28):
        digest = factories.digest(sub.edition, day=dt.date(2026, 11, day))
        Delivery.objects.create(
            digest=digest, subscription=sub, next_attempt_at=clock.now(), deadline=clock.now()
        )
        verp = verp_address(digest_id=digest.pk, subscription_id=sub.pk, domain="news.example")
        found.append((verp, SOFT_DSN.format(verp=verp, rcpt=address).encode()))
    return found


def test_soft_bounces_suppress_only_after_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SOFT_BOUNCE_LIMIT", 3)
    evenings = soft_bounces_on_three_evenings("full@example.org")
    for verp, raw in evenings[:2]:
        assert bounces.bounce_process(raw=raw, recipients=[verp]).kind == "soft"
        assert suppressed("full@example.org") is None
    verp, raw = evenings[2]
    assert bounces.bounce_process(raw=raw, recipients=[verp]).suppressed == ("full@example.org",)
    assert suppressed("full@example.org") == "soft_bounces"


@pytest.mark.parametrize(
    ("status", "diagnostic"),
    [
        ("5.2.2", "552 5.2.2 mailbox full"),
        ("5.2.2", "552 5.2.2 user is over quota"),
        ("5.0.0", "552 Requested mail action aborted: exceeded storage allocation"),
    ],
)
def test_a_failure_report_that_the_mailbox_is_full_is_a_soft_bounce(
    monkeypatch: pytest.MonkeyPatch, status: str, diagnostic: str
) -> None:
    # A full mailbox is the reader's for an evening, not for good: a failed DSN saying so
    # suppressed the reader at once; it counts toward the limit as a delay warning does.
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SOFT_BOUNCE_LIMIT", 3)
    failed = DSN.replace("Status: 5.1.1", f"Status: {status}").replace(
        "550 5.1.1 user unknown", diagnostic
    )
    sub, _ = setup_reader("full@example.org")
    for day in (26, 27, 28):
        digest = factories.digest(sub.edition, day=dt.date(2026, 11, day))
        Delivery.objects.create(
            digest=digest, subscription=sub, next_attempt_at=clock.now(), deadline=clock.now()
        )
        verp = verp_address(digest_id=digest.pk, subscription_id=sub.pk, domain="news.example")
        raw = failed.format(verp=verp, rcpt="full@example.org").encode()
        report = bounces.bounce_process(raw=raw, recipients=[verp])
        assert report.kind == "soft"
        assert suppressed("full@example.org") == (None if day < 28 else "soft_bounces")


def test_repeated_delay_warnings_about_one_digest_count_as_one_soft_bounce(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A receiving MTA warns "delayed" after 4 hours, a day and two days about the same message:
    # three reports of one late digest suppressed a reader whose mail was only slow.
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SOFT_BOUNCE_LIMIT", 3)
    [(verp, raw), *later] = soft_bounces_on_three_evenings("slow@example.org")
    for _ in range(4):
        assert bounces.bounce_process(raw=raw, recipients=[verp]).kind == "soft"
    assert suppressed("slow@example.org") is None
    assert BounceEvent.objects.count() == 4  # every report is still kept
    for verp, raw in later:
        bounces.bounce_process(raw=raw, recipients=[verp])
    assert suppressed("slow@example.org") == "soft_bounces"


def test_delay_warnings_about_one_confirmation_email_count_as_one_soft_bounce(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A sign-up email's VERP address names no digest, so its reports have no delivery: three
    # "delayed" warnings about one slow confirmation suppressed the address for good (and a
    # suppressed address cannot sign up again).
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SOFT_BOUNCE_LIMIT", 3)
    sub = factories.reader(factories.edition(), email="slow@example.org", status="pending")
    verp = verp_address(digest_id=0, subscription_id=sub.pk, domain="news.example")
    raw = SOFT_DSN.format(verp=verp, rcpt="slow@example.org").encode()
    for _ in range(4):
        assert bounces.bounce_process(raw=raw, recipients=[verp]).kind == "soft"
    assert suppressed("slow@example.org") is None
    assert BounceEvent.objects.filter(delivery__isnull=True).count() == 4  # all still kept


def test_an_arf_complaint_suppresses_at_once() -> None:
    _, verp = setup_reader("angry@example.org")
    report = bounces.bounce_process(
        raw=ARF.format(verp=verp, rcpt="angry@example.org").encode(), recipients=[verp]
    )
    assert report.kind == "complaint"
    assert suppressed("angry@example.org") == "complaint"


@pytest.mark.parametrize("feedback_type", ["not-spam", "Auth-Failure"])
def test_a_feedback_report_that_is_no_complaint_suppresses_nobody(feedback_type: str) -> None:
    # RFC 6430's not-spam is a reader taking the digest out of the spam folder, RFC 6591's
    # auth-failure a DMARC failure report about our mail: both are ARF reports, and both
    # suppressed the reader as a spam complaint.
    _, verp = setup_reader("fond@example.org")
    raw = ARF.format(verp=verp, rcpt="fond@example.org").replace("Type: abuse", "Type: ")
    raw = raw.replace("Feedback-Type: ", f"Feedback-Type: {feedback_type}")
    report = bounces.bounce_process(raw=raw.encode(), recipients=[verp])
    assert report.kind == "ignored" and feedback_type.lower() in report.detail
    assert suppressed("fond@example.org") is None and not BounceEvent.objects.exists()


def test_a_complaint_without_verp_is_known_by_the_signed_address_in_its_returned_headers() -> None:
    # A feedback loop reports to its own mailbox, not the VERP address; the original's headers
    # it returns carry our List-Unsubscribe mailto, whose MAC says which reader it was.
    sub = factories.reader(factories.edition(), email="angry2@example.org")
    mailto = unsubscribe_mailto(subscription_id=sub.pk, domain="news.example")
    raw = ARF.format(verp="abuse-desk@news.example", rcpt="angry2@example.org")
    raw = raw.replace("Subject: Tonight\n", f"Subject: Tonight\nList-Unsubscribe: <{mailto}>\n")
    report = bounces.bounce_process(raw=raw.encode(), recipients=["fbl@news.example"])
    assert (report.kind, report.suppressed) == ("complaint", ("angry2@example.org",))
    assert suppressed("angry2@example.org") == "complaint"


def test_a_bounce_at_another_readers_verp_address_counts_only_for_that_reader() -> None:
    _, verp = setup_reader("sender@example.org")
    other = factories.reader(factories.edition(), email="other@example.org")
    raw = DSN.format(verp=verp, rcpt="other@example.org").encode()
    report = bounces.bounce_process(raw=raw, recipients=[verp])
    assert report.suppressed == ("sender@example.org",)
    assert suppressed("other@example.org") is None
    assert other.subscriber.subscriptions.get().status == Subscription.Status.CONFIRMED


def test_a_returned_message_with_our_verp_return_path_is_attributed() -> None:
    # An MTA that bounces to the From address instead of the envelope sender: the message it
    # returns still carries the Return-Path our VERP address was.
    _, verp = setup_reader("gone@example.org")
    raw = DSN.format(verp="desk@news.example", rcpt="gone@example.org").replace(
        "--b1--",
        f"--b1\nContent-Type: message/rfc822\n\nReturn-Path: <{verp}>\n"
        "From: desk@news.example\nSubject: Tonight\n\nTonight's news\n\n--b1--",
    )
    report = bounces.bounce_process(raw=raw.encode(), recipients=["desk@news.example"])
    assert (report.kind, report.suppressed) == ("hard", ("gone@example.org",))


def test_holiday_auto_replies_to_the_verp_address_are_not_bounces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # RFC 3834 auto-replies go to the envelope sender: three holidays counted as three soft
    # bounces and suppressed a reader who was only away.
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SOFT_BOUNCE_LIMIT", 3)
    _, verp = setup_reader("away@example.org")
    reply = (
        f"From: away@example.org\r\nTo: {verp}\r\nAuto-Submitted: auto-replied\r\n"
        "Subject: Out of office: Tonight\r\n\r\nI am away until Monday.\r\n"
    ).encode()
    for _ in range(4):
        assert bounces.bounce_process(raw=reply, recipients=[verp]).kind == "ignored"
    assert suppressed("away@example.org") is None and not BounceEvent.objects.exists()


QMAIL = """From: MAILER-DAEMON@mx.example.org
To: {verp}
Subject: failure notice

Hi. This is the qmail-send program at mx.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<gone@example.org>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Subject: Tonight
"""


@pytest.mark.parametrize("action", ["delivered", "relayed", "expanded"])
def test_a_success_notice_is_no_bounce(action: str) -> None:
    # A DSN whose status is 2.x.x says the digest arrived (or went on): it counted as a soft
    # bounce, and three of them suppressed a reader whose mail was arriving.
    _, verp = setup_reader("fine@example.org")
    raw = (
        DSN.format(verp=verp, rcpt="fine@example.org")
        .replace("Action: failed", f"Action: {action}")
        .replace("5.1.1", "2.0.0")
        .replace("550 2.0.0 user unknown", "250 2.0.0 ok")
    )
    report = bounces.bounce_process(raw=raw.encode(), recipients=[verp])
    assert report.kind == "ignored" and not BounceEvent.objects.exists()


def test_a_non_standard_qmail_bounce_at_the_verp_address_is_hard() -> None:
    _, verp = setup_reader("gone@example.org")
    report = bounces.bounce_process(raw=QMAIL.format(verp=verp).encode(), recipients=[verp])
    assert (report.kind, report.suppressed) == ("hard", ("gone@example.org",))


@pytest.mark.parametrize(
    "body",
    [
        # A zip "bomb": a small attachment that would unpack to gigabytes; nothing unpacks it.
        "Content-Type: application/zip\nContent-Transfer-Encoding: base64\n\n"
        + base64.encodebytes(zlib.compress(b"\0" * 5_000_000)).decode(),
        # A charset no codec knows, and bytes that are not what it says.
        'Content-Type: text/plain; charset="x-no-such-charset"\n\n\xff\xfe not text',
        # A part that claims base64 and is not.
        "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64!!!",
    ],
)
def test_hostile_attachments_in_a_report_are_read_safely(body: str) -> None:
    _, verp = setup_reader("gone@example.org")
    raw = DSN.format(verp=verp, rcpt="gone@example.org")
    raw = raw.replace("--b1--", f"--b1\n{body}\n--b1--")
    report = bounces.bounce_process(raw=raw.encode("utf-8", "surrogateescape"), recipients=[verp])
    assert (report.kind, report.suppressed) == ("hard", ("gone@example.org",))


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


def test_a_bounce_without_a_from_header_is_read_and_logs_no_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, verp = setup_reader("nofrom@example.org")
    dsn = DSN.format(verp=verp, rcpt="nofrom@example.org")
    raw = "\n".join(line for line in dsn.split("\n") if not line.startswith("From:")).encode()
    assert not raw.startswith(b"From:") and b"\nFrom:" not in raw
    with caplog.at_level("WARNING"):
        report = bounces.bounce_process(raw=raw, recipients=[verp])
        bounces.bounce_process(raw=b"Subject: hello\r\n\r\njust a reply\r\n", recipients=[verp])
    assert report.suppressed == ("nofrom@example.org",)
    assert not any(r.exc_info for r in caplog.records)
