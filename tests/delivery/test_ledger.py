from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from headlines.delivery import ledger
from headlines.delivery.channels import Reply, Verdict
from headlines.delivery.ledger import Outcome
from headlines.delivery.models import Delivery
from headlines.delivery.sender import classify
from headlines.digests.models import Digest
from headlines.subscriptions import audience
from headlines.subscriptions.models import Subscription
from headlines.subscriptions.services import subscription_import_confirmed
from tests.delivery import factories

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 25, 18, 30, tzinfo=dt.UTC)
State = Delivery.State


def due_now(*, readers: int) -> Digest:
    """An approved digest of a new edition with `readers` readers, every one due at NOW."""
    ed = factories.edition()
    factories.readers(ed, readers)
    digest = factories.digest(ed)
    ledger.fill(digest=digest, now=NOW, send_now=True)
    return digest


def test_fill_is_idempotent_and_adds_only_new_readers() -> None:
    ed = factories.edition()
    factories.readers(ed, 30)
    factories.reader(ed, status="pending")
    digest = factories.digest(ed)
    assert ledger.fill(digest=digest, now=NOW, send_now=True) == 30
    assert ledger.fill(digest=digest, now=NOW, send_now=True) == 0
    factories.reader(ed)
    assert ledger.fill(digest=digest, now=NOW, send_now=True) == 1
    assert Delivery.objects.filter(digest=digest).count() == 31
    row = Delivery.objects.first()
    assert row is not None and row.message_id.startswith(f"<headlines.{digest.pk}.")


def test_fill_spans_several_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger, "FILL_CHUNK", 7)
    ed = factories.edition()
    factories.readers(ed, 50)
    assert ledger.fill(digest=factories.digest(ed), now=NOW, send_now=True) == 50


def test_each_reader_is_due_at_their_own_evening() -> None:
    ed = factories.edition(timezone="Europe/Paris", send_at="18:00")
    default = factories.reader(ed)
    tokyo = factories.reader(ed, timezone="Asia/Tokyo", send_hour=19)
    helsinki = factories.reader(ed, timezone="Europe/Helsinki")
    digest = factories.digest(ed, day=dt.date(2026, 11, 25))
    ledger.fill(digest=digest, now=NOW, send_now=False)
    paris = Delivery.objects.get(subscription=default)
    japan = Delivery.objects.get(subscription=tokyo)
    finland = Delivery.objects.get(subscription=helsinki)
    assert paris.next_attempt_at == dt.datetime(2026, 11, 25, 17, 0, tzinfo=dt.UTC)
    # 19:00 on the 25th in Tokyo (10:00 UTC) closes its window hours before Paris sends:
    # the 25th's digest is theirs at 19:00 on the 26th.
    assert japan.next_attempt_at == dt.datetime(2026, 11, 26, 10, 0, tzinfo=dt.UTC)
    # An hour ahead of Paris, the window is still open when Paris sends: the same evening.
    assert finland.next_attempt_at == dt.datetime(2026, 11, 25, 16, 0, tzinfo=dt.UTC)
    assert paris.deadline - paris.next_attempt_at == dt.timedelta(hours=3)


