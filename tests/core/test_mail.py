import pytest

from headlines.core import mail
from headlines.core.errors import InvalidInput
from headlines.core.models import OutboxMessage
from tests.conftest import SMTPPeer


def message() -> mail.EmailMessage:
    return mail.build_message(
        from_addr="Desk <desk@news.example>",
        to="reader@example.org",
        subject="Hello",
        text="Plain body",
        html="<p>HTML body</p>",
    )


@pytest.mark.django_db
def test_without_smtp_url_mail_lands_in_the_outbox() -> None:
    result = mail.send_message(message())
    assert result.accepted
    stored = OutboxMessage.objects.get()
    assert stored.subject == "Hello" and stored.to_header == "reader@example.org"
    assert b"Plain body" in bytes(stored.raw)


def test_smtp_messenger_delivers_to_a_real_peer(smtp_messenger: SMTPPeer) -> None:
    assert mail.send_message(message()).code == 250
    [received] = smtp_messenger.to("reader@example.org")
    assert received.message["Subject"] == "Hello"
    assert "Plain body" in received.text() and "HTML body" in received.html()


def test_refusal_and_temporary_failure_replies_are_kept(smtp_peer: SMTPPeer) -> None:
    smtp_peer.reply_for = lambda rcpt: {
        "gone@example.org": "550 5.1.1 no such user",
        "busy@example.org": "451 4.3.0 try later",
    }.get(rcpt)
    messenger = smtp_peer.messenger()
    gone = messenger.send(envelope_from="a@news.example", recipients=["gone@example.org"], raw=b"x")
    busy = messenger.send(envelope_from="a@news.example", recipients=["busy@example.org"], raw=b"x")
    messenger.close()
    assert (gone.code, gone.permanent_failure) == (550, True)
    assert "no such user" in gone.reply
    assert (busy.code, busy.accepted, busy.permanent_failure) == (451, False, False)


def test_failover_to_the_second_relay(smtp_peer: SMTPPeer) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    relays = mail.parse_smtp_urls(f"smtp://127.0.0.1:{dead_port},{smtp_peer.url}")
    messenger = mail.SMTPMessenger(relays, timeout=5)
    result = messenger.send(
        envelope_from="a@news.example", recipients=["r@example.org"], raw=message().as_bytes()
    )
    messenger.close()
    assert result.accepted and result.relay.endswith(str(smtp_peer.port))
    assert len(smtp_peer.received) == 1


@pytest.mark.parametrize("evil", ["a@b.com\r\nBcc: x@y.com", "a@b.com\nBcc: x@y.com", "x\x00y"])
def test_header_injection_is_refused(evil: str) -> None:
    with pytest.raises(InvalidInput, match="line breaks"):
        mail.build_message(from_addr="d@news.example", to=evil, subject="s", text="t")
    with pytest.raises(InvalidInput):
        mail.build_message(from_addr="d@news.example", to="r@example.org", subject=evil, text="t")


@pytest.mark.parametrize("bad", ["", "http://x", "smtp://", "smtp://host,ftp://other"])
def test_bad_smtp_urls(bad: str) -> None:
    with pytest.raises(InvalidInput, match="HEADLINES_SMTP_URL"):
        mail.parse_smtp_urls(bad)
