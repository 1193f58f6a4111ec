"""Bounces, complaints and mailed unsubscribes arriving at the bounce domain.

Every digest goes out with a per-reader VERP envelope sender (`bounce+<digest>.<sub>.<mac>@…`),
so a bounce names the delivery it is about even when the remote server's report is vague.
DSNs are read with flufl.bounce, ARF complaints (RFC 5965) by their `feedback-report` part.
Who a report is about comes only from our own MAC'd addresses (the VERP it was sent to, or the
VERP or unsubscribe mailto in the headers it returns), never from addresses in its text.
Hard bounces and complaints suppress at once; soft bounces after HEADLINES_SOFT_BOUNCE_LIMIT
within 30 days. The same `bounce_process` serves the SMTP endpoint and the IMAP poller.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message

from django.conf import settings
from django.db import transaction
from flufl.bounce import all_failures

from headlines.core import clock, events
from headlines.core.errors import NotFound
from headlines.core.storable import storable
from headlines.delivery.channels import mailbox_full
from headlines.delivery.message import read_unsubscribe_address, read_verp
from headlines.delivery.models import BounceEvent, Delivery
from headlines.subscriptions.hashing import email_hash, without_addresses
from headlines.subscriptions.selectors import subscription_email
from headlines.subscriptions.services import suppression_add

log = logging.getLogger(__name__)
Kind = BounceEvent.Kind
SOFT_WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class BounceReport:
    """What one incoming message turned out to be and what was done about it."""

    kind: str  # hard | soft | complaint | unsubscribe | ignored
    addresses: tuple[str, ...] = ()
    suppressed: tuple[str, ...] = ()
    detail: str = ""


def is_ours(address: str) -> bool:
    """Does the endpoint accept mail for this recipient? (VERP and mailto-unsubscribe only.)"""
    return read_verp(address) is not None or read_unsubscribe_address(address) is not None


def _email_of(subscription_id: int) -> str | None:
    return subscription_email(subscription_id=subscription_id)


def _is_complaint(msg: Message) -> bool:
    if msg.get_content_type() != "multipart/report":
        return False
    if str(msg.get_param("report-type", "")).lower() == "feedback-report":
        return True
    return any(p.get_content_type() == "message/feedback-report" for p in msg.walk())


# Feedback types (RFC 6430, RFC 6591) that are no reader's complaint: a reader taking the digest
# out of the spam folder, and a DMARC failure report about our mail's authentication.
NOT_COMPLAINTS = frozenset({"not-spam", "auth-failure"})


def _feedback_type(msg: Message) -> str:
    """The report's Feedback-Type, lower case ("" when it has none)."""
    for part in msg.walk():
        if part.get_content_type() != "message/feedback-report":
            continue
        payload = part.get_payload()
        first = payload[0] if isinstance(payload, list) and payload else None
        fields = first if isinstance(first, Message) else part
        return str(fields.get("Feedback-Type", "")).strip().lower()
    return ""


def _verp_target(recipients: list[str]) -> tuple[bool, int | None, str | None]:
    """(a VERP address of ours was among them, its delivery, its reader's address now)."""
    for rcpt in recipients:
        ref = read_verp(rcpt)
        if ref is not None:
            digest_id, subscription_id = ref
            delivery_id = (
                Delivery.objects.filter(digest_id=digest_id, subscription_id=subscription_id)
                .values_list("id", flat=True)
                .first()
            )
            return True, delivery_id, _email_of(subscription_id)
    return False, None, None


# Our signed addresses as a returned message carries them: its Return-Path (VERP) and its
# List-Unsubscribe mailto. Candidates only: read_verp and read_unsubscribe_address check the MAC.
_SIGNED = re.compile(
    rb"(?:bounce\+\d{1,18}\.\d{1,18}|unsubscribe\+\d{1,18})\.[0-9a-f]{1,64}@[\w.-]{1,253}"
)
_SCAN_PARTS = 50  # a report has three or four; more is junk, not worth decoding


