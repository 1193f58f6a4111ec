import datetime as dt
import email.policy
import itertools
import ssl
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from headlines.core import clock, mail
from headlines.core.errors import InvalidInput
from headlines.core.models import OutboxMessage
from tests.conftest import SMTPPeer
from tests.delivery.children import free_port


def message() -> mail.EmailMessage:
    return mail.build_message(
        from_addr="Desk <desk@news.example>",
        to="reader@example.org",
        subject="Hello",
        text="Plain body",
        html="<p>HTML body</p>",
    )


def test_the_date_header_is_the_projects_clock() -> None:
    at = dt.datetime(2026, 11, 25, 17, 30, tzinfo=dt.UTC)
    previous = clock.set_clock(clock.FixedClock(at))
    try:
        assert parsedate_to_datetime(message()["Date"]) == at
    finally:
        clock.set_clock(previous)


def test_each_header_is_written_once_and_the_parts_are_text_then_html() -> None:
    # The HTML part carried a MIME-Version of its own (the email library makes it a whole
    # message): RFC 2045 puts the header at the top level only.
    raw = mail.wire_bytes(message())
    head = raw.partition(b"\r\n\r\n")[0]
    names = [line.split(b":", 1)[0].lower() for line in head.split(b"\r\n") if line[:1] > b" "]
    assert len(names) == len(set(names))
    assert raw.count(b"MIME-Version:") == 1 and b"MIME-Version: 1.0" in head
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in parsed.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


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
    dead_port = free_port()  # nobody listens on it
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


def _pipelining(peer: SMTPPeer) -> SMTPPeer:
    async def handle_EHLO(server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    peer.controller.handler.handle_EHLO = handle_EHLO
    return peer


@pytest.mark.parametrize("pipelined", [True, False])
def test_pipelined_and_plain_transactions_agree(smtp_peer: SMTPPeer, pipelined: bool) -> None:
    if pipelined:
        _pipelining(smtp_peer)
    smtp_peer.reply_for = lambda rcpt: {
        "gone@example.org": "550 5.1.1 no such user",
        "busy@example.org": "451 4.3.0 try later",
    }.get(rcpt)
    messenger = smtp_peer.messenger()
    raw = b"Subject: dots\r\n\r\n.leading dot\r\nbare\nlf\r\n."
    codes = [
        messenger.send(envelope_from="a@news.example", recipients=[rcpt], raw=raw).code
        for rcpt in ("ok@example.org", "gone@example.org", "busy@example.org", "ok2@example.org")
    ]
    messenger.close()
    assert codes == [250, 550, 451, 250]
    [first, second] = smtp_peer.received
    # Dots unstuffed, line ends normalised, a final line end added: the message as written.
    assert first.raw.replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n") + b"\n"
    assert second.recipients == ["ok2@example.org"]


@pytest.mark.parametrize(
    "bad", ["smtp://h?rate=0", "smtp://h?concurrency=many", "smtp://h?hourly=-5"]
)
def test_bad_relay_limits_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput, match="positive number"):
        mail.parse_smtp_urls(bad)


def test_relay_limits_come_from_the_url() -> None:
    [relay] = mail.parse_smtp_urls("smtp://h:2525?concurrency=3&rate=50&hourly=1000")
    pool = mail.RelayPool(relay, timeout=1)
    assert pool.concurrency == 3
    assert pool.per_second is not None and pool.per_second.rate == 50
    assert pool.per_hour is not None and pool.per_hour.capacity == 1000


def test_a_burst_beyond_the_rate_must_wait() -> None:
    limiter = mail.RateLimiter(5)
    assert [limiter.try_take() for _ in range(5)] == [0.0] * 5
    assert limiter.try_take() > 0  # the sixth in the same instant waits for a token


def test_when_a_relay_spends_its_hour_the_next_one_takes_over(smtp_peer: SMTPPeer) -> None:
    second = SMTPPeer().start()
    try:
        relays = mail.parse_smtp_urls(f"{smtp_peer.url}?hourly=3,{second.url}")
        messenger = mail.SMTPMessenger(relays, timeout=5)
        for n in range(5):
            result = messenger.send(
                envelope_from="a@news.example", recipients=[f"r{n}@example.org"], raw=b"x\r\n"
            )
            assert result.accepted
        messenger.close()
        assert (len(smtp_peer.received), len(second.received)) == (3, 2)
    finally:
        second.stop()


