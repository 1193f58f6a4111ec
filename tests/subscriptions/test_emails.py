from email import message_from_bytes, policy
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.test import Client

from headlines.subscriptions import services
from headlines.subscriptions.models import ConsentEvent, Subscription
from tests.subscriptions.conftest import body, link_in, outbox, path_of

pytestmark = pytest.mark.django_db


def test_confirmation_and_welcome_arrive_over_smtp(
    client, edition, smtp_messenger, mail_now
) -> None:
    address = "o'brien&co@example.com"
    mail_now(lambda: client.post("/signup/us/", {"email": address}))
    [confirmation] = smtp_messenger.to(address)
    assert confirmation.message["To"] == address
    assert "Please confirm your US Evening Headlines email" in confirmation.message["Subject"]
    assert "o&#x27;brien&amp;co@example.com" in confirmation.html()
    assert "o'brien&co@example.com" in confirmation.text()
    url = link_in(confirmation.message, "confirm")
    assert f'href="{url}"' in confirmation.html()

    mail_now(lambda: client.post(path_of(url)))
    assert Subscription.objects.get().status == Subscription.Status.CONFIRMED
    welcome = smtp_messenger.to(address)[1]
    assert welcome.message["Subject"] == "Welcome to US Evening Headlines"
    unsubscribe = link_in(welcome.message, "unsubscribe")
    # The raw header carries the URL as written, not as an RFC 2047 encoded-word.
    assert f"List-Unsubscribe: <{unsubscribe}>".encode() in welcome.raw
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in welcome.raw
    assert welcome.message["List-Id"] == "<us.127.0.0.1>"


def test_reader_text_in_the_html_email_is_escaped(edition, mail_now, smtp_messenger) -> None:
    edition.name = "US <i>Evening</i> Headlines"
    edition.save()
    mail_now(
        lambda: services.subscription_request(
            email="x{y}|z@example.com",
            edition_id=edition.pk,
            marketing=False,
            source=ConsentEvent.Source.WIDGET,
        )
    )
    [mail] = smtp_messenger.to("x{y}|z@example.com")
    assert "<i>" not in mail.html() and "US &lt;i&gt;Evening&lt;/i&gt; Headlines" in mail.html()


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_confirmation_and_welcome_are_dkim_signed_when_dkim_is_set(
    client, edition, smtp_messenger, mail_now, settings, tmp_path, kind
) -> None:
    # Only digests were signed: a DMARC policy of quarantine could junk the double opt-in's own
    # email while the digests it leads to passed.
    import dkim

    from headlines.core.dkim import load_key
    from tests.delivery.factories import dkim_pem

    pem = dkim_pem(kind)
    (tmp_path / "dkim.pem").write_bytes(pem)
    edition.name = "Édition du soir: a name long enough that its Subject header has to fold once"
    edition.from_address = "desk@news.example"
    edition.save()
    settings.CONFIG = {
        **settings.CONFIG,
        "HEADLINES_DKIM_SELECTOR": "eh2026",
        "HEADLINES_DKIM_KEY_FILE": tmp_path / "dkim.pem",
    }
    record = load_key(selector="eh2026", domain="news.example", pem=pem).dns_record().encode()

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return record if name == b"eh2026._domainkey.news.example." else b""

    address = "reader@example.org"
    mail_now(lambda: client.post("/signup/us/", {"email": address}))
    [confirmation] = smtp_messenger.to(address)
    assert confirmation.raw.startswith(b"DKIM-Signature: v=1; a=" + kind.encode())
    assert dkim.verify(confirmation.raw, dnsfunc=dns)
    signed = confirmation.raw.split(b" h=", 1)[1].split(b";", 1)[0].split(b":")
    assert {b"from", b"to", b"subject", b"date", b"message-id", b"content-type"} <= set(signed)
    assert not dkim.verify(confirmation.raw.replace(b"reader@", b"render@", 1), dnsfunc=dns)

    mail_now(lambda: client.post(path_of(link_in(confirmation.message, "confirm"))))
    welcome = smtp_messenger.to(address)[1]
    assert dkim.verify(welcome.raw, dnsfunc=dns)
    assert b"list-unsubscribe" in welcome.raw.split(b" h=", 1)[1].split(b";", 1)[0]


