import datetime as dt

import pytest
from django.db import IntegrityError

from headlines.core.errors import Conflict, InvalidInput, NotFound
from headlines.core.models import OutboxMessage
from headlines.subscriptions import services
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription, Suppression
from tests.subscriptions import factories
from tests.subscriptions.conftest import outbox

Source = ConsentEvent.Source
Status = Subscription.Status
pytestmark = pytest.mark.django_db


def sign_up(edition, email="reader@example.com", *, marketing=False, ip="198.51.100.7"):
    services.subscription_request(
        email=email, edition_id=edition.pk, marketing=marketing, source=Source.FORM, ip=ip
    )


def test_sign_up_is_pending_with_consent_recorded_and_a_confirmation_sent(
    edition, mail_now
) -> None:
    mail_now(lambda: sign_up(edition, "Reader@Example.com", marketing=True))
    subscription = Subscription.objects.get()
    assert subscription.status == Status.PENDING
    assert subscription.subscriber.email == "Reader@example.com"
    assert subscription.subscriber.marketing is False  # not before the address is confirmed
    events = list(ConsentEvent.objects.values_list("purpose", "granted", "source", "wording"))
    assert events == [
        (
            "newsletter",
            True,
            "form",
            "Sign up to our free US Evening Headlines email for your daily guide to the "
            "latest news.",
        ),
        ("marketing", True, "form", "I would like to be emailed about offers, events and updates."),
    ]
    event = ConsentEvent.objects.first()
    assert event.privacy_version == "2026-01"
    assert event.ip_hash and "198.51.100.7" not in event.ip_hash
    [message] = outbox("Reader@example.com")
    assert message["Subject"] == "Please confirm your US Evening Headlines email"


def test_confirming_applies_marketing_and_sends_one_welcome(edition, mail_now) -> None:
    mail_now(lambda: sign_up(edition, marketing=True))
    subscription = Subscription.objects.get()
    mail_now(lambda: services.subscription_confirm(subscription_id=subscription.pk))
    mail_now(lambda: services.subscription_confirm(subscription_id=subscription.pk))
    subscription.refresh_from_db()
    assert subscription.status == Status.CONFIRMED and subscription.confirmed_at
    assert subscription.subscriber.marketing is True
    subjects = [m["Subject"] for m in outbox("reader@example.com")]
    assert subjects == [
        "Please confirm your US Evening Headlines email",
        "Welcome to US Evening Headlines",
    ]
    assert ConsentEvent.objects.filter(source=Source.CONFIRMATION).count() == 2


def test_a_confirmed_reader_signing_up_again_gets_already_subscribed_mail(
    edition, mail_now
) -> None:
    factories.confirmed(edition, email="known@example.com")
    mail_now(lambda: sign_up(edition, "known@example.com"))
    [message] = outbox("known@example.com")
    assert message["Subject"] == "You are already subscribed to US Evening Headlines"
    assert Subscription.objects.get().status == Status.CONFIRMED


def test_suppressed_addresses_get_no_confirmation_and_nothing_is_stored(edition, mail_now) -> None:
    services.suppression_add(email="bounced@example.com", reason=Suppression.Reason.HARD_BOUNCE)
    mail_now(lambda: sign_up(edition, "bounced@example.com"))
    assert not OutboxMessage.objects.exists()
    assert not Subscriber.objects.exists()


def test_unsubscribed_reader_signing_up_again_must_confirm_again(edition, mail_now) -> None:
    subscription = factories.confirmed(edition, email="back@example.com")
    services.subscription_unsubscribe(subscription_id=subscription.pk, source=Source.ONE_CLICK)
    mail_now(lambda: sign_up(edition, "back@example.com"))
    subscription.refresh_from_db()
    assert subscription.status == Status.PENDING
    assert [m["Subject"] for m in outbox("back@example.com")] == [
        "Please confirm your US Evening Headlines email"
    ]


def test_a_disabled_edition_takes_no_sign_ups(edition) -> None:
    edition.enabled = False
    edition.save()
    with pytest.raises(NotFound):
        sign_up(edition)
    assert not Subscriber.objects.exists()


