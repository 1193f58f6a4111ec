from __future__ import annotations

import datetime as dt

import pytest

from headlines.core import clock
from headlines.delivery.models import Delivery
from headlines.delivery.selectors import digest_progress, ledger_counts
from tests.delivery import factories

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 25, 18, 30, tzinfo=dt.UTC)


def test_progress_counts_rate_and_time_left() -> None:
    clock.set_clock(clock.FixedClock(NOW))
    ed = factories.edition()
    subs = [factories.reader(ed) for _ in range(10)]
    digest = factories.digest(ed)
    states = ["sent"] * 6 + ["queued"] * 2 + ["deferred", "failed"]
    for sub, state in zip(subs, states, strict=True):
        sent_at = NOW - dt.timedelta(seconds=30) if state == "sent" else None
        factories.ledger_row(digest, sub, state=state, sent_at=sent_at)
    p = digest_progress(digest_id=digest.pk)
    assert (p.sent, p.queued, p.deferred, p.failed, p.total, p.remaining) == (6, 2, 1, 1, 10, 3)
    assert p.rate == pytest.approx(6 / 60)
    assert p.time_left == dt.timedelta(seconds=30)  # 3 left at 0.1/s


def test_no_recent_sends_means_no_estimate_and_an_empty_digest_is_done() -> None:
    clock.set_clock(clock.FixedClock(NOW))
    ed = factories.edition()
    digest = factories.digest(ed)
    empty = digest_progress(digest_id=digest.pk)
    assert (empty.total, empty.time_left) == (0, dt.timedelta(0))
    factories.ledger_row(digest, factories.reader(ed))
    assert digest_progress(digest_id=digest.pk).time_left is None


def test_ledger_counts_keep_each_digests_states_apart() -> None:
    clock.set_clock(clock.FixedClock(NOW))
    ed = factories.edition()
    first, second, empty = (factories.digest(ed, day=dt.date(2026, 11, d)) for d in (23, 24, 25))
    subs = [factories.reader(ed) for _ in range(4)]
    for digest, states in [(first, ["sent", "sent", "failed"]), (second, ["queued"] * 4)]:
        for sub, state in zip(subs, states, strict=False):
            factories.ledger_row(digest, sub, state=state)
    counts = ledger_counts(digest_ids=[first.pk, second.pk, empty.pk])
    nothing = dict.fromkeys(Delivery.State.values, 0)
    assert counts[first.pk] == {**nothing, "sent": 2, "failed": 1}
    assert counts[second.pk] == {**nothing, "queued": 4}
    assert counts[empty.pk] == nothing
    assert ledger_counts(digest_ids=[]) == {}