@pytest.mark.parametrize("kind", ["none", "ed25519"])
def test_a_name_in_chinese_arabic_and_emoji_goes_out_in_short_encoded_words(
    client, edition, smtp_messenger, mail_now, settings, tmp_path, kind
) -> None:
    # One 998 fold limit for every header made a long edition name one encoded word of
    # hundreds of characters in From and Subject (RFC 2047 allows 75).
    import re

    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from headlines.core.dkim import load_key

    name = "晚间新闻 🌙 نشرة المساء — 每日要闻精选\uff0c" + "新闻" * 20
    edition.name, edition.from_name = name, ""  # the From shows the edition's name
    edition.from_address = "desk@news.example"
    edition.save()
    record = b""
    if kind != "none":
        pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        (tmp_path / "dkim.pem").write_bytes(pem)
        settings.CONFIG = {
            **settings.CONFIG,
            "HEADLINES_DKIM_SELECTOR": "s1",
            "HEADLINES_DKIM_KEY_FILE": tmp_path / "dkim.pem",
        }
        record = load_key(selector="s1", domain="news.example", pem=pem).dns_record().encode()

    mail_now(lambda: client.post("/signup/us/", {"email": "li@example.org"}))
    [confirmation] = smtp_messenger.to("li@example.org")
    head = confirmation.raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    words = re.findall(rb"=\?[^?]+\?[bqBQ]\?[^?]*\?=", head)
    assert len(words) > 4 and max(len(w) for w in words) <= 75
    # Decoded as RFC 2047 6.2 says (the blanks between words dropped), as mail readers do;
    # Python's own address parser keeps them, so the raw header is decoded here.
    raw = message_from_bytes(confirmation.raw, policy=policy.compat32)
    assert str(make_header(decode_header(raw["From"]))) == f"{name} <desk@news.example>"
    assert str(make_header(decode_header(raw["Subject"]))) == f"Please confirm your {name} email"
    if kind != "none":
        assert dkim.verify(confirmation.raw, dnsfunc=lambda n, timeout=5: record)


def test_a_refused_confirmation_is_logged_without_the_address(
    client, edition, smtp_messenger, mail_now, caplog
) -> None:
    # The relay's reply names the address; the log line quoted it whole, and logs outlive
    # the reader's erasure.
    smtp_messenger.reply_for = lambda rcpt: f"550 5.1.1 <{rcpt}>: Recipient address rejected"
    with caplog.at_level("WARNING"):
        mail_now(lambda: client.post("/signup/us/", {"email": "Nobody.Here@example.org"}))
    refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert refused and "550 5.1.1 <(address)>: Recipient address rejected" in refused[0]
    assert not any("nobody.here" in r.getMessage().lower() for r in caplog.records)


@pytest.mark.parametrize(
    ("reply", "suppressed"),
    [
        ("550 5.1.1 Recipient address rejected", True),
        ("550 5.7.1 DKIM required", False),
        ("552 5.2.2 mailbox full", False),  # a soft bounce: the reader's for now
        ("554 Relay access denied", False),  # no enhanced code, and about us
    ],
)
def test_a_confirmation_refused_for_its_reader_suppresses_the_address(
    client, edition, smtp_messenger, mail_now, reply: str, suppressed: bool
) -> None:
    # A 5xx at send time is a hard bounce, as for a digest: a relay's "no such user" for a
    # mistyped address was only logged, and the address was mailed again at each sign-up.
    from headlines.subscriptions.selectors import is_suppressed

    smtp_messenger.reply_for = lambda rcpt: reply
    mail_now(lambda: client.post("/signup/us/", {"email": "typo@example.org"}))
    assert is_suppressed(email="typo@example.org") is suppressed


