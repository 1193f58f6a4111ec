import pytest

from headlines.core.errors import InvalidInput
from headlines.core.models import OutboxMessage
from headlines.subscriptions import preferences, services
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription, Suppression
from tests.subscriptions import factories
from tests.subscriptions.test_services import sign_up

Source = ConsentEvent.Source
Status = Subscription.Status
pytestmark = pytest.mark.django_db


def test_preferences_change_editions_marketing_and_delivery_time(edition, uk) -> None:
    subscription = factories.confirmed(edition)
    subscriber = subscription.subscriber
    preferences.subscriber_preferences_update(
        subscriber_id=subscriber.pk,
        edition_ids={uk.pk},
        marketing=True,
        timezone="Asia/Tokyo",
        send_hour=7,
    )
    rows = {s.edition.slug: s for s in subscriber.subscriptions.select_related("edition")}
    assert rows["us"].status == Status.UNSUBSCRIBED
    assert rows["uk"].status == Status.CONFIRMED
    assert {(s.timezone, s.send_hour) for s in rows.values()} == {("Asia/Tokyo", 7)}
    subscriber.refresh_from_db()
    assert subscriber.marketing
    sources = set(
        ConsentEvent.objects.filter(source=Source.PREFERENCES).values_list("purpose", "granted")
    )
    assert sources == {("newsletter", False), ("newsletter", True), ("marketing", True)}
    with pytest.raises(InvalidInput):
        preferences.subscriber_preferences_update(
            subscriber_id=subscriber.pk, edition_ids=set(), marketing=False, send_hour=24
        )


def test_ticking_an_edition_again_clears_the_old_leaving(edition) -> None:
    subscription = factories.confirmed(edition)
    subscriber_id = subscription.subscriber_id
    preferences.subscriber_preferences_update(
        subscriber_id=subscriber_id, edition_ids=set(), marketing=False
    )
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED and subscription.unsubscribed_at
    preferences.subscriber_preferences_update(
        subscriber_id=subscriber_id, edition_ids={edition.pk}, marketing=False
    )
    subscription.refresh_from_db()
    assert subscription.status == Status.CONFIRMED and subscription.unsubscribed_at is None
    granted = ConsentEvent.objects.filter(purpose="newsletter").order_by("id")
    assert list(granted.values_list("granted", flat=True))[-2:] == [False, True]  # both kept


def test_erase_deletes_the_reader_keeps_a_hashed_suppression_and_the_ledger(
    edition, mail_now
) -> None:
    mail_now(lambda: sign_up(edition, "private@example.com", marketing=True))
    subscription = Subscription.objects.get()
    mail_now(lambda: services.subscription_confirm(subscription_id=subscription.pk))
    preferences.subscriber_erase(subscriber_id=subscription.subscriber_id)
    assert not Subscriber.objects.exists() and not Subscription.objects.exists()
    assert not OutboxMessage.objects.exists()
    suppression = Suppression.objects.get()
    assert suppression.reason == Suppression.Reason.ERASED
    assert suppression.email_hash == email_hash("private@example.com")
    ledger = ConsentEvent.objects.all()
    assert ledger.count() == 6 and {e.subscriber_id for e in ledger} == {None}
    assert list(ledger.filter(wording__contains="erased").values_list("granted", flat=True)) == [
        False,
        False,
    ]
    mail_now(lambda: sign_up(edition, "private@example.com"))
    assert not OutboxMessage.objects.exists()  # never mailed by mistake again
