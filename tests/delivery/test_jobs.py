"""The scheduler's tick: each reader at their own evening, never outside the window."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import pytest
from django.test import Client

from headlines.core import clock, jobs, scheduler
from headlines.core.models import Edition
from headlines.core.worker import EmbeddedWorker
from headlines.delivery.models import Delivery
from headlines.delivery.selectors import digest_progress
from headlines.delivery.sender import new_owner
from headlines.digests.models import Digest, DigestItem
from headlines.digests.services import digest_approve
from headlines.subscriptions.models import Subscription
from tests.conftest import SMTPPeer
from tests.delivery import factories

pytestmark = pytest.mark.django_db(transaction=True)
DAY = dt.date(2026, 11, 25)


def at(hour: int, minute: int = 0) -> clock.FixedClock:
    return clock.FixedClock(dt.datetime(2026, 11, 25, hour, minute, tzinfo=dt.UTC))


def mailed(peer: SMTPPeer) -> list[str]:
    return sorted(m.recipients[0] for m in peer.received)


def tick() -> None:
    jobs.run_job("delivery.dispatch", {})


def test_the_tick_is_registered_with_the_scheduler() -> None:
    assert "delivery.dispatch" in {p.name for p in scheduler.periodic_jobs()}
    assert "delivery.send" in jobs.registered()


def test_each_reader_gets_it_at_their_local_evening(smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition(timezone="Europe/London")  # 18:00 London = 18:00 UTC in November
    factories.reader(ed, email="london@example.org")
    factories.reader(ed, email="newyork@example.org", timezone="America/New_York")
    factories.reader(ed, email="late@example.org", send_hour=20)
    digest = factories.digest(ed, day=DAY)
    fixed = at(17, 30)
    clock.set_clock(fixed)

    tick()
    assert mailed(smtp_messenger) == [] and not Delivery.objects.exists()

    fixed.advance(minutes=31)  # 18:01 UTC
    tick()
    assert mailed(smtp_messenger) == ["london@example.org"]
    fixed.advance(hours=2, minutes=5)  # 20:06 UTC
    tick()
    assert mailed(smtp_messenger) == ["late@example.org", "london@example.org"]
    fixed.advance(hours=3)  # 23:06 UTC = 18:06 in New York
    tick()
    assert mailed(smtp_messenger) == [
        "late@example.org",
        "london@example.org",
        "newyork@example.org",
    ]
    tick()
    digest.refresh_from_db()
    assert digest.state == Digest.State.SENT and len(smtp_messenger.received) == 3


def test_after_downtime_late_readers_are_skipped_and_reported_not_mailed_at_night(
    smtp_messenger: SMTPPeer, caplog: pytest.LogCaptureFixture
) -> None:
    ed = factories.edition(timezone="Europe/London")
    factories.reader(ed, email="london@example.org")  # due 18:00, window closes 21:00
    factories.reader(ed, email="late@example.org", send_hour=20)  # due 20:00, closes 23:00
    digest = factories.digest(ed, day=DAY)
    clock.set_clock(at(21, 30))  # the service was down from before 18:00 until 21:30

    tick()

    assert mailed(smtp_messenger) == ["late@example.org"]
    progress = digest_progress(digest_id=digest.pk)
    assert (progress.sent, progress.skipped) == (1, 1)
    assert "1 readers skipped" in caplog.text


def test_readers_who_join_while_it_goes_out_get_it_too_or_are_reported_skipped(
    smtp_messenger: SMTPPeer,
) -> None:
    ed = factories.edition(timezone="Europe/London")
    factories.reader(ed, email="london@example.org")
    factories.reader(ed, email="newyork@example.org", timezone="America/New_York")
    pending = factories.reader(ed, email="pending@example.org", status="pending")
    digest = factories.digest(ed, day=DAY)
    fixed = at(18, 1)
    clock.set_clock(fixed)
    tick()
    assert mailed(smtp_messenger) == ["london@example.org"]

    fixed.advance(minutes=59)  # 19:00: the send is under way (New York's evening is to come)
    Subscription.objects.filter(pk=pending.pk).update(status="confirmed", confirmed_at=fixed.now())
    # Imported from a CSV: confirmed long ago by its consent date, but new to the edition.
    imported = factories.reader(ed, email="imported@example.org")
    Subscription.objects.filter(pk=imported.pk).update(
        confirmed_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    )
    factories.reader(ed, email="joined-ny@example.org", timezone="America/New_York")
    tick()
    assert mailed(smtp_messenger) == [
        "imported@example.org",
        "london@example.org",
        "pending@example.org",
    ]

    fixed.advance(hours=2, minutes=30)  # 21:30: London's window has closed
    factories.reader(ed, email="too-late@example.org")
    tick()
    assert "too-late@example.org" not in mailed(smtp_messenger)
    too_late = Delivery.objects.get(subscription__subscriber__email="too-late@example.org")
    assert too_late.state == Delivery.State.SKIPPED and "window passed" in too_late.last_reply

    fixed.advance(hours=1, minutes=36)  # 23:06 UTC = 18:06 in New York
    tick()
    tick()
    assert Counter(m.recipients[0] for m in smtp_messenger.received) == {
        "london@example.org": 1,
        "pending@example.org": 1,
        "imported@example.org": 1,
        "newyork@example.org": 1,
        "joined-ny@example.org": 1,
    }
    digest.refresh_from_db()
    assert digest.state == Digest.State.SENT


def test_a_draft_is_never_sent_by_the_tick(smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition()
    factories.reader(ed)
    factories.digest(ed, day=DAY, state="draft")
    clock.set_clock(at(18, 30))
    tick()
    assert smtp_messenger.received == [] and not Delivery.objects.exists()


def test_a_bad_reader_zone_falls_back_to_the_edition(smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition(timezone="Europe/London")
    factories.reader(ed, email="odd@example.org", timezone="Mars/Olympus_Mons")
    factories.digest(ed, day=DAY)
    clock.set_clock(at(18, 1))
    tick()
    assert mailed(smtp_messenger) == ["odd@example.org"]


def test_the_embedded_worker_runs_the_same_jobs(smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition(timezone="Europe/London")
    factories.readers(ed, 12)
    factories.digest(ed, day=DAY)
    clock.set_clock(at(18, 5))
    backend = EmbeddedWorker(threads=2, poll_seconds=0.05).start()
    previous = jobs.set_backend(backend)
    try:
        sched = scheduler.Scheduler(tick_seconds=30)
        assert "delivery.dispatch" in sched.tick(now=0.0)
        # The dispatch job queues the send job on the same pool; wait for its work to arrive.
        end = time.monotonic() + 20
        while len(smtp_messenger.received) < 12 and time.monotonic() < end:
            time.sleep(0.05)
    finally:
        backend.stop()
        jobs.set_backend(previous)
    assert len(smtp_messenger.received) == 12


class Doorbells:
    def __init__(self) -> None:
        self.rung: list[tuple[int, float]] = []

    def ring(self, job_ids: list[int], delay: float = 0.0, long: bool = False) -> None:
        self.rung += [(i, delay) for i in job_ids]


def test_in_the_celery_tier_a_send_job_queues_the_next_so_every_worker_joins(
    smtp_messenger: SMTPPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.conf import settings

    from headlines.core.models import Job

    monkeypatch.setitem(settings.CONFIG, "HEADLINES_BROKER_URL", "amqp://127.0.0.1:1//")
    bells = Doorbells()
    previous = jobs.set_backend(bells)
    try:
        ed = factories.edition()
        factories.readers(ed, 30)
        digest = factories.digest(ed, day=DAY)
        clock.set_clock(at(18, 5))
        tick()  # dispatch: the ledger is filled, one send job waits
        waiting = Job.objects.get(kind="delivery.send", status=Job.Status.QUEUED)
        assert waiting.key == f"delivery.send:{digest.pk}"
        assert jobs.run_by_id(waiting.pk)  # a worker takes it: first it queues the next one
        [spare] = Job.objects.filter(kind="delivery.send", status=Job.Status.QUEUED)
        assert spare.pk != waiting.pk and (spare.pk, 0.0) in bells.rung
        assert len(smtp_messenger.received) == 30
        assert jobs.run_by_id(spare.pk)  # nothing left: the chain ends here
        assert not Job.objects.filter(kind="delivery.send", status=Job.Status.QUEUED).exists()
    finally:
        jobs.set_backend(previous)


def test_a_send_that_ends_with_rows_under_a_dead_senders_lease_comes_back_for_them(
    smtp_messenger: SMTPPeer,
) -> None:
    from django.conf import settings

    from headlines.core.models import Job
    from headlines.delivery import ledger, services

    ed = factories.edition()
    factories.readers(ed, 10)
    digest = factories.digest(ed, day=DAY)
    fixed = at(18, 5)
    clock.set_clock(fixed)
    ledger.fill(digest=digest, now=fixed.now(), send_now=True)
    dead = new_owner()  # a sender on this machine, as the restarted worker's
    ledger.claim(digest_id=digest.pk, owner=dead, limit=4, now=fixed.now())  # then it died
    bells = Doorbells()
    previous = jobs.set_backend(bells)
    try:
        services.delivery_send_due(digest_id=digest.pk)
        assert len(smtp_messenger.received) == 6
        [back] = Job.objects.filter(kind="delivery.send", status=Job.Status.QUEUED)
        lease = settings.CONFIG["HEADLINES_DELIVERY_LEASE_SECONDS"]
        assert back.run_after == fixed.now() + dt.timedelta(seconds=lease + 0.5)
        fixed.advance(seconds=lease + 1)
        assert jobs.run_by_id(back.pk)
    finally:
        jobs.set_backend(previous)
    assert len(smtp_messenger.received) == 10
    assert not Job.objects.filter(kind="delivery.send", status=Job.Status.QUEUED).exists()


def subjects(peer: SMTPPeer) -> dict[str, list[str]]:
    got: dict[str, list[str]] = {}
    for m in peer.received:
        got.setdefault(m.recipients[0], []).append(str(m.message["Subject"]))
    return got


def test_a_reader_whose_evening_comes_before_the_editions_gets_it_at_their_next_evening(
    smtp_messenger: SMTPPeer,
) -> None:
    # London sends at 18:00 (18:00 UTC in November). Far to the east, a reader's 18:00 comes
    # hours before the day's digest exists: they get it at their next evening, every day.
    ed = factories.edition(timezone="Europe/London")
    factories.reader(ed, email="london@example.org")
    factories.reader(ed, email="tokyo@example.org", timezone="Asia/Tokyo")  # +9
    factories.reader(ed, email="kathmandu@example.org", timezone="Asia/Kathmandu")  # +5:45
    factories.reader(ed, email="kiritimati@example.org", timezone="Pacific/Kiritimati")  # +14
    factories.reader(ed, email="chatham@example.org", timezone="Pacific/Chatham")  # +13:45
    factories.digest(ed, day=DAY, subject="Wednesday")
    fixed = at(18, 1)
    clock.set_clock(fixed)
    tick()
    assert mailed(smtp_messenger) == ["london@example.org"]

    # 18:00 on Thursday in each reader's zone, in UTC: each gets Wednesday's digest then.
    for email, evening in [
        ("kiritimati@example.org", dt.datetime(2026, 11, 26, 4, 0, tzinfo=dt.UTC)),
        ("chatham@example.org", dt.datetime(2026, 11, 26, 4, 15, tzinfo=dt.UTC)),
        ("tokyo@example.org", dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)),
        ("kathmandu@example.org", dt.datetime(2026, 11, 26, 12, 15, tzinfo=dt.UTC)),
    ]:
        fixed.at = evening - dt.timedelta(minutes=1)
        tick()
        assert email not in mailed(smtp_messenger)
        fixed.at = evening + dt.timedelta(minutes=1)
        tick()
        assert email in mailed(smtp_messenger)

    # Thursday's digest: London at 18:00 on Thursday, the others at 18:00 on Friday.
    factories.digest(ed, day=DAY + dt.timedelta(days=1), subject="Thursday")
    fixed.at = dt.datetime(2026, 11, 26, 18, 1, tzinfo=dt.UTC)
    while fixed.now() < dt.datetime(2026, 11, 27, 13, 0, tzinfo=dt.UTC):
        tick()
        fixed.advance(minutes=10)
    assert subjects(smtp_messenger) == {
        email: ["Wednesday", "Thursday"]
        for email in (
            "london@example.org",
            "tokyo@example.org",
            "kathmandu@example.org",
            "kiritimati@example.org",
            "chatham@example.org",
        )
    }


def _prefer(sub: Subscription, *, timezone: str = "", send_hour: int | None = None) -> None:
    from headlines.subscriptions.preferences import subscriber_preferences_update

    subscriber_preferences_update(
        subscriber_id=sub.subscriber_id,
        edition_ids={sub.edition_id},
        marketing=False,
        timezone=timezone,
        send_hour=send_hour,
    )


def test_a_reader_who_changes_their_hour_after_the_send_began_gets_it_once_at_the_new_hour(
    smtp_messenger: SMTPPeer,
) -> None:
    ed = factories.edition(timezone="Europe/London")  # 18:00 London = 18:00 UTC in November
    factories.reader(ed, email="london@example.org")
    earlier = factories.reader(ed, email="earlier@example.org", send_hour=22)
    later = factories.reader(ed, email="later@example.org", send_hour=20)
    moved = factories.reader(ed, email="moved@example.org", timezone="America/New_York")
    sent = factories.reader(ed, email="sent@example.org")
    digest = factories.digest(ed, day=DAY)
    fixed = at(18, 1)
    clock.set_clock(fixed)
    tick()
    assert mailed(smtp_messenger) == ["london@example.org", "sent@example.org"]

    fixed.advance(minutes=29)  # 18:30: every row is in the ledger, at the old hours
    _prefer(earlier, timezone="Europe/London", send_hour=19)
    _prefer(later, timezone="Europe/London", send_hour=23)
    _prefer(moved, timezone="Europe/London", send_hour=21)  # New York's 18:00 was 23:00 here
    _prefer(sent, timezone="America/New_York", send_hour=18)  # had it already: not again

    for hour, minute, expected in [
        (19, 1, {"earlier@example.org"}),
        (20, 1, set()),  # the later reader's old hour
        (21, 1, {"moved@example.org"}),
        (23, 1, {"later@example.org"}),
        (23, 6, set()),  # New York's evening: the reader there had it at London's 18:00
    ]:
        before = set(mailed(smtp_messenger))
        fixed.at = dt.datetime(2026, 11, 25, hour, minute, tzinfo=dt.UTC)
        tick()
        assert set(mailed(smtp_messenger)) - before == expected, (hour, minute)
    fixed.advance(hours=4)
    tick()
    assert Counter(mailed(smtp_messenger)) == {
        "london@example.org": 1,
        "sent@example.org": 1,
        "earlier@example.org": 1,
        "later@example.org": 1,
        "moved@example.org": 1,
    }
    digest.refresh_from_db()
    assert digest.state == Digest.State.SENT


def test_the_next_digest_a_reader_joining_mid_send_is_told_of_is_the_one_they_get(
    smtp_messenger: SMTPPeer,
) -> None:
    from headlines.subscriptions.selectors import subscription_next_digest_at

    ed = factories.edition(timezone="Europe/London")
    factories.reader(ed, email="london@example.org")
    factories.reader(ed, email="newyork@example.org", timezone="America/New_York")
    factories.digest(ed, day=DAY)
    fixed = at(18, 1)
    clock.set_clock(fixed)
    tick()  # under way: New York's evening is to come
    fixed.advance(minutes=59)  # 19:00 UTC
    joined = factories.reader(ed, email="joined-ny@example.org", timezone="America/New_York")
    told = subscription_next_digest_at(subscription=joined)
    # London readers' evening has passed: theirs is tomorrow's.
    london = factories.reader(ed, email="joined-london@example.org")
    assert subscription_next_digest_at(subscription=london) == dt.datetime(
        2026, 11, 26, 18, 0, tzinfo=dt.UTC
    )
    tick()
    fixed.at = dt.datetime(2026, 11, 25, 23, 1, tzinfo=dt.UTC)
    tick()
    assert "joined-ny@example.org" in mailed(smtp_messenger)
    assert told == dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC)
    # Once they have had it, the next one is tomorrow's.
    assert subscription_next_digest_at(subscription=joined) == dt.datetime(
        2026, 11, 26, 23, 0, tzinfo=dt.UTC
    )


def test_a_reader_whose_window_spans_their_own_clock_change_is_not_skipped(
    smtp_messenger: SMTPPeer,
) -> None:
    # Moscow sends at 18:00 (15:00 UTC). At Lord Howe (+11, +10:30 from 02:00 on Sunday 5 April
    # 2026) a reader's 23:00 is 12:00 UTC: their window closes just as Moscow sends, so they get
    # each day's digest at their next evening. On Saturday night the window runs over their
    # clocks going back: it still closes at 15:00 UTC, when Saturday's digest is only sent.
    ed = factories.edition(timezone="Europe/Moscow")
    factories.reader(ed, email="moscow@example.org")
    factories.reader(ed, email="lordhowe@example.org", timezone="Australia/Lord_Howe", send_hour=23)
    # Each approved at Moscow's send time, as digests.assemble_due does.
    days = {
        factories.digest(ed, day=day, subject=name, state="draft").pk: dt.datetime(
            day.year, day.month, day.day, 15, 0, tzinfo=dt.UTC
        )
        for day, name in [(dt.date(2026, 4, 3), "Friday"), (dt.date(2026, 4, 4), "Saturday")]
    }
    fixed = clock.FixedClock(dt.datetime(2026, 4, 3, 14, 0, tzinfo=dt.UTC))
    clock.set_clock(fixed)
    while fixed.now() < dt.datetime(2026, 4, 5, 16, 0, tzinfo=dt.UTC):
        for pk, sends in days.items():
            if fixed.now() >= sends:
                Digest.objects.filter(pk=pk, state="draft").update(state="approved")
        tick()
        fixed.advance(minutes=15)
    assert subjects(smtp_messenger) == {
        "moscow@example.org": ["Friday", "Saturday"],
        "lordhowe@example.org": ["Friday", "Saturday"],
    }
    assert not Delivery.objects.filter(state=Delivery.State.SKIPPED).exists()


def test_a_reader_whose_new_evening_has_passed_gets_it_at_their_next_not_at_night(
    smtp_messenger: SMTPPeer,
) -> None:
    ed = factories.edition(timezone="Europe/London")
    factories.reader(ed, email="london@example.org")
    tokyo = factories.reader(ed, email="tokyo@example.org", timezone="Asia/Tokyo")
    factories.digest(ed, day=DAY, subject="Wednesday")
    fixed = at(18, 1)
    clock.set_clock(fixed)
    tick()
    # Thursday 08:00 UTC: Wednesday's is due at 18:00 in Tokyo (09:00 UTC); the reader moves
    # to New York, whose Wednesday evening has gone: 04:00 there is night, not their evening.
    fixed.at = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC)
    _prefer(tokyo, timezone="America/New_York")
    fixed.at = dt.datetime(2026, 11, 26, 9, 1, tzinfo=dt.UTC)
    tick()
    assert "tokyo@example.org" not in mailed(smtp_messenger)
    fixed.at = dt.datetime(2026, 11, 26, 23, 1, tzinfo=dt.UTC)  # 18:01 in New York
    tick()
    assert subjects(smtp_messenger)["tokyo@example.org"] == ["Wednesday"]


def test_a_zone_a_reimport_changes_mid_send_moves_the_readers_waiting_digest(
    smtp_messenger: SMTPPeer,
) -> None:
    # The reader's own preferences page moved waiting deliveries to the new evening; a CSV or
    # API import that changed the zone left the row at the old one (New York's 23:00 UTC for a
    # reader now in London, whose 18:00 had passed: mailed at their 23:00, not at once).
    from headlines.subscriptions.services import subscription_import_confirmed

    ed = factories.edition(timezone="Europe/London")
    factories.reader(ed, email="london@example.org")
    moved = factories.reader(ed, email="moved@example.org", timezone="America/New_York")
    factories.digest(ed, day=DAY)
    fixed = at(18, 1)
    clock.set_clock(fixed)
    tick()
    assert mailed(smtp_messenger) == ["london@example.org"]
    fixed.advance(minutes=29)
    subscription_import_confirmed(
        email="moved@example.org",
        edition_id=ed.pk,
        consent_source="crm",
        consent_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        timezone="Europe/London",
    )
    assert Subscription.objects.get(pk=moved.pk).timezone == "Europe/London"
    fixed.advance(minutes=1)
    tick()  # 18:31: London's evening, still in its window
    assert Counter(mailed(smtp_messenger)) == {"london@example.org": 1, "moved@example.org": 1}
    fixed.at = dt.datetime(2026, 11, 25, 23, 1, tzinfo=dt.UTC)
    tick()
    assert Counter(mailed(smtp_messenger)) == {"london@example.org": 1, "moved@example.org": 1}


def _draft(ed: Edition, subject: str) -> Digest:
    """Wednesday's draft with a story, for an editor (or the approval job) to approve."""
    draft = factories.digest(ed, day=DAY, subject=subject, state="draft")
    DigestItem.objects.create(digest=draft, position=1, headline="Talks resume")
    return draft