@pytest.mark.parametrize(("per_statement", "statements"), [(200, 4), (3, 12)])
def test_a_slice_of_readers_in_many_zones_and_hours_is_one_statement(
    monkeypatch: pytest.MonkeyPatch, per_statement: int, statements: int
) -> None:
    """Every reader is due at their own evening, and each slice of the audience is one INSERT
    whatever the number of zones and hours (it was one a zone and hour: at a million readers in
    20 zones, 1,124 statements that read every slice 20 times); past FILL_COHORTS of them, a
    few (8 zones and hours, 3 a statement: 3 a slice)."""
    monkeypatch.setattr(ledger, "FILL_CHUNK", 7)
    monkeypatch.setattr(ledger, "FILL_COHORTS", per_statement)
    ed = factories.edition(timezone="Europe/Paris", send_at="18:00")
    kinds = [
        ("", None),
        ("", 20),
        ("Asia/Tokyo", None),
        ("Asia/Tokyo", 7),
        ("Asia/Tokyo", 19),
        ("America/New_York", 0),
        ("America/New_York", 23),
        ("Europe/Helsinki", None),
    ]
    readers = [factories.reader(ed, timezone=z, send_hour=h) for z, h in kinds for _ in range(3)]
    factories.reader(ed, timezone="Pacific/Auckland", status="pending")
    factories.reader(ed, timezone="Europe/Lisbon", status="unsubscribed")
    factories.reader(factories.edition(slug="other"), timezone="Asia/Dubai")
    digest = factories.digest(ed, day=dt.date(2026, 11, 25))
    cohorts = audience.audience_cohorts(edition=ed, day=digest.date)
    assert {(c.timezone, c.send_hour) for c in cohorts} == set(kinds)
    assert len(cohorts) == len(kinds)
    with CaptureQueriesContext(connection) as queries:
        assert ledger.fill(digest=digest, now=NOW, send_now=False) == len(readers)
    inserts = [q for q in queries if q["sql"].lstrip().startswith("INSERT INTO delivery_")]
    assert len(inserts) == statements  # 24 readers, 7 a slice: 4 slices
    window = dt.timedelta(hours=float(settings.CONFIG["HEADLINES_SEND_WINDOW_HOURS"]))
    for sub in readers:
        row = Delivery.objects.get(digest=digest, subscription=sub)
        due = audience.due_at(
            edition=ed, day=digest.date, timezone=sub.timezone, send_hour=sub.send_hour
        )
        assert (row.state, row.next_attempt_at, row.deadline) == ("queued", due, due + window)
    assert Delivery.objects.filter(digest=digest).count() == len(readers)


def test_readers_due_together_are_written_together() -> None:
    """Readers who signed up in turn from three zones: the ledger writes each zone's rows one
    after another, so the rows a due zone's send reads lie together (one in three of every
    page of the table, at a million, made the sweep read the whole ledger each tick)."""
    ed = factories.edition(timezone="Europe/London", send_at="18:00")
    for _ in range(4):
        for zone in ("Asia/Tokyo", "Europe/Athens", "America/New_York"):
            factories.reader(ed, timezone=zone)
    digest = factories.digest(ed, day=dt.date(2026, 11, 25))
    assert ledger.fill(digest=digest, now=NOW, send_now=False) == 12
    rows = list(Delivery.objects.order_by("id").values_list("next_attempt_at", "subscription_id"))
    assert rows == sorted(rows)


def test_a_waiting_digest_sees_a_reader_join_or_move_at_once_in_one_query() -> None:
    """While a digest waits for its first evening the scheduler asks, every tick, when that is:
    one skip scan of an index (a DISTINCT over every reader was 0.3-0.6 s at a million), never a
    stale answer when a reader is confirmed, changes zone or hour, or leaves."""
    ed = factories.edition(timezone="Europe/London", send_at="18:00")
    day = dt.date(2026, 11, 25)

    def first() -> dt.datetime | None:
        with CaptureQueriesContext(connection) as queries:
            found = audience.audience_first_due(edition=ed, day=day)
        assert len(queries) == 1
        return found

    def utc(hour: int) -> dt.datetime:
        return dt.datetime(2026, 11, 25, hour, tzinfo=dt.UTC)

    assert first() is None
    factories.reader(ed)
    factories.reader(factories.edition(slug="elsewhere"), timezone="Asia/Tokyo")
    assert first() == utc(18)
    helsinki = factories.reader(ed, timezone="Europe/Helsinki", status="pending")
    assert first() == utc(18)
    Subscription.objects.filter(pk=helsinki.pk).update(status="confirmed")
    assert first() == utc(16)
    Subscription.objects.filter(pk=helsinki.pk).update(timezone="America/New_York")
    assert first() == utc(18)
    Subscription.objects.filter(pk=helsinki.pk).update(send_hour=12)
    assert first() == utc(17)  # 12:00 in New York
    Subscription.objects.filter(pk=helsinki.pk).update(status="unsubscribed")
    assert first() == utc(18)


