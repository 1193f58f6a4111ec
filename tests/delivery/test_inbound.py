from __future__ import annotations

import smtplib
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command

from headlines.core.errors import InvalidInput
from headlines.delivery.inbound import BounceServer, ImapMailbox, bounce_poll, parse_listen
from headlines.delivery.models import BounceEvent
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import Subscription, Suppression
from tests.delivery.children import free_port
from tests.delivery.test_bounces import ARF, setup_reader, suppressed
from tests.delivery.test_reliability import DSN

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def endpoint() -> Iterator[int]:
    port = free_port()
    server = BounceServer(host="127.0.0.1", port=port).start()
    yield port
    server.stop()


def test_a_bounce_mailed_to_the_endpoint_suppresses_the_reader(endpoint: int) -> None:
    _, verp = setup_reader("gone@example.org")
    with smtplib.SMTP("127.0.0.1", endpoint, timeout=10) as smtp:
        smtp.sendmail("", [verp], DSN.format(verp=verp, rcpt="gone@example.org").encode())
    assert Suppression.objects.get(email_hash=email_hash("gone@example.org")).reason == (
        "hard_bounce"
    )


def test_the_endpoint_refuses_addresses_that_are_not_ours(endpoint: int) -> None:
    _, verp = setup_reader("kept@example.org")
    forged = verp[:-20] + "0" * 8 + verp[-12:]
    with (
        smtplib.SMTP("127.0.0.1", endpoint, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        smtp.sendmail("", ["postmaster@news.example", forged], b"Subject: x\r\n\r\nx\r\n")
    assert not Suppression.objects.exists()


def test_a_message_past_10_mb_is_refused_and_the_endpoint_carries_on(endpoint: int) -> None:
    _, verp = setup_reader("gone@example.org")
    huge = DSN.format(verp=verp, rcpt="gone@example.org") + ("x" * 998 + "\r\n") * 11_000
    with (
        smtplib.SMTP("127.0.0.1", endpoint, timeout=30) as smtp,
        pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refused,
    ):
        smtp.sendmail("", [verp], huge.encode())
    assert refused.value.smtp_code == 552  # at MAIL (SIZE) or at the end of DATA
    assert not Suppression.objects.exists()
    with smtplib.SMTP("127.0.0.1", endpoint, timeout=10) as smtp:
        smtp.sendmail("", [verp], DSN.format(verp=verp, rcpt="gone@example.org").encode())
    assert Suppression.objects.filter(email_hash=email_hash("gone@example.org")).exists()


class FakeMailbox:
    """The Mailbox protocol over a list: what an IMAP server would hold."""

    def __init__(self, messages: list[bytes]) -> None:
        self.messages = {str(n): raw for n, raw in enumerate(messages, start=1)}
        self.seen: set[str] = set()

    def unseen(self) -> Iterator[tuple[str, bytes]]:
        yield from ((uid, raw) for uid, raw in self.messages.items() if uid not in self.seen)

    def done(self, uid: str) -> None:
        self.seen.add(uid)

    def close(self) -> None:
        return None


def test_mail_to_an_erased_readers_unsubscribe_address_is_accepted_and_changes_nothing(
    endpoint: int, caplog: pytest.LogCaptureFixture
) -> None:
    # A mail client's Unsubscribe on an old digest, after the reader was erased: NotFound,
    # a traceback, and "451 try again" (so their server did, for days); the poller left it
    # unread to fail at every poll.
    from headlines.delivery.message import unsubscribe_mailto
    from headlines.subscriptions.preferences import subscriber_erase

    sub, _ = setup_reader("erased@example.org")
    address = unsubscribe_mailto(subscription_id=sub.pk, domain="news.example")
    address = address.removeprefix("mailto:").split("?")[0]
    subscriber_erase(subscriber_id=sub.subscriber_id)
    mail = b"Subject: unsubscribe\r\n\r\nunsubscribe\r\n"
    with smtplib.SMTP("127.0.0.1", endpoint, timeout=10) as smtp:
        assert smtp.sendmail("reader@example.org", [address], mail) == {}
    box = FakeMailbox([b"Delivered-To: " + address.encode() + b"\r\n" + mail])
    assert [r.kind for r in bounce_poll(mailbox=box)] == ["ignored"] and box.seen == {"1"}
    assert not [r for r in caplog.records if r.exc_info]


def test_polling_the_mailbox_processes_each_message_once() -> None:
    _, verp_a = setup_reader("a@example.org")
    _, verp_b = setup_reader("b@example.org")
    box = FakeMailbox(
        [
            (
                "Delivered-To: " + verp_a + "\n" + DSN.format(verp=verp_a, rcpt="a@example.org")
            ).encode(),
            ARF.format(verp=verp_b, rcpt="b@example.org").encode(),
            b"Subject: out of office\r\n\r\nI am away.\r\n",
        ]
    )
    reports = bounce_poll(mailbox=box)
    assert sorted(r.kind for r in reports) == ["complaint", "hard", "ignored"]
    assert box.seen == {"1", "2", "3"}
    assert bounce_poll(mailbox=box) == []
    assert Suppression.objects.count() == 2


def test_a_forged_report_naming_a_reader_in_its_text_suppresses_nobody() -> None:
    # A DSN or an ARF report mailed to the bounce mailbox, naming a reader only in its text,
    # suppressed that reader: anyone could stop anyone's newsletter.
    sub, verp = setup_reader("victim@example.org")
    to_mailbox = "Delivered-To: bounces@news.example\n"
    dsn = to_mailbox + DSN.format(verp="bounces@news.example", rcpt="victim@example.org")
    arf = to_mailbox + ARF.format(verp="bounces@news.example", rcpt="victim@example.org")
    # Our own addresses with a wrong MAC, as a forger would guess them, count for nothing.
    local, _, domain = verp.partition("@")
    forged_verp = f"{local.rsplit('.', 1)[0]}.000000000000@{domain}"
    guessed = dsn.replace("Your message", f"Return-Path: <{forged_verp}>\nYour message")
    mailbox = FakeMailbox([dsn.encode(), arf.encode(), guessed.encode()])
    reports = bounce_poll(mailbox=mailbox)
    assert [r.kind for r in reports] == ["ignored"] * 3 and mailbox.seen == {"1", "2", "3"}
    assert suppressed("victim@example.org") is None and not BounceEvent.objects.exists()
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.CONFIRMED


def _nested(verp: str, depth: int) -> bytes:
    """A report whose parts nest `depth` deep: 130 kB at 2,000, well under the 10 MB limit."""
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{n}"\n\n--b{n}\n' for n in range(depth)
    )
    closing = "".join(f"--b{n}--\n" for n in reversed(range(depth)))
    head = f"From: MAILER-DAEMON@mx.example.org\nTo: {verp}\nMIME-Version: 1.0\n"
    return (head + opening + "Content-Type: text/plain\n\nx\n" + closing).encode()


def test_a_report_nested_too_deep_to_read_is_ignored_not_retried_for_ever(
    endpoint: int, caplog: pytest.LogCaptureFixture
) -> None:
    # Python's parser recurses once a level: RecursionError, a traceback in the log, and the
    # endpoint answered "451 try again" (so the sender did, for days); the poller left the
    # message unread, to fail again, traceback and all, at every poll.
    _, verp = setup_reader("kept@example.org")
    raw = _nested(verp, 2000)
    with smtplib.SMTP("127.0.0.1", endpoint, timeout=30) as smtp:
        assert smtp.sendmail("", [verp], raw.replace(b"\n", b"\r\n")) == {}
    box = FakeMailbox([b"Delivered-To: " + verp.encode() + b"\n" + raw])
    assert [r.kind for r in bounce_poll(mailbox=box)] == ["ignored"] and box.seen == {"1"}
    assert not BounceEvent.objects.exists() and suppressed("kept@example.org") is None
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize("url", ["http://x", "imaps://host/INBOX", "imap://@/", "mailbox"])
def test_bad_mailbox_urls_are_clear_errors(url: str) -> None:
    with pytest.raises(InvalidInput, match="HEADLINES_BOUNCE_IMAP_URL"):
        ImapMailbox(url)


@pytest.mark.parametrize(
    "url", ["ftp://x", "imaps://u:p@127.0.0.1:99999/INBOX", "imaps://u:p@[::1/INBOX"]
)
def test_poll_of_a_bad_url_names_the_option_and_exits_2(url: str) -> None:
    with pytest.raises(CommandError, match="--url or HEADLINES_BOUNCE_IMAP_URL") as caught:
        call_command("bounces", "poll", "--url", url)
    assert caught.value.returncode == 2  # a usage error, not a crash


def test_an_unreachable_mailbox_is_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="cannot open"):
        ImapMailbox(f"imap://u:p@127.0.0.1:{free_port()}/INBOX", timeout=2)


