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
