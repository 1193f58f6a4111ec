import datetime as dt

import pytest

from headlines.core import clock
from headlines.digests.models import Digest
from headlines.subscriptions import selectors
from tests.subscriptions import factories

pytestmark = pytest.mark.django_db
# Noon in New York on Wednesday 25 November 2026; the US edition sends at 18:00 there.
NOON_NY = dt.datetime(2026, 11, 25, 17, 0, tzinfo=dt.UTC)


def next_at(subscription) -> dt.datetime | None:
    return selectors.subscription_next_digest_at(subscription=subscription)


def test_the_next_digest_is_this_evening_until_it_has_gone_out(edition) -> None:
    clock.set_clock(clock.FixedClock(NOON_NY))
    subscription = factories.confirmed(edition)
    assert next_at(subscription) == dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC)
    digest = Digest.objects.create(
        edition=edition, date=dt.date(2026, 11, 25), state=Digest.State.SENDING
    )
    # Going out, but not yet to this reader: delivery adds them, at their evening.
    assert next_at(subscription) == dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC)
    Digest.objects.filter(pk=digest.pk).update(state=Digest.State.SENT)
    assert next_at(subscription) == dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)


def test_a_digest_going_out_is_behind_a_reader_only_once_they_have_a_row_of_it(edition) -> None:
    from headlines.delivery.models import Delivery

    clock.set_clock(clock.FixedClock(NOON_NY))
    subscription, other = factories.confirmed(edition), factories.confirmed(edition)
    digest = Digest.objects.create(
        edition=edition, date=dt.date(2026, 11, 25), state=Digest.State.SENDING
    )
    due = {"next_attempt_at": NOON_NY, "deadline": NOON_NY + dt.timedelta(hours=12)}
    Delivery.objects.create(digest=digest, subscription=other, **due)
    # Another reader's row in the ledger says nothing of this one's: tonight's is still theirs.
    assert next_at(subscription) == dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC)
    assert next_at(other) == dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)
    Delivery.objects.create(digest=digest, subscription=subscription, **due)
    assert next_at(subscription) == dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)


def test_after_the_send_time_it_is_tomorrow(edition) -> None:
    clock.set_clock(clock.FixedClock(NOON_NY + dt.timedelta(hours=7)))  # 19:00 in New York
    assert next_at(factories.confirmed(edition)) == dt.datetime(2026, 11, 26, 23, 0, tzinfo=dt.UTC)


def test_the_readers_own_zone_and_hour_decide(edition) -> None:
    clock.set_clock(clock.FixedClock(NOON_NY))  # 18:00 in Berlin: their 07:00 has passed today
    subscription = factories.confirmed(edition)
    subscription.timezone, subscription.send_hour = "Europe/Berlin", 7
    subscription.save()
    assert next_at(subscription) == dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC)


def test_a_paused_edition_has_no_next_digest(edition) -> None:
    clock.set_clock(clock.FixedClock(NOON_NY))
    subscription = factories.confirmed(edition)
    edition.enabled = False
    edition.save()
    subscription.refresh_from_db()
    assert next_at(subscription) is None