def test_claims_are_disjoint_and_an_expired_lease_returns_rows() -> None:
    digest = due_now(readers=10)
    a = ledger.claim(digest_id=digest.pk, owner="host:a", limit=6, now=NOW)
    b = ledger.claim(digest_id=digest.pk, owner="host:b", limit=6, now=NOW)
    assert len(a) == 6 and len(b) == 4 and not {c.id for c in a} & {c.id for c in b}
    assert ledger.claim(digest_id=digest.pk, owner="host:c", limit=6, now=NOW) == []
    # "a" dies. Once its lease runs out, its rows go to the next sender on its machine.
    later = NOW + dt.timedelta(seconds=settings.CONFIG["HEADLINES_DELIVERY_LEASE_SECONDS"] + 1)
    c = ledger.claim(digest_id=digest.pk, owner="host:c", limit=20, now=later)
    assert {x.id for x in c} == {x.id for x in a} | {x.id for x in b}
    assert all(x.attempts == 2 for x in c)


def test_rows_a_dead_sender_had_mailed_are_settled_in_the_claim_that_takes_them_over() -> None:
    # Settled in the takeover's own transaction: a second sender that died right after taking
    # them over cannot leave them looking unsent to a third, whose journal lookup would find
    # nothing under the second's name.
    digest = due_now(readers=5)
    dead = ledger.claim(digest_id=digest.pk, owner="host:dead", limit=3, now=NOW)
    accepted = {dead[0].id, dead[1].id}
    asked: list[dict[int, str]] = []

    def settle(taken_from: dict[int, str]) -> list[Outcome]:
        asked.append(taken_from)
        return [Outcome(i, State.SENT, 250, "2.0.0 queued (from its journal)") for i in accepted]

    later = NOW + dt.timedelta(seconds=settings.CONFIG["HEADLINES_DELIVERY_LEASE_SECONDS"] + 1)
    taken = ledger.claim(digest_id=digest.pk, owner="host:next", limit=10, now=later, settle=settle)

    assert asked == [{row.id: "host:dead" for row in dead}]  # only the rows whose sender died
    assert {row.id for row in taken} == set(
        Delivery.objects.values_list("id", flat=True)
    ) - accepted
    for row in Delivery.objects.filter(pk__in=accepted):
        assert (row.state, row.last_code, row.sent_at) == (State.SENT, 250, later)
    # Nobody else can take them now, whatever happens to "next".
    much_later = later + dt.timedelta(hours=1)
    again = ledger.claim(digest_id=digest.pk, owner="host:third", limit=10, now=much_later)
    assert {row.id for row in again} == {row.id for row in taken}


def test_a_dead_senders_rows_go_to_its_own_machine_first_and_elsewhere_a_lease_later() -> None:
    # Its journal is on its machine: a sender there records what the relay already has, where a
    # sender on another machine would mail those readers again.
    digest = due_now(readers=2)
    dead = {c.id for c in ledger.claim(digest_id=digest.pk, owner="far:1:a", limit=2, now=NOW)}
    lease = dt.timedelta(seconds=settings.CONFIG["HEADLINES_DELIVERY_LEASE_SECONDS"])
    # When each sender should look again: its own machine's at the lease's end, another's later.
    assert ledger.next_wake(digest_id=digest.pk, owner="far:2:b") == NOW + lease
    assert ledger.next_wake(digest_id=digest.pk, owner="near:3:c") == NOW + 2 * lease

    expired = NOW + lease + dt.timedelta(seconds=1)
    assert ledger.claim(digest_id=digest.pk, owner="near:3:c", limit=9, now=expired) == []
    at_home = ledger.claim(digest_id=digest.pk, owner="far:2:b", limit=9, now=expired)
    assert {c.id for c in at_home} == dead
    # That one dies too, and nobody on its machine is left: elsewhere, one lease later.
    lost = expired + 2 * lease + dt.timedelta(seconds=1)
    taken = ledger.claim(digest_id=digest.pk, owner="near:3:c", limit=9, now=lost)
    assert {c.id for c in taken} == dead