def test_unsubscribe_is_recorded_once_and_confirm_cannot_undo_it(edition) -> None:
    subscription = factories.confirmed(edition)
    for _ in range(2):
        services.subscription_unsubscribe(
            subscription_id=subscription.pk, source=Source.ONE_CLICK, ip="192.0.2.1"
        )
    withdrawals = ConsentEvent.objects.filter(granted=False)
    assert [(e.source, e.wording) for e in withdrawals] == [
        ("one_click", "List-Unsubscribe=One-Click (RFC 8058)")
    ]
    with pytest.raises(Conflict):
        services.subscription_confirm(subscription_id=subscription.pk)
    with pytest.raises(InvalidInput):
        services.subscription_unsubscribe(subscription_id=subscription.pk, source="whim")


def test_import_confirmed_records_the_files_consent(edition) -> None:
    at = dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.UTC)
    subscription = services.subscription_import_confirmed(
        email="old@example.com",
        edition_id=edition.pk,
        consent_source="2023 print competition",
        consent_at=at,
        marketing=True,
        timezone="Europe/Paris",
        name="Ann <b>Old</b>",
    )
    assert subscription.status == Status.CONFIRMED
    assert subscription.confirmed_at == at
    assert subscription.timezone == "Europe/Paris"
    assert subscription.subscriber.name == "Ann <b>Old</b>"  # stored as typed, escaped on output
    [newsletter, marketing] = ConsentEvent.objects.all()
    assert newsletter.source == marketing.source == Source.IMPORT
    assert "2023 print competition" in newsletter.wording and "2024-05-01" in newsletter.wording


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"email": "not-an-address"}, InvalidInput),
        ({"timezone": "Mars/Olympus"}, InvalidInput),
        ({"name": "Ann\r\nBcc: x@y.com"}, InvalidInput),
        ({"consent_at": dt.datetime(2024, 5, 1)}, InvalidInput),
    ],
)
def test_import_confirmed_refuses_bad_input_and_stores_nothing(edition, changes, error) -> None:
    fields = {
        "email": "old@example.com",
        "edition_id": edition.pk,
        "consent_source": "list",
        "consent_at": dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
        **changes,
    }
    with pytest.raises(error):
        services.subscription_import_confirmed(**fields)
    assert not Subscriber.objects.exists() and not ConsentEvent.objects.exists()


def test_import_never_undoes_an_unsubscribe_or_a_suppression(edition) -> None:
    subscription = factories.confirmed(edition, email="gone@example.com")
    services.subscription_unsubscribe(subscription_id=subscription.pk, source=Source.FORM)
    with pytest.raises(Conflict, match="unsubscribed"):
        factories.confirmed(edition, email="gone@example.com")
    services.suppression_add(email="spam@example.com", reason=Suppression.Reason.COMPLAINT)
    with pytest.raises(Conflict, match="suppressed"):
        factories.confirmed(edition, email="spam@example.com")


def test_the_consent_ledger_is_append_only(edition) -> None:
    factories.confirmed(edition)
    event = ConsentEvent.objects.get()
    event.granted = False
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert ConsentEvent.objects.get().granted is True


def test_bulk_import_of_new_readers_writes_all_or_nothing(edition) -> None:
    at = dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.UTC)
    readers = [
        services.ImportedReader("a@example.com", "list", at, marketing=True, name="A"),
        services.ImportedReader("B@Example.com", "list", at, timezone="Asia/Tokyo"),
    ]
    assert services.subscribers_import_new(edition_id=edition.pk, readers=readers) == 2
    assert set(Subscription.objects.values_list("subscriber__email", "status", "timezone")) == {
        ("a@example.com", "confirmed", ""),
        ("B@example.com", "confirmed", "Asia/Tokyo"),
    }
    assert ConsentEvent.objects.filter(source=Source.IMPORT).count() == 3
    again = [services.ImportedReader("c@example.com", "list", at), readers[0]]
    with pytest.raises(IntegrityError):
        services.subscribers_import_new(edition_id=edition.pk, readers=again)
    assert not Subscriber.objects.filter(email="c@example.com").exists()
    services.suppression_add(email="d@example.com", reason=Suppression.Reason.COMPLAINT)
    with pytest.raises(Conflict):
        services.subscribers_import_new(
            edition_id=edition.pk, readers=[services.ImportedReader("d@example.com", "l", at)]
        )
