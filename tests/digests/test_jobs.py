import datetime as dt

import pytest

from headlines.core import clock, jobs, scheduler
from headlines.digests.models import Digest
from tests import factories
from tests.digests.factories import DAY, messy_day

pytestmark = pytest.mark.django_db

# Europe/London in November is UTC: the 18:00 send time is 18:00 UTC.
SEND = dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC)


def tick_at(moment: dt.datetime) -> None:
    clock.set_clock(clock.FixedClock(moment))
    jobs.run_job("digests.assemble_due", {})


def test_the_assembly_job_is_scheduled() -> None:
    assert "digests.assemble_due" in [p.name for p in scheduler.periodic_jobs()]


def test_draft_when_the_review_window_opens_and_approval_at_send_time() -> None:
    edition = factories.edition(timezone="Europe/London", send_at="18:00")
    edition.review_window_minutes = 90
    edition.save()
    clock.set_clock(clock.FixedClock(SEND - dt.timedelta(hours=6)))
    messy_day(edition, hostile=False)
    tick_at(SEND - dt.timedelta(minutes=91))
    assert not Digest.objects.filter(edition=edition).exists()
    tick_at(SEND - dt.timedelta(minutes=89))
    digest = Digest.objects.get(edition=edition, date=DAY)
    assert digest.state == Digest.State.DRAFT and digest.items.count() == 3
    tick_at(SEND - dt.timedelta(minutes=1))
    digest.refresh_from_db()
    assert digest.state == Digest.State.DRAFT
    tick_at(SEND)
    digest.refresh_from_db()
    assert digest.state == Digest.State.APPROVED and digest.approved_by.startswith("auto")
    tick_at(SEND + dt.timedelta(minutes=5))  # a re-run changes nothing
    assert Digest.objects.filter(edition=edition).count() == 1


def test_without_auto_approve_the_draft_waits_for_an_editor() -> None:
    edition = factories.edition(timezone="Europe/London", send_at="18:00")
    edition.auto_approve = False
    edition.save()
    tick_at(SEND + dt.timedelta(minutes=1))
    digest = Digest.objects.get(edition=edition, date=DAY)
    assert digest.state == Digest.State.DRAFT


def test_a_review_window_that_opens_before_midnight() -> None:
    edition = factories.edition(timezone="Europe/London", send_at="00:30")
    clock.set_clock(clock.FixedClock(SEND - dt.timedelta(hours=6)))
    messy_day(edition, hostile=False)
    tick_at(dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC))
    # Tomorrow's draft is up for review; today's, long past its send time, is not made late.
    assert list(Digest.objects.filter(edition=edition).values_list("date", flat=True)) == [
        dt.date(2026, 11, 26)
    ]
    tick_at(dt.datetime(2026, 11, 26, 0, 30, tzinfo=dt.UTC))
    digest = Digest.objects.get(edition=edition, date=dt.date(2026, 11, 26))
    assert digest.state == Digest.State.APPROVED


def test_a_day_without_stories_is_not_sent_and_the_log_says_so_once(caplog) -> None:
    edition = factories.edition(timezone="Europe/London", send_at="18:00")
    for minutes in (-30, 0, 5, 10):
        tick_at(SEND + dt.timedelta(minutes=minutes))
    digest = Digest.objects.get(edition=edition, date=DAY)
    assert digest.items.count() == 0
    assert digest.state == Digest.State.DRAFT and digest.approved_at is None  # nobody mailed
    said = [r for r in caplog.records if "has no stories at send time" in r.getMessage()]
    assert len(said) == 1 and said[0].levelname == "WARNING"


def test_articles_that_arrive_after_an_empty_draft_are_sent_at_send_time() -> None:
    edition = factories.edition(timezone="Europe/London", send_at="18:00")
    tick_at(SEND - dt.timedelta(minutes=100))  # the review window opens on an empty day
    digest = Digest.objects.get(edition=edition, date=DAY)
    assert not digest.items.exists()
    clock.set_clock(clock.FixedClock(SEND - dt.timedelta(minutes=30)))
    messy_day(edition, hostile=False)  # the feeds come back
    tick_at(SEND)
    digest.refresh_from_db()
    assert digest.state == Digest.State.APPROVED and digest.items.count() == 3
    built = digest.built_at
    tick_at(SEND + dt.timedelta(minutes=1))  # nothing new: no second build
    digest.refresh_from_db()
    assert digest.built_at == built


def test_a_draft_whose_stories_an_editor_dropped_is_not_rebuilt_or_sent() -> None:
    edition = factories.edition(timezone="Europe/London", send_at="18:00")
    clock.set_clock(clock.FixedClock(SEND - dt.timedelta(hours=6)))
    messy_day(edition, hostile=False)
    tick_at(SEND - dt.timedelta(minutes=100))
    digest = Digest.objects.get(edition=edition, date=DAY)
    digest.items.update(dropped=True)
    tick_at(SEND)
    digest.refresh_from_db()
    assert digest.state == Digest.State.DRAFT
    assert digest.items.count() == 3 and not digest.items.filter(dropped=False).exists()


def test_a_late_evening_digest_is_still_approved_after_midnight_within_the_window() -> None:
    # Sent at 23:59: the tick that should approve it ran a few minutes late (a busy worker, a
    # machine that slept), after midnight. The readers' window is open until 02:59.
    edition = factories.edition(timezone="Europe/London", send_at="23:59")
    clock.set_clock(clock.FixedClock(SEND - dt.timedelta(hours=6)))
    messy_day(edition, hostile=False)
    tick_at(dt.datetime(2026, 11, 25, 22, 30, tzinfo=dt.UTC))
    digest = Digest.objects.get(edition=edition, date=DAY)
    assert digest.state == Digest.State.DRAFT
    tick_at(dt.datetime(2026, 11, 26, 0, 4, tzinfo=dt.UTC))
    digest.refresh_from_db()
    assert digest.state == Digest.State.APPROVED
    # Long after the window, a day that was never built is not made late.
    tick_at(dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC))
    assert not Digest.objects.filter(edition=edition, date=dt.date(2026, 11, 26)).exists()


def test_after_sleeping_through_the_editions_evening_readers_further_west_still_get_it() -> None:
    # London sends at 18:00 UTC; its New York readers' evening is 23:00 UTC. The machine slept
    # from 15:00 to 22:00: London's readers' window has closed, New York's has not.
    from tests.subscriptions import factories as readers

    edition = factories.edition(timezone="Europe/London", send_at="18:00")
    reader = readers.confirmed(edition)
    reader.timezone = "America/New_York"
    reader.save()
    clock.set_clock(clock.FixedClock(SEND - dt.timedelta(hours=6)))
    messy_day(edition, hostile=False)
    tick_at(SEND + dt.timedelta(hours=4))
    digest = Digest.objects.get(edition=edition, date=DAY)
    assert digest.state == Digest.State.APPROVED
    # Once every reader's window has closed, nothing is made late any more.
    tick_at(SEND + dt.timedelta(days=1, hours=8, minutes=1))
    assert not Digest.objects.filter(edition=edition, date=DAY + dt.timedelta(days=1)).exists()