def test_a_late_reply_does_not_overwrite_the_new_owner() -> None:
    ed = factories.edition()
    factories.reader(ed)
    digest = factories.digest(ed)
    ledger.fill(digest=digest, now=NOW, send_now=True)
    [row] = ledger.claim(digest_id=digest.pk, owner="old", limit=1, now=NOW)
    later = NOW + dt.timedelta(hours=1)
    ledger.claim(digest_id=digest.pk, owner="new", limit=1, now=later)
    ledger.record(owner="old", outcomes=[Outcome(row.id, State.FAILED, 451, "x")], now=later)
    assert Delivery.objects.get().lease_owner == "new"
    ledger.record(owner="new", outcomes=[Outcome(row.id, State.SENT, 250, "ok")], now=later)
    assert Delivery.objects.get().state == State.SENT


def test_rows_a_relay_refusing_us_held_back_are_claimed_once_again_and_end_with_the_window() -> (
    None
):
    # A send paused by a relay refusing us (sender.Breaker): its untried claims and the
    # digest's other due rows wait, deferred with the relay's reply; then any sender claims
    # each of them once; and where the pause outlasts a reader's window, the sweep fails them
    # with the reply and `headlines send` brings them back.
    digest = due_now(readers=6)
    mine = ledger.claim(digest_id=digest.pk, owner="host:1:a", limit=3, now=NOW)
    theirs = ledger.claim(digest_id=digest.pk, owner="host:2:b", limit=1, now=NOW)
    held = ledger.Hold(NOW + dt.timedelta(minutes=5), 554, "554 5.7.1 Relay access denied")
    assert ledger.hold(owner="host:1:a", ids=[c.id for c in mine], held=held) == 3
    assert ledger.hold(owner="host:9:z", ids=[theirs[0].id], held=held) == 0  # not its row
    assert ledger.hold_due(digest_id=digest.pk, held=held, now=NOW) == 2  # the unclaimed
    rows = Delivery.objects.exclude(id=theirs[0].id)
    assert {(r.state, r.next_attempt_at, r.last_code, r.last_reply) for r in rows} == {
        (State.DEFERRED, held.until, 554, "554 5.7.1 Relay access denied")
    }
    assert {r.attempts for r in rows.filter(id__in=[c.id for c in mine])} == {0}  # not tried
    assert Delivery.objects.get(id=theirs[0].id).state == State.SENDING  # another sender's
    ledger.record(
        owner="host:2:b", outcomes=[Outcome(theirs[0].id, State.SENT, 250, "ok")], now=NOW
    )
    assert ledger.claim(digest_id=digest.pk, owner="host:3:c", limit=9, now=NOW) == []
    assert ledger.next_wake(digest_id=digest.pk, owner="host:3:c") == held.until
    again = ledger.claim(digest_id=digest.pk, owner="host:3:c", limit=9, now=held.until)
    assert sorted(c.id for c in again) == sorted(r.id for r in rows)
    assert ledger.claim(digest_id=digest.pk, owner="host:4:d", limit=9, now=held.until) == []

    # A pause past the window: due at their deadline, then failed with the reply, revivable.
    ids = [c.id for c in again]
    deadline = again[0].deadline
    past = ledger.Hold(deadline + dt.timedelta(hours=1), 554, "554 5.7.1 Relay access denied")
    assert ledger.hold(owner="host:3:c", ids=ids, held=past) == 5
    assert set(rows.values_list("next_attempt_at", flat=True)) == {deadline}
    assert ledger.sweep(digest_id=digest.pk, now=deadline)["failed"] == 5
    assert set(rows.values_list("last_reply", flat=True)) == {
        "retries ran out: 554 5.7.1 Relay access denied"
    }
    assert ledger.bring_forward(digest_id=digest.pk, now=deadline + dt.timedelta(hours=1)) == 5