def _signed_target(msg: Message, raw: bytes) -> tuple[int | None, str | None]:
    """The reader a report is about, from a signed address of ours in the message it returns.

    A report that reached us other than at a VERP address (a feedback loop's mailbox, a
    bounce sent to the From address) names its recipient in plain text, which anyone can
    write: a forged DSN or ARF report naming any reader suppressed them. Only our own MAC'd
    addresses in the returned headers say who it was really sent to."""
    texts = [raw]
    for n, part in enumerate(msg.walk()):
        if n >= _SCAN_PARTS:
            break
        payload = part.get_payload(decode=True) if not part.is_multipart() else None
        if isinstance(payload, bytes):
            texts.append(payload)
    for text in texts:
        for found in _SIGNED.findall(text):
            address = found.decode("ascii", "replace")
            _, delivery_id, email = _verp_target([address])
            if email:
                return delivery_id, email
            subscription_id = read_unsubscribe_address(address)
            if subscription_id is not None and (email := _email_of(subscription_id)):
                return None, email
    return None, None


def _unsubscribe(subscription_id: int) -> None:
    """A mail to the List-Unsubscribe mailto: address. The sign-up app owns unsubscribing."""
    from headlines.subscriptions.services import subscription_unsubscribe

    subscription_unsubscribe(subscription_id=subscription_id, source="bounce")


@transaction.atomic
def bounce_note(*, email: str, kind: str, delivery_id: int | None, detail: str) -> bool:
    """Record one bounce or complaint; returns True when the address is now suppressed."""
    suppressed = _bounce_note(email=email, kind=kind, delivery_id=delivery_id, detail=detail)
    events.publish(
        events.DELIVERY_COMPLAINED if kind == Kind.COMPLAINT else events.DELIVERY_BOUNCED,
        {"email": email, "kind": kind, "delivery_id": delivery_id, "suppressed": suppressed},
    )
    return suppressed


def _bounce_note(*, email: str, kind: str, delivery_id: int | None, detail: str) -> bool:
    hashed = email_hash(email)
    # A reply or DSN field, as any mail server wrote it; the address it often names is not
    # kept beside the hash (it would outlive the reader's erasure).
    detail = without_addresses(storable(detail))
    BounceEvent.objects.create(
        email_hash=hashed, kind=kind, delivery_id=delivery_id, detail=detail[:2000]
    )
    if kind == Kind.HARD:
        suppression_add(email=email, reason="hard_bounce", detail=detail)
        return True
    if kind == Kind.COMPLAINT:
        suppression_add(email=email, reason="complaint", detail=detail)
        return True
    soft = BounceEvent.objects.filter(
        email_hash=hashed, kind=Kind.SOFT, created_at__gte=clock.now() - SOFT_WINDOW
    )
    # One message counts once: an MTA warns "delayed" after 4 hours, a day, two days about
    # the same digest, and three warnings about one delayed digest suppressed the reader.
    # Reports with no delivery (about a sign-up email, whose VERP names no digest, or known
    # only by the unsubscribe mailto) cannot be told apart: together they count once, or
    # three warnings about one slow confirmation suppressed the address for good.
    recent = soft.exclude(delivery__isnull=True).values("delivery_id").distinct().count() + int(
        soft.filter(delivery__isnull=True).exists()
    )
    if recent >= int(settings.CONFIG["HEADLINES_SOFT_BOUNCE_LIMIT"]):
        suppression_add(email=email, reason="soft_bounces", detail=f"{recent} soft bounces")
        return True
    return False


def bounce_record_refusal(*, delivery_id: int, reply: str, kind: str = Kind.HARD) -> None:
    """A relay refused a digest during the SMTP dialogue: a hard bounce (a 5xx about the
    reader) or a soft one (their mailbox is full). A full mailbox is tried again until the
    reader's window closes; the delivery's first such refusal is noted, not every retry's."""
    if (
        kind == Kind.SOFT
        and BounceEvent.objects.filter(delivery_id=delivery_id, kind=kind).exists()
    ):
        return
    email = (
        Delivery.objects.filter(pk=delivery_id)
        .values_list("subscription__subscriber__email", flat=True)
        .first()
    )
    if email:
        bounce_note(email=email, kind=kind, delivery_id=delivery_id, detail=reply)