def test_connections_are_kept_and_limited_per_relay(smtp_peer: SMTPPeer) -> None:
    import threading

    messenger = mail.SMTPMessenger(mail.parse_smtp_urls(f"{smtp_peer.url}?concurrency=2"))

    def send_some(n: int) -> None:
        for k in range(5):
            messenger.send(
                envelope_from="a@news.example", recipients=[f"t{n}-{k}@example.org"], raw=b"x\r\n"
            )

    threads = [threading.Thread(target=send_some, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(smtp_peer.received) == 30
    assert len(messenger.pools[0].idle) <= 2  # never more than two connections were opened
    messenger.close()


def test_transactional_mail_keeps_its_connection_and_its_relays_limits(
    smtp_peer: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.conf import settings

    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SMTP_URL", f"{smtp_peer.url}?hourly=3")
    message = mail.build_message(
        from_addr="desk@news.example", to="reader@example.org", subject="Confirm", text="Hi"
    )
    sent = [mail.send_message(message) for _ in range(4)]
    assert [r.accepted for r in sent] == [True, True, True, False]  # the hour's 3 are spent
    assert len(smtp_peer.received) == 3
    assert len(smtp_peer.sessions) == 1  # one connection for all, not one a message
    mail.close_transactional()


def test_a_plain_relay_makes_no_tls_context_and_a_tls_one_makes_one_a_process(
    smtp_peer: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from headlines.core import smtp

    made: list[object] = []
    real = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda: made.append(1) or real())
    smtp.tls_context.cache_clear()
    for _ in range(3):
        smtp.open_smtp(mail.parse_smtp_urls(smtp_peer.url)[0], timeout=5).quit()
    assert made == []  # loading the system's certificates costs ~20 ms: only for TLS
    for _ in range(3):
        assert smtp.tls_context(verify=True) is smtp.tls_context(verify=True)
    assert len(made) == 1
    smtp.tls_context.cache_clear()


def _tls_context(tmp_path: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    # OpenSSL checks validity against the real clock, which a travelled test run does not move:
    # a span that holds on any day the suite may run, read from no clock.
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2100, 1, 1, tzinfo=dt.UTC))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


@pytest.mark.parametrize("scheme", ["smtp+starttls", "smtps"])
def test_tls_and_auth(tmp_path: Path, scheme: str) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
            received.append(envelope.content)
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = auth_data.login == b"desk" and auth_data.password == b"s3cret"
        return AuthResult(success=ok)

    context = _tls_context(tmp_path)
    port = free_port()
    options: dict[str, object] = {"authenticator": authenticator, "auth_require_tls": True}
    if scheme == "smtps":
        # aiosmtpd only counts STARTTLS as TLS for auth_require_tls; here the whole socket is.
        options["auth_require_tls"] = False
        controller = Controller(
            Handler(), hostname="127.0.0.1", port=port, ssl_context=context, **options
        )
    else:
        controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=port,
            tls_context=context,
            require_starttls=True,
            **options,
        )
    controller.start()
    try:
        good = mail.SMTPMessenger(
            mail.parse_smtp_urls(f"{scheme}://desk:s3cret@127.0.0.1:{port}?verify=0"), timeout=5
        )
        assert good.send(
            envelope_from="d@news.example", recipients=["r@example.org"], raw=b"x\r\n"
        ).accepted
        good.close()
        bad = mail.SMTPMessenger(
            mail.parse_smtp_urls(f"{scheme}://desk:wrong@127.0.0.1:{port}?verify=0"), timeout=1
        )
        refused = bad.send(
            envelope_from="d@news.example", recipients=["r@example.org"], raw=b"x\r\n"
        )
        assert not refused.accepted and refused.code == 421  # no relay would take it: retry later
        bad.close()
    finally:
        controller.stop()
    assert len(received) == 1


def test_a_long_message_reaches_a_strict_relay_with_its_long_header_intact(
    smtp_messenger: SMTPPeer,
) -> None:
    url = "https://news.example/unsubscribe/" + "x" * 150 + "/"
    long_message = mail.build_message(
        from_addr="Desk <desk@news.example>",
        to="reader@example.org",
        subject="A long digest",
        text="A paragraph of news.\n\n" * 400,
        html="<p>A paragraph of news.</p>\n" * 400,
        headers={"List-Unsubscribe": f"<{url}>"},
    )
    assert mail.send_message(long_message).accepted
    [received] = smtp_messenger.to("reader@example.org")
    assert b"\r\n" in received.raw
    assert received.message["List-Unsubscribe"] == f"<{url}>"
    assert received.text().count("A paragraph of news.") == 400


def test_a_long_ascii_subject_is_folded_at_78_between_words_and_reads_back_whole() -> None:
    # RFC 5322 2.1.1: a line SHOULD be at most 78 characters; ASCII headers went out as one
    # line of up to 998 (the fold limit kept long URLs from becoming encoded words).
    winds = " ".join(["winds of a hundred miles an hour"] * 4)
    subject = f"Storm Imogen cuts power to 40,000 homes as {winds}"
    unsubscribe = "<https://news.example/unsubscribe/" + "x" * 120 + "/>"
    msg = mail.build_message(
        from_addr="Desk <desk@news.example>",
        to="reader@example.org",
        subject=subject,
        text="Plain body",
        html=None,
    )
    msg["List-Unsubscribe"] = unsubscribe
    raw = mail.wire_bytes(msg)
    head = raw.partition(b"\r\n\r\n")[0]
    assert max(len(line) for line in head.split(b"\r\n") if b"x" * 60 not in line) <= 78
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == subject
    assert parsed["List-Unsubscribe"] == unsubscribe, "a URL is never cut, nor encoded"
    assert b"=?" not in head


@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E) | st.just(" "),
        max_size=600,
    )
)
def test_folding_an_ascii_header_reads_back_whole_with_no_line_of_spaces_alone(value) -> None:
    line = b"Subject: " + value.encode() + b"\r\n"
    folded = mail.folded_at_spaces(line)
    assert folded.replace(b"\r\n ", b" ") == line, "unfolding gives the value back"
    lines = folded.removesuffix(b"\r\n").split(b"\r\n")
    assert all(line.strip() for line in lines[1:])
    for previous, line in itertools.pairwise(lines):
        # A line is longer than 78 only when its own first word is (nothing was put off).
        first_word = line[1:].split(b" ")[0]
        assert len(previous) + 1 + len(first_word) > mail.FOLD_AT