def test_refusals_judged_ours_after_they_were_recorded_are_retried() -> None:
    digest = due_now(readers=3)
    claimed = ledger.claim(digest_id=digest.pk, owner="host:1:a", limit=3, now=NOW)
    refused = [Outcome(c.id, State.FAILED, 550, "550 5.1.1 <x>: User unknown") for c in claimed]
    ledger.record(owner="host:1:a", outcomes=refused, now=NOW)
    until = NOW + dt.timedelta(minutes=1)
    assert ledger.reopen(owner="host:1:b", ids=[c.id for c in claimed], until=until) == 0
    assert ledger.reopen(owner="host:1:a", ids=[c.id for c in claimed], until=until) == 3
    assert {(r.state, r.next_attempt_at, r.last_code) for r in Delivery.objects.all()} == {
        (State.DEFERRED, until, 550)
    }
    assert len(ledger.claim(digest_id=digest.pk, owner="host:1:c", limit=9, now=until)) == 3


def test_a_refusal_of_us_that_ran_out_of_retries_comes_back_with_headlines_send() -> None:
    # A refusal of the reader (5.1.1) or of the message (5.3.4) does not.
    digest = due_now(readers=3)
    ours, reader, too_big = Delivery.objects.order_by("id")
    Delivery.objects.filter(id=ours.id).update(
        state=State.FAILED, last_code=554, last_reply="retries ran out: 554 5.7.1 Relay denied"
    )
    Delivery.objects.filter(id=reader.id).update(
        state=State.FAILED, last_code=550, last_reply="550 5.1.1 no such user"
    )
    Delivery.objects.filter(id=too_big.id).update(
        state=State.FAILED, last_code=552, last_reply="552 5.3.4 message too big"
    )
    assert ledger.bring_forward(digest_id=digest.pk, now=NOW + dt.timedelta(hours=4)) == 1
    assert Delivery.objects.get(id=ours.id).state == State.QUEUED


def test_sweep_skips_the_unsent_and_fails_the_retried_after_the_window() -> None:
    digest = due_now(readers=2)
    first, second = Delivery.objects.order_by("id")
    Delivery.objects.filter(pk=second.pk).update(state=State.DEFERRED, last_reply="451 busy")
    assert ledger.sweep(digest_id=digest.pk, now=NOW) == {"skipped": 0, "failed": 0, "sent": 0}
    closed = ledger.sweep(digest_id=digest.pk, now=NOW + dt.timedelta(hours=3, seconds=1))
    assert closed == {"skipped": 1, "failed": 1, "sent": 0}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state, second.last_reply) == (
        State.SKIPPED,
        State.FAILED,
        "retries ran out: 451 busy",
    )
    # `headlines send` later brings both back: neither reader has had it.
    assert ledger.bring_forward(digest_id=digest.pk, now=NOW + dt.timedelta(hours=4)) == 2
    assert ledger.open_rows(digest_id=digest.pk) == 2