def bounce_process(*, raw: bytes, recipients: list[str]) -> BounceReport:
    """Act on one message received at the bounce domain."""
    for rcpt in recipients:
        subscription_id = read_unsubscribe_address(rcpt)
        if subscription_id is not None:
            try:
                _unsubscribe(subscription_id)
            except NotFound:  # the reader was erased since: there is nobody left to unsubscribe
                return BounceReport("ignored", detail=f"subscription {subscription_id} is gone")
            return BounceReport("unsubscribe", (rcpt,), detail=f"subscription {subscription_id}")
    msg = _parsed(raw)
    if msg is None:
        log.warning("bounce: a message whose parts nest too deep to read (%d bytes)", len(raw))
        return BounceReport("ignored", detail="unreadable: its parts nest too deep")
    at_verp, delivery_id, email = _verp_target(recipients)
    if not at_verp:
        delivery_id, email = _signed_target(msg, raw)
    complaint = _is_complaint(msg)
    if not email:
        # A VERP address whose reader is gone, or a report naming addresses only in its text.
        what = "complaint" if complaint else "report"
        return BounceReport("ignored", detail=f"{what} names no reader by an address of ours")
    if complaint and (feedback := _feedback_type(msg)) in NOT_COMPLAINTS:
        return BounceReport("ignored", detail=f"a feedback report of type {feedback}")
    if complaint:
        bounce_note(email=email, kind=Kind.COMPLAINT, delivery_id=delivery_id, detail="ARF")
        return BounceReport("complaint", (email,), (email,))
    temporary, permanent = _failures(msg)
    status = _dsn_status(msg)
    # A 2.x.x status is a success notice ("delivered", "relayed"), not a failure: it counted
    # as a soft bounce, and three of them suppressed a reader whose mail was arriving.
    if not (temporary or permanent or status[:1] in {"4", "5"}):
        return BounceReport(
            "ignored", detail="not a bounce: no failed recipient, no failure status"
        )
    # Our address says who; the DSN says how bad. A report with no permanent failure is soft,
    # and so is a full mailbox (X.2.2), as at send time: a 5.2.2 suppressed the reader for good.
    hard = bool(permanent) or (not temporary and status.startswith("5"))
    hard = hard and not _mailbox_full(msg, status)
    kind = Kind.HARD if hard else Kind.SOFT
    suppressed = bounce_note(email=email, kind=kind, delivery_id=delivery_id, detail=status)
    return BounceReport(str(kind), (email,), (email,) if suppressed else ())


def _parsed(raw: bytes) -> Message | None:
    """The message, or None when its parts nest too deep for Python's parser, which recurses
    once a level: a 130 kB message of 2,000 nested parts raised RecursionError, which the
    endpoint answered with "451 try again" (so the sender did, for days) and the poller left
    unread, to fail again at every poll. Walked once here, as every reader of it walks it."""
    try:
        msg = message_from_bytes(raw, policy=policy.compat32)
        for _ in msg.walk():
            pass
    except RecursionError:
        return None
    return msg


def _failures(msg: Message) -> tuple[frozenset[bytes], frozenset[bytes]]:
    """flufl.bounce's (temporary, permanent) addresses; its detectors can trip on junk mail,
    which must cost us nothing but a line in the log (not a traceback: anyone can send it).

    One of its detectors (Yale's) reads the sender's address and raised IndexError on every
    message without a From header, before the detectors after it had looked: such a message
    is read with an empty sender (`<>`, a bounce's own) for the while."""
    placeholder = msg.get("From") is None
    if placeholder:
        msg["From"] = "<>"
    try:
        return all_failures(msg)
    except Exception as exc:
        log.warning("bounce: a message no detector could read (%s: %s)", type(exc).__name__, exc)
        return frozenset(), frozenset()
    finally:
        if placeholder:
            del msg["From"]


def _dsn_status(msg: Message) -> str:
    return _dsn_field(msg, "Status")


def _dsn_field(msg: Message, name: str) -> str:
    """The first per-recipient field `name` of the report's delivery-status part ("" if none)."""
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload() if isinstance(part.get_payload(), list) else []:
            value = block.get(name) if hasattr(block, "get") else None
            if value:
                return str(value).strip()
    return ""


# A Diagnostic-Code's type and the remote reply's code: `smtp; 552 5.2.2 mailbox full`.
_DIAGNOSTIC = re.compile(r"^\s*[\w-]{1,20}\s*;\s*(?:\d{3}[\s-])?")


def _mailbox_full(msg: Message, status: str) -> bool:
    """The report says the reader's mailbox is full: its Status is X.2.2, or it has none or a
    vague one (X.0.0) and its Diagnostic-Code says so (the remote reply, judged as one at send
    time is)."""
    if status and not status.endswith(".0.0"):
        return mailbox_full(status)
    diagnostic = _dsn_field(msg, "Diagnostic-Code")
    return bool(diagnostic) and mailbox_full(_DIAGNOSTIC.sub("", diagnostic, count=1))