@pytest.mark.parametrize("listen", ["", "nohost", "127.0.0.1:", "127.0.0.1:99999", ":25"])
def test_bad_listen_addresses(listen: str) -> None:
    with pytest.raises(InvalidInput):
        parse_listen(listen)


def test_poll_without_a_mailbox_says_what_to_set() -> None:
    with pytest.raises(CommandError, match="HEADLINES_BOUNCE_IMAP_URL"):
        call_command("bounces", "poll")


@pytest.mark.parametrize("listen", ["nohost", "127.0.0.1:http"])
def test_serve_refuses_a_bad_listen_address(listen: str) -> None:
    with pytest.raises(CommandError, match="host:port"):
        call_command("bounces", "serve", "--listen", listen)


def test_serve_reports_a_port_already_taken(endpoint: int) -> None:
    with pytest.raises(CommandError, match="cannot listen"):
        call_command("bounces", "serve", "--listen", f"127.0.0.1:{endpoint}")


def test_serve_stops_on_sigterm_though_a_second_arrives_inside_the_first_ones_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The handler sets a threading.Event, which takes a lock: a second SIGTERM handled inside
    # that call ran the handler again in the same thread, where it could wait forever for the
    # lock its own outer frame held. The handler now swaps itself out first.
    import io
    import os
    import signal
    import threading
    import time
    import types

    from headlines.delivery.management.commands import bounces
    from tests.signals import signalled_inside_set

    Interrupted, entered = signalled_inside_set()
    monkeypatch.setattr(bounces, "threading", types.SimpleNamespace(Event=Interrupted))
    before = signal.getsignal(signal.SIGTERM)

    def terminate_once_listening() -> None:
        deadline = time.monotonic() + 20
        while signal.getsignal(signal.SIGTERM) is before and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate_once_listening, daemon=True).start()
    try:
        call_command(
            "bounces", "serve", "--listen", f"127.0.0.1:{free_port()}", stdout=io.StringIO()
        )
    finally:
        signal.signal(signal.SIGTERM, before)
    assert entered == [True], "the second SIGTERM ran the stop handler again"