def test_the_sweep_records_as_sent_what_a_dead_senders_journal_lists_and_fails_the_rest() -> None:
    # A sender died and nobody took its rows over before their window closed: the rows its
    # journal lists had reached the relay, the others' outcome is unknown.
    digest = due_now(readers=3)
    held = ledger.claim(digest_id=digest.pk, owner="dead", limit=3, now=NOW)
    asked: list[dict[int, str]] = []

    def settle(held_by: dict[int, str]) -> list[Outcome]:
        asked.append(held_by)
        return [Outcome(held[0].id, State.SENT, 250, "2.0.0 queued (from its journal)")]

    closes = held[0].deadline
    assert ledger.sweep(digest_id=digest.pk, now=closes, settle=settle) == {
        "skipped": 0,
        "failed": 2,
        "sent": 1,
    }
    assert asked == [{row.id: "dead" for row in held}]
    states = dict(Delivery.objects.values_list("id", "state"))
    assert states == {held[0].id: State.SENT, held[1].id: State.FAILED, held[2].id: State.FAILED}
    assert Delivery.objects.get(pk=held[0].id).last_reply == "2.0.0 queued (from its journal)"


def test_the_heartbeat_renews_only_the_rows_its_sender_holds() -> None:
    digest = due_now(readers=6)
    mine = ledger.claim(digest_id=digest.pk, owner="host:me", limit=3, now=NOW)
    ledger.claim(digest_id=digest.pk, owner="host:other", limit=3, now=NOW)
    lease = dt.timedelta(seconds=settings.CONFIG["HEADLINES_DELIVERY_LEASE_SECONDS"])
    beat = NOW + lease - dt.timedelta(seconds=1)
    assert ledger.renew(digest_id=digest.pk, owner="host:me", now=beat) == 3
    # Past the first lease: "other" stopped beating, its rows go to the next claim; mine stay.
    later = NOW + lease + dt.timedelta(seconds=1)
    taken = ledger.claim(digest_id=digest.pk, owner="host:next", limit=10, now=later)
    assert {c.id for c in taken}.isdisjoint({c.id for c in mine}) and len(taken) == 3


