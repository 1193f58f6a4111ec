"""The channel interface: a relay's replies as verdicts, and the channel chosen per edition."""

from __future__ import annotations

import pytest
from django.conf import settings

from headlines.core.errors import InvalidInput
from headlines.core.mail import OutboxMessenger, SendResult, SMTPMessenger
from headlines.core.models import OutboxMessage
from headlines.delivery import channels
from headlines.delivery.channels import Outgoing, Verdict
from tests.delivery import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "reply", "verdict"),
    [
        (250, "2.0.0 Ok", Verdict.SENT),
        (451, "4.3.0 try later", Verdict.RETRY),
        (421, "", Verdict.RETRY),
        (550, "5.1.1 no such user", Verdict.REFUSED_READER),
        (550, "5.7.1 DKIM signature required", Verdict.REFUSED_US),
        (552, "5.3.4 message too big", Verdict.REFUSED_MESSAGE),
        (553, "5.1.8 sender domain does not resolve", Verdict.REFUSED_US),
        # A full mailbox is the reader's for now, whatever the first digit says.
        (552, "5.2.2 mailbox full", Verdict.SOFT_BOUNCE),
        (552, "5.2.2 <ann@example.org>: user is over quota", Verdict.SOFT_BOUNCE),
        (452, "4.2.2 The email account that you tried to reach is over quota", Verdict.SOFT_BOUNCE),
        (552, "Requested mail action aborted: exceeded storage allocation", Verdict.SOFT_BOUNCE),
        (552, "Mailbox full", Verdict.SOFT_BOUNCE),
        (452, "Insufficient system storage", Verdict.RETRY),  # the server's, not the mailbox's
    ],
)
def test_replies_become_verdicts(code: int, reply: str, verdict: Verdict) -> None:
    assert channels.judge(SendResult(code, reply, "relay")).verdict == verdict


def test_a_message_too_big_is_refused_for_the_message_even_at_mail_from() -> None:
    # MAIL FROM … SIZE=n refused: the relay's size limit, before any reader is named.
    result = SendResult(552, "5.3.4 Message size exceeds fixed limit", "relay", sender_refused=True)
    assert channels.judge(result).verdict == Verdict.REFUSED_MESSAGE
    refused_sender = SendResult(553, "5.1.8 Domain not found", "relay", sender_refused=True)
    assert channels.judge(refused_sender).verdict == Verdict.REFUSED_US


def test_an_outbox_edition_stores_its_mail_even_when_smtp_is_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SMTP_URL", "smtp://127.0.0.1:1")
    ed = factories.edition(channel="outbox")
    channel = channels.channel_for(ed)
    assert isinstance(channel.messenger, OutboxMessenger)
    reply = channel.deliver(Outgoing("b@news.example", "r@example.org", b"Subject: x\r\n\r\nx", ""))
    assert reply.verdict == Verdict.SENT and OutboxMessage.objects.count() == 1
    other = channels.channel_for(factories.edition())
    assert isinstance(other.messenger, SMTPMessenger)
    other.close()


def test_an_smtp_edition_without_relays_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SMTP_URL", "")
    with pytest.raises(InvalidInput, match="HEADLINES_SMTP_URL"):
        channels.channel_for(factories.edition(channel="smtp"))


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(InvalidInput):
        factories.edition(channel="carrier-pigeon")


@pytest.mark.parametrize(
    ("code", "reply", "verdict"),
    [
        # Without an enhanced code, a relay's words about relaying, auth, our sender or a
        # policy are about us: each of these suppressed every reader of the send for good.
        (550, "relaying denied", Verdict.REFUSED_US),
        (554, "Relay access denied", Verdict.REFUSED_US),
        (554, "<ann@example.org>: Relay access denied", Verdict.REFUSED_US),
        (550, "Unable to relay for ann@example.org", Verdict.REFUSED_US),
        (530, "Authentication required", Verdict.REFUSED_US),
        (535, "AUTH failed", Verdict.REFUSED_US),
        (550, "sender rejected", Verdict.REFUSED_US),
        (550, "You are not permitted to send mail from this address", Verdict.REFUSED_US),
        (550, "Rejected by policy", Verdict.REFUSED_US),
        (
            554,
            "Service unavailable; client host [192.0.2.1] blocked using Spamhaus",
            Verdict.REFUSED_US,
        ),
        (550, "Your IP is BLACKLISTED", Verdict.REFUSED_US),
        (550, "Message rejected due to poor sending reputation", Verdict.REFUSED_US),
        (550, "Requested action not taken", Verdict.REFUSED_US),  # says nothing of the reader
        (550, "", Verdict.REFUSED_US),
        # Plain words about the reader's address still blame the reader.
        (550, "User unknown", Verdict.REFUSED_READER),
        (550, "<ann@example.org>: No such user here", Verdict.REFUSED_READER),
        (550, "Requested action not taken: mailbox unavailable", Verdict.REFUSED_READER),
        (550, "That address does not exist", Verdict.REFUSED_READER),
        (550, "<ann@example.org>: User unknown in relay recipient table", Verdict.REFUSED_READER),
        # With an enhanced code, the code decides, whatever the words.
        (550, "5.1.1 <ann@example.org>: Recipient address rejected: relay", Verdict.REFUSED_READER),
        (550, "5.7.1 <ann@example.org>: user unknown", Verdict.REFUSED_US),
    ],
)
def test_a_refusal_without_an_enhanced_code_is_judged_by_its_words(
    code: int, reply: str, verdict: Verdict
) -> None:
    assert channels.judge(SendResult(code, reply, "relay")).verdict == verdict