def _run_until(fixed: clock.FixedClock, end: dt.datetime, peer: SMTPPeer) -> dict[str, dt.datetime]:
    """Tick every 10 minutes until `end`; when each address was first mailed."""
    first: dict[str, dt.datetime] = {}
    while fixed.now() < end:
        tick()
        for email in mailed(peer):
            first.setdefault(email, fixed.now())
        fixed.advance(minutes=10)
    return first


def test_a_reader_whose_window_closed_before_the_editor_approved_gets_it_at_their_next_evening(
    smtp_messenger: SMTPPeer,
) -> None:
    # London sends at 18:00 (18:00 UTC in November); the editor approves Wednesday's only at
    # 19:30, when the window of a reader who chose 16:00 (16:00 to 19:00) has closed.
    ed = factories.edition(timezone="Europe/London")
    factories.reader(ed, email="london@example.org")  # 18:00 to 21:00: still open
    factories.reader(ed, email="early@example.org", send_hour=16)
    digest = _draft(ed, "Wednesday")
    fixed = at(19, 30)
    clock.set_clock(fixed)
    digest_approve(digest_id=digest.pk, by="editor")

    first = _run_until(fixed, dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.UTC), smtp_messenger)

    # Not lost, and not at night: at 16:00 on Thursday, their next evening, once.
    assert first["london@example.org"] == dt.datetime(2026, 11, 25, 19, 30, tzinfo=dt.UTC)
    assert first["early@example.org"] == dt.datetime(2026, 11, 26, 16, 0, tzinfo=dt.UTC)
    assert subjects(smtp_messenger) == {
        "london@example.org": ["Wednesday"],
        "early@example.org": ["Wednesday"],
    }
    assert not Delivery.objects.filter(state=Delivery.State.SKIPPED).exists()
    digest.refresh_from_db()
    assert digest.state == Digest.State.SENT