def test_looking_for_late_readers_reads_only_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A send under way looks for late readers every scheduler tick: with none, that is one
    query whatever the audience (it read every slice of every time zone: 13 s at a million)."""
    monkeypatch.setattr(ledger, "FILL_CHUNK", 7)
    ed = factories.edition()
    started = NOW - dt.timedelta(hours=1)
    with time_machine.travel(started - dt.timedelta(days=30), tick=False):
        for zone in ("Europe/Paris", "America/New_York", "Asia/Tokyo", ""):
            for _ in range(10):
                factories.reader(ed, timezone=zone)
        waiting = factories.reader(ed, status="pending")
    digest = factories.digest(ed)
    assert ledger.fill(digest=digest, now=started, send_now=False) == 40
    with CaptureQueriesContext(connection) as queries:
        assert ledger.fill(digest=digest, now=NOW, send_now=False, since=started) == 0
    assert len(queries) == 1
    # The late ones: a sign-up confirmed since, and a reader imported since with an older
    # consent date (confirmed_at is the consent's, created_at is now).
    with time_machine.travel(NOW, tick=False):
        Subscription.objects.filter(pk=waiting.pk).update(status="confirmed", confirmed_at=NOW)
        imported = factories.reader(ed, timezone="Asia/Tokyo")
    Subscription.objects.filter(pk=imported.pk).update(confirmed_at=started - dt.timedelta(days=9))
    assert ledger.fill(digest=digest, now=NOW, send_now=False, since=started) == 2
    assert ledger.fill(digest=digest, now=NOW, send_now=True, since=started) == 0
    assert set(
        Delivery.objects.filter(digest=digest).values_list("subscription_id", flat=True)
    ) == (set(Subscription.objects.filter(edition=ed).values_list("id", flat=True)))


def test_a_waiting_reader_confirmed_by_an_import_during_a_send_is_a_late_reader() -> None:
    """A sign-up left pending for weeks, then confirmed by a CSV import while the digest is
    going out, with the consent date the list gives (weeks old): the send still finds them."""
    ed = factories.edition()
    started = NOW - dt.timedelta(hours=1)
    with time_machine.travel(started - dt.timedelta(days=30), tick=False):
        factories.readers(ed, 3)
        waiting = factories.reader(ed, status="pending")
    digest = factories.digest(ed)
    assert ledger.fill(digest=digest, now=started, send_now=False) == 3
    with time_machine.travel(NOW, tick=False):
        subscription_import_confirmed(
            email=waiting.subscriber.email,
            edition_id=ed.pk,
            consent_source="events desk list",
            consent_at=NOW - dt.timedelta(days=20),
        )
    assert ledger.fill(digest=digest, now=NOW, send_now=False, since=started) == 1
    assert Delivery.objects.filter(digest=digest, subscription=waiting).exists()


def test_the_next_wake_is_the_earliest_retry_lease_or_due_time() -> None:
    ed = factories.edition()
    factories.readers(ed, 3)
    digest = factories.digest(ed)
    assert ledger.next_wake(digest_id=digest.pk, owner="host:me") is None
    assert not ledger.any_open(digest_id=digest.pk)
    ledger.fill(digest=digest, now=NOW + dt.timedelta(hours=1), send_now=True)
    assert ledger.any_open(digest_id=digest.pk)
    assert ledger.next_wake(digest_id=digest.pk, owner="host:me") == NOW + dt.timedelta(hours=1)
    _queued, deferred, leased = Delivery.objects.order_by("id")
    retry = NOW + dt.timedelta(minutes=5)
    Delivery.objects.filter(pk=deferred.pk).update(state=State.DEFERRED, next_attempt_at=retry)
    assert ledger.next_wake(digest_id=digest.pk, owner="host:me") == retry
    lease = NOW + dt.timedelta(seconds=20)
    Delivery.objects.filter(pk=leased.pk).update(
        state=State.SENDING, lease_expires_at=lease, lease_owner="host:other"
    )
    assert ledger.next_wake(digest_id=digest.pk, owner="host:me") == lease
    Delivery.objects.update(state=State.SENT)
    assert (
        ledger.next_wake(digest_id=digest.pk, owner="host:me"),
        ledger.any_open(digest_id=digest.pk),
    ) == (
        None,
        False,
    )


@pytest.mark.parametrize("state", [State.QUEUED, State.DEFERRED, State.SENDING])
def test_a_digest_is_open_while_any_row_is_queued_deferred_or_sending(state: str) -> None:
    ed = factories.edition()
    factories.readers(ed, 3)
    digest, other = factories.digest(ed), factories.digest(ed, day=dt.date(2026, 11, 24))
    for each in (digest, other):
        ledger.fill(digest=each, now=NOW, send_now=True)
    Delivery.objects.update(state=State.SENT)
    assert not ledger.any_open(digest_id=digest.pk)
    Delivery.objects.filter(digest=other).update(state=state)  # another digest's: not this one
    assert not ledger.any_open(digest_id=digest.pk)
    Delivery.objects.filter(pk=Delivery.objects.filter(digest=digest).last().pk).update(state=state)
    assert ledger.any_open(digest_id=digest.pk)


def test_whether_a_digest_is_open_is_read_in_the_claim_indexs_order() -> None:
    # A bare EXISTS over the open states was planned by PostgreSQL's generic plan as a scan of
    # the whole ledger hoping for an early open row (143-157 ms a tick at a million rows, from
    # the ~6th run on a connection; docs/benchmarks.md): each state is read in the order of
    # the claim index (digest, state, next_attempt_at), which keeps the index in any plan.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    digest = factories.digest(factories.edition())
    with CaptureQueriesContext(connection) as queries:
        assert not ledger.any_open(digest_id=digest.pk)
    read = [q["sql"] for q in queries]
    assert len(read) == len(ledger.OPEN)
    for sql in read:
        assert 'ORDER BY "delivery_delivery"."next_attempt_at"' in sql and "LIMIT 1" in sql, sql
        assert " IN (" not in sql, sql


def test_the_sweep_closes_rows_at_their_deadline_however_they_were_queued() -> None:
    """The sweep reads only rows due by now (every scheduler tick; it read every queued row of
    the digest, 0.15-0.6 s a tick at a million): every way a row is queued or deferred keeps it
    due before its deadline, so none is left open once its window has passed."""
    ed = factories.edition(timezone="Europe/London", send_at="18:00")
    factories.readers(ed, 3)
    digest = factories.digest(ed, day=dt.date(2026, 11, 25))
    evening = dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.UTC)
    ledger.fill(digest=digest, now=evening - dt.timedelta(hours=1), send_now=False)
    first, second, third = ledger.claim(digest_id=digest.pk, owner="s", limit=3, now=evening)
    busy = Reply(Verdict.RETRY, 451, "4.3.0 try later")
    retried = [classify(c, busy, now=evening) for c in (first, second)]
    sent = Outcome(third.id, State.SENT, 250, "ok")
    ledger.record(owner="s", outcomes=[*retried, sent], now=evening)
    assert ledger.sweep(digest_id=digest.pk, now=first.deadline - dt.timedelta(seconds=1)) == {
        "skipped": 0,
        "failed": 0,
        "sent": 0,
    }
    assert ledger.sweep(digest_id=digest.pk, now=first.deadline) == {
        "skipped": 0,
        "failed": 2,
        "sent": 0,
    }
    # `headlines send` brings them back, due now with a new window; that window closes too.
    later = first.deadline + dt.timedelta(hours=1)
    assert ledger.bring_forward(digest_id=digest.pk, now=later) == 2
    closes = later + ledger.window()
    assert ledger.sweep(digest_id=digest.pk, now=closes) == {"skipped": 2, "failed": 0, "sent": 0}
    assert not ledger.any_open(digest_id=digest.pk)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_does_not_wait_for_a_row_its_sender_is_recording() -> None:
    """A sender's heartbeat and one of its threads recording replies locked the same rows in
    different orders, and PostgreSQL killed the send with a deadlock (its replies unrecorded,
    so sent again after the lease). The heartbeat now skips a row being recorded."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: SQLite takes the whole database for each write")
    import threading

    from django.db import connections, transaction

    digest = due_now(readers=3)
    claimed = ledger.claim(digest_id=digest.pk, owner="me", limit=3, now=NOW)
    busy, done = threading.Event(), threading.Event()

    def recording() -> None:  # a thread of the same sender, in the middle of its record
        with transaction.atomic():
            Delivery.objects.filter(pk=claimed[0].id).update(last_reply="250 2.0.0 Ok")
            busy.set()
            done.wait(10)
        connections.close_all()

    thread = threading.Thread(target=recording)
    thread.start()
    try:
        assert busy.wait(10)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")  # waiting would fail the test, not hang
        assert ledger.renew(digest_id=digest.pk, owner="me", now=NOW) == 2
    finally:
        done.set()
        thread.join()
    assert ledger.renew(digest_id=digest.pk, owner="me", now=NOW) == 3


def test_a_reader_who_moves_to_a_new_zone_while_the_ledger_fills_is_not_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ed = factories.edition(timezone="Europe/London")
    factories.reader(ed, email="london@example.org")
    mover = factories.reader(ed, email="mover@example.org")
    digest = factories.digest(ed, day=dt.date(2026, 11, 25))
    slices = audience.audience_slices
    moved: list[bool] = []

    def move_then_slice(**kwargs):  # after the cohorts were read, before any row goes in
        if not moved:
            moved.append(True)
            Subscription.objects.filter(pk=mover.pk).update(timezone="America/Chicago")
        return slices(**kwargs)

    monkeypatch.setattr(audience, "audience_slices", move_then_slice)
    now = dt.datetime(2026, 11, 25, 18, 1, tzinfo=dt.UTC)
    assert ledger.fill(digest=digest, now=now, send_now=False) == 2
    row = Delivery.objects.get(subscription=mover)
    assert row.next_attempt_at == dt.datetime(2026, 11, 26, 0, 0, tzinfo=dt.UTC)  # 18:00 Chicago
