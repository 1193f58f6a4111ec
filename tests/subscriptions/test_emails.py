import pytest

from headlines.subscriptions import services
from headlines.subscriptions.models import ConsentEvent, Subscription
from tests.subscriptions.conftest import link_in, path_of

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
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    from headlines.core.dkim import load_key

    private = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ed25519.Ed25519PrivateKey.generate()
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
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