def test_a_reader_whose_window_closes_minutes_after_the_send_time_is_not_skipped(
    smtp_messenger: SMTPPeer,
) -> None:
    # The edition sends at 18:59; a reader's 16:00 window closes at 19:00, a minute later. The
    # approval lands at 18:59:40 (the approval job ticks once a minute) and the scheduler's
    # next tick comes at 19:00:10: the minute between was all the slack that reader had.
    ed = factories.edition(timezone="Europe/London", send_at=dt.time(18, 59))
    factories.reader(ed, email="london@example.org", send_hour=18)  # 18:00 to 21:00
    factories.reader(ed, email="early@example.org", send_hour=16)
    digest = _draft(ed, "Wednesday")
    fixed = at(18, 59)
    fixed.advance(seconds=40)
    clock.set_clock(fixed)
    digest_approve(digest_id=digest.pk, by="auto-approve at send time")
    fixed.advance(seconds=30)

    first = _run_until(fixed, dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.UTC), smtp_messenger)

    assert first["london@example.org"] == dt.datetime(2026, 11, 25, 19, 0, 10, tzinfo=dt.UTC)
    # Their window left no time to send: they get it at their next evening, every day.
    assert first["early@example.org"] == dt.datetime(2026, 11, 26, 16, 0, 10, tzinfo=dt.UTC)
    assert subjects(smtp_messenger)["early@example.org"] == ["Wednesday"]
    assert not Delivery.objects.filter(state=Delivery.State.SKIPPED).exists()