def test_poll_names_a_message_it_could_not_process_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A message that failed was logged and left unread, and the command exited 0 as if all
    # were well: cron never said so.
    from headlines.delivery import inbound
    from headlines.delivery.management.commands import bounces as command

    _, verp = setup_reader("gone@example.org")
    box = FakeMailbox([b"Subject: breaks\r\n\r\nx\r\n", DSN.format(verp=verp, rcpt="x").encode()])
    monkeypatch.setattr(command, "ImapMailbox", lambda url: box)
    real = inbound.bounce_process

    def breaking(*, raw: bytes, recipients: list[str]) -> inbound.BounceReport:
        if b"breaks" in raw:
            raise RuntimeError("database is locked")
        return real(raw=raw, recipients=recipients)

    monkeypatch.setattr(inbound, "bounce_process", breaking)
    with pytest.raises(CommandError, match="1 message") as caught:
        call_command("bounces", "poll", "--url", "imaps://u:p@mail.example/INBOX")
    assert caught.value.returncode == 1
    out, err = capsys.readouterr()
    assert "bounce mailbox: 1 hard" in out
    assert "failed: message 1: RuntimeError: database is locked (left unread)" in err
    assert box.seen == {"2"} and suppressed("gone@example.org") == "hard_bounce"


def test_a_mailbox_lost_mid_poll_is_named_and_what_was_done_is_kept(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The IMAP server dropping the connection mid-poll crashed the command (a traceback,
    # exit 3, "a bug") without saying what it had done.
    import imaplib

    from headlines.delivery.management.commands import bounces as command

    _, verp = setup_reader("gone@example.org")

    class Dropping(FakeMailbox):
        def unseen(self) -> Iterator[tuple[str, bytes]]:
            yield "1", DSN.format(verp=verp, rcpt="x").encode()
            raise imaplib.IMAP4.abort("socket error: EOF")

    box = Dropping([])
    monkeypatch.setattr(command, "ImapMailbox", lambda url: box)
    with pytest.raises(CommandError, match="1 message") as caught:
        call_command("bounces", "poll", "--url", "imaps://u:p@mail.example/INBOX")
    assert caught.value.returncode == 1
    out, err = capsys.readouterr()
    assert "bounce mailbox: 1 hard" in out
    assert "failed: the bounce mailbox: socket error: EOF (the rest left unread)" in err
    assert box.seen == {"1"} and suppressed("gone@example.org") == "hard_bounce"


def test_a_mailbox_that_refuses_the_search_says_so_rather_than_nothing_new() -> None:
    # imaplib returns an IMAP server's NO or BAD as a status, not an exception: a refused
    # search (a folder gone, a server in trouble) read as "nothing new", every poll, and no
    # bounce was ever processed again without a word.
    import imaplib

    class Refusing:
        def uid(self, command: str, *args: str) -> tuple[str, list[bytes]]:
            return "NO", [b"[UNAVAILABLE] search is not possible now"]

    box = ImapMailbox.__new__(ImapMailbox)
    box.conn = Refusing()  # type: ignore[assignment]
    with pytest.raises(imaplib.IMAP4.error, match="search is not possible now"):
        list(box.unseen())
