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
        (552, "5.3.4 message too big", Verdict.REFUSED_US),
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