def test_a_digest_an_editor_approves_days_late_still_reaches_every_reader_once(
    smtp_messenger: SMTPPeer,
) -> None:
    # Wednesday's digest approved on Friday at 21:30 UTC, after the London readers' window:
    # they get it at 18:00 on Saturday, when the scheduler no longer looks back to Wednesday.
    ed = factories.edition(timezone="Europe/London")
    factories.reader(ed, email="london@example.org")
    factories.reader(ed, email="newyork@example.org", timezone="America/New_York")
    digest = _draft(ed, "Wednesday")
    fixed = clock.FixedClock(dt.datetime(2026, 11, 27, 21, 30, tzinfo=dt.UTC))
    clock.set_clock(fixed)
    digest_approve(digest_id=digest.pk, by="editor")

    first = _run_until(fixed, dt.datetime(2026, 11, 28, 19, 0, tzinfo=dt.UTC), smtp_messenger)

    assert first == {
        "newyork@example.org": dt.datetime(2026, 11, 27, 23, 0, tzinfo=dt.UTC),  # 18:00 there
        "london@example.org": dt.datetime(2026, 11, 28, 18, 0, tzinfo=dt.UTC),
    }
    assert Counter(mailed(smtp_messenger)) == {"london@example.org": 1, "newyork@example.org": 1}
    digest.refresh_from_db()
    assert digest.state == Digest.State.SENT