@pytest.mark.django_db(transaction=True)
def test_a_greylisted_confirmation_is_sent_again_after_the_backoff(edition, smtp_peer) -> None:
    # A 4xx (greylisting, a relay restarting) ended the job as done: the reader never got the
    # link. Now the job runs again after its backoff, and the second try gets through.
    import datetime as dt

    from headlines.core import clock, jobs
    from headlines.core.mail import set_messenger
    from headlines.core.models import Job

    class Doorbells:
        def ring(self, job_ids: list[int], delay: float = 0.0, long: bool = False) -> None:
            return None

    tries: list[str] = []

    def greylist(rcpt: str) -> str | None:
        tries.append(rcpt)
        return f"451 4.7.1 <{rcpt}>: greylisted, try again" if len(tries) == 1 else None

    smtp_peer.reply_for = greylist
    messenger = smtp_peer.messenger()
    previous = (set_messenger(messenger), jobs.set_backend(Doorbells()))
    fixed = clock.FixedClock(dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC))
    before = clock.set_clock(fixed)
    try:
        services.subscription_request(
            email="grey@example.org",
            edition_id=edition.pk,
            marketing=False,
            source=ConsentEvent.Source.FORM,
        )
        job = Job.objects.get(kind="subscriptions.send_confirmation")
        assert jobs.run_by_id(job.pk) is False
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.QUEUED, 1)
        assert "451 4.7.1" in job.last_error and "grey@" not in job.last_error
        assert smtp_peer.to("grey@example.org") == []
        fixed.advance(seconds=5)
        assert jobs.run_by_id(job.pk) is True
        [confirmation] = smtp_peer.to("grey@example.org")
        assert "/confirm/" in confirmation.text()
    finally:
        clock.set_clock(before)
        jobs.set_backend(previous[1])
        set_messenger(previous[0])
        messenger.close()


def test_the_bounce_of_a_confirmation_to_a_mistyped_address_suppresses_it(
    client, edition, smtp_messenger, mail_now, settings, monkeypatch
) -> None:
    # The confirmation went out with the From address as its envelope sender: a mistyped
    # address's bounce went to the desk's mailbox, unread, and was never suppressed.
    from headlines.delivery import bounces
    from headlines.subscriptions.hashing import email_hash
    from headlines.subscriptions.models import Suppression
    from tests.delivery.test_reliability import DSN

    monkeypatch.setitem(settings.CONFIG, "HEADLINES_BOUNCE_DOMAIN", "bounces.news.example")
    address = "reader@gmial.example"
    mail_now(lambda: client.post("/signup/us/", {"email": address}))
    [confirmation] = smtp_messenger.to(address)
    envelope = confirmation.envelope_from
    assert envelope.startswith("bounce+") and envelope.endswith("@bounces.news.example")
    assert bounces.is_ours(envelope)

    dsn = DSN.format(verp=envelope, rcpt=address).encode()
    report = bounces.bounce_process(raw=dsn, recipients=[envelope])
    assert (report.kind, report.suppressed) == ("hard", (address,))
    assert Suppression.objects.filter(email_hash=email_hash(address)).exists()
    mail_now(lambda: client.post("/signup/us/", {"email": address}))
    assert len(smtp_messenger.to(address)) == 1  # no second confirmation to a dead address


def signed_up_and_confirmed(client, smtp_messenger, mail_now, address: str) -> list[Any]:
    """A reader signs up to `us` through the form and confirms: their two emails, as received."""
    mail_now(lambda: client.post("/signup/us/", {"email": address}))
    mail_now(
        lambda: client.post(path_of(link_in(smtp_messenger.to(address)[0].message, "confirm")))
    )
    return smtp_messenger.to(address)


def test_the_welcome_email_goes_out_with_the_readers_verp_envelope(
    client, edition, smtp_messenger, mail_now
) -> None:
    from headlines.delivery.message import read_verp

    address = "welcome@example.com"
    confirmation, welcome = signed_up_and_confirmed(client, smtp_messenger, mail_now, address)
    subscription = Subscription.objects.get()
    # No digest yet: 0 stands in its place; the reader is the subscription.
    assert read_verp(welcome.envelope_from) == (0, subscription.pk)
    assert welcome.envelope_from.endswith("@localhost")  # HEADLINES_MAIL_FROM's domain
    assert read_verp(confirmation.envelope_from) == (0, subscription.pk)