def test_staff_moving_the_editions_send_time_move_the_digests_still_waiting(
    smtp_messenger: SMTPPeer, client: Client
) -> None:
    # A reader's time zone and hour cannot be changed in the admin (the subscription is
    # read-only there), but the edition's can, and a reader who chose no hour of their own
    # reads at the edition's. Changed while a digest waited, the rows stayed at the old hour:
    # the reader in New York got it at 18:00 there after staff had moved the edition to 20:00.
    from django.contrib.auth.models import User

    from tests.core.test_admin import edition_form

    ed = factories.edition(timezone="Europe/London")  # 18:00 London = 18:00 UTC in November
    factories.reader(ed, email="london@example.org")
    newyork = factories.reader(ed, email="newyork@example.org", timezone="America/New_York")
    factories.digest(ed, day=DAY)
    fixed = at(18, 1)
    clock.set_clock(fixed)
    tick()
    assert mailed(smtp_messenger) == ["london@example.org"]

    fixed.advance(minutes=29)
    client.force_login(User.objects.create_superuser("ed", "ed@newsroom.example", "pw-1234567"))
    # The reader's own zone stays as they chose it: the admin has no field to change it with
    # (were one added, it would have to move their waiting digests as the preferences do).
    reader_page = f"/admin/subscriptions/subscription/{newyork.pk}/change/"
    client.post(reader_page, {"timezone": "Europe/London", "send_hour": "7"})
    newyork.refresh_from_db()
    assert (newyork.timezone, newyork.send_hour) == ("America/New_York", None)
    form = edition_form(
        slug=ed.slug, name=ed.name, timezone=ed.timezone, send_at="20:00", enabled="on"
    )
    response = client.post(f"/admin/core/edition/{ed.pk}/change/", form, follow=True)
    moved = "Waiting deliveries moved to the readers&#x27; new evening: 1."
    assert response.status_code == 200 and moved in response.content.decode()

    fixed.at = dt.datetime(2026, 11, 25, 23, 6, tzinfo=dt.UTC)  # 18:06 in New York
    tick()
    assert mailed(smtp_messenger) == ["london@example.org"]
    fixed.at = dt.datetime(2026, 11, 26, 1, 6, tzinfo=dt.UTC)  # 20:06 in New York
    tick()
    assert mailed(smtp_messenger) == ["london@example.org", "newyork@example.org"]