def test_sign_up_emails_wrap_their_text_at_72_columns_and_keep_links_whole(
    client, edition, settings, mail_now
) -> None:
    # Their plain text ran to 120 columns a line while the digest's wraps at 72, as the text
    # parts of emails do (RFC 3676's advice); a link is never broken, or it would not open.
    settings.BASE_URL = "https://newsletters.a-publisher-with-a-long-name.example"
    edition.name = "US Evening Headlines for readers of the Courier-Gazette"
    edition.save()
    address = "reader@example.com"
    mail_now(lambda: client.post("/signup/us/", {"email": address}))
    confirm_url = link_in(outbox(address)[0], "confirm")
    mail_now(lambda: client.post(path_of(confirm_url)))
    mail_now(lambda: client.post("/signup/us/", {"email": address}))
    confirmation, welcome, already = outbox(address)
    links = [
        confirm_url,
        link_in(welcome, "unsubscribe"),
        link_in(welcome, "preferences"),
        link_in(already, "unsubscribe"),
    ]
    assert all(len(link) > 72 for link in links)
    texts = [body(message) for message in (confirmation, welcome, already)]
    for text in texts:
        lines = text.splitlines()
        assert [line for line in lines if len(line) > 72 and "https://" not in line] == []
        assert any(len(line) > 60 for line in lines if "https://" not in line)  # filled, too
    assert confirm_url in texts[0].splitlines()
    assert f"Unsubscribe: {links[1]}" in texts[1].splitlines()
    assert f"Change your preferences: {links[2]}" in texts[1].splitlines()
    assert f"Unsubscribe: {links[3]}" in texts[2].splitlines()
    assert "news.example/privacy" in texts[0]  # the privacy link line, whole


def test_sign_up_emails_come_from_the_sender_the_digests_come_from(
    client, edition, smtp_messenger, mail_now
) -> None:
    # An edition without an address of its own had its confirmation and welcome come from the
    # whole HEADLINES_MAIL_FROM ("Evening Headlines <headlines@localhost>") and its digests from
    # the edition ("US Evening Headlines <headlines@localhost>"): the reader's first email
    # named a sender they never signed up to.
    from headlines.delivery.message import DigestTemplate
    from headlines.subscriptions.audience import audience_recipients
    from tests.delivery import factories as delivery_factories

    address = "reader@example.org"
    confirmation, welcome = signed_up_and_confirmed(client, smtp_messenger, mail_now, address)
    subscription = Subscription.objects.get()
    reader = audience_recipients(subscription_ids=[subscription.pk])[subscription.pk]
    digest = DigestTemplate(delivery_factories.digest(edition)).render(reader)
    digest_from = message_from_bytes(digest.raw, policy=policy.default)["From"]
    assert digest_from == "US Evening Headlines <headlines@localhost>"
    assert confirmation.message["From"] == welcome.message["From"] == digest_from


def test_a_one_day_confirmation_link_says_one_day(client, edition, settings, mail_now) -> None:
    # With HEADLINES_CONFIRM_MAX_AGE_DAYS=1 the email told the reader "The link works for 1 days."
    settings.CONFIG = {**settings.CONFIG, "HEADLINES_CONFIRM_MAX_AGE_DAYS": 1}
    mail_now(lambda: client.post("/signup/us/", {"email": "one@example.com"}))
    (confirmation,) = outbox("one@example.com")
    html = confirmation.get_body(("html",))
    assert html is not None
    for text in (" ".join(body(confirmation).split()), html.get_content()):
        assert "The link works for 1 day." in text and "1 days" not in text


def test_the_already_subscribed_email_can_be_left_in_one_click_as_the_welcome_can(
    client, edition, mail_now
) -> None:
    # It goes to a confirmed reader with an Unsubscribe link, but without the List-Unsubscribe
    # headers the welcome carries (the mail app's own "Unsubscribe" found nothing), and its
    # text part left out the privacy notice the other sign-up emails end with.
    address = "again@example.com"
    mail_now(lambda: client.post("/signup/us/", {"email": address}))
    mail_now(lambda: client.post(path_of(link_in(outbox(address)[0], "confirm"))))
    mail_now(lambda: client.post("/signup/us/", {"email": address}))
    _, welcome, already = outbox(address)
    assert already["Subject"] == "You are already subscribed to US Evening Headlines"
    unsubscribe = link_in(already, "unsubscribe")
    assert already["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert already["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert already["List-Id"] == welcome["List-Id"] == "<us.127.0.0.1>"
    assert "Read our privacy notice. https://news.example/privacy" in body(already)
    response = Client().post(path_of(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscription.objects.get().status == Subscription.Status.UNSUBSCRIBED
