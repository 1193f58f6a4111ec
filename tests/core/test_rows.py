"""core.rows: the hot paths' prepared INSERT and SELECT behave as the ORM's create and get."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from headlines.core import clock
from headlines.core.models import Edition, Job
from headlines.core.rows import PreparedInsert, row_insert, rows_select
from headlines.subscriptions.models import ConsentEvent, Subscriber, Subscription
from tests import factories

pytestmark = pytest.mark.django_db
AT = dt.datetime(2026, 3, 4, 5, 6, 7, 891000, tzinfo=dt.UTC)


def fields(obj: object, model: type) -> dict[str, object]:
    return {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}


def test_an_inserted_row_reads_back_as_the_orm_would_have_written_it() -> None:
    previous = clock.set_clock(clock.FixedClock(AT))
    try:
        edition = factories.edition(slug="us")
        reader = Subscriber.objects.create(email="a@example.com", email_hash="h" * 64)
        sub = row_insert(Subscription(subscriber=reader, edition=edition, topics=["a", "ü"]))
        job = row_insert(Job(kind="k", payload='{"x": 1}', run_after=AT))
    finally:
        clock.set_clock(previous)
    assert sub.pk and not sub._state.adding and sub._state.db == "default"
    stored = Subscription.objects.get(pk=sub.pk)
    assert fields(stored, Subscription) == fields(sub, Subscription)
    # Defaults, auto_now_add from the project's clock, JSON: as Model.objects.create.
    assert (stored.status, stored.created_at, stored.topics) == ("pending", AT, ["a", "ü"])
    assert Job.objects.get(pk=job.pk).created_at == AT == Job.objects.get(pk=job.pk).updated_at


def test_row_insert_refuses_what_the_orm_would_do_differently() -> None:
    edition = factories.edition(slug="us")
    with pytest.raises(ValueError, match="not new"):
        row_insert(edition)
    with pytest.raises(TypeError, match="overrides save"):  # its save() may do more
        row_insert(ConsentEvent(email_hash="x", purpose="newsletter", granted=True))
    reader = Subscriber.objects.create(email="a@example.com", email_hash="h" * 64)
    row_insert(Subscription(subscriber=reader, edition=edition))
    with pytest.raises(IntegrityError), transaction.atomic():  # constraints still hold
        row_insert(Subscription(subscriber=reader, edition=edition))


def test_a_prepared_insert_computes_its_row_first_and_writes_it_with_what_is_known_later() -> None:
    edition = factories.edition(slug="us")
    previous = clock.set_clock(clock.FixedClock(AT))
    try:
        prepared = PreparedInsert(Subscription(edition=edition, topics=["a"]))
    finally:
        clock.set_clock(previous)
    assert Subscription.objects.count() == 0  # nothing written yet
    reader = Subscriber.objects.create(email="a@example.com", email_hash="h" * 64)
    sub = prepared.run(subscriber_id=reader.pk)
    stored = Subscription.objects.get(pk=sub.pk)
    assert (stored.subscriber_id, stored.edition_id, stored.created_at) == (
        reader.pk,
        edition.pk,
        AT,
    )
    assert fields(stored, Subscription) == fields(sub, Subscription)
    with pytest.raises(ValueError, match="not new"):
        PreparedInsert(sub)
    with pytest.raises(KeyError):  # only the model's own columns can be filled in
        PreparedInsert(Subscription(edition=edition)).run(nonsense=1)


def test_rows_select_converts_like_the_orm() -> None:
    made = Edition.objects.create(slug="us", name="US", send_at=dt.time(7, 30), enabled=False)
    Edition.objects.create(slug="uk", name="UK")
    (found,) = rows_select(Edition, "slug = %s", ["us"])
    assert fields(found, Edition) == fields(Edition.objects.get(pk=made.pk), Edition)
    assert found.send_at == dt.time(7, 30) and found.enabled is False
    assert isinstance(found.created_at, dt.datetime) and found.created_at.tzinfo is not None
    assert rows_select(Edition, "slug = %s", ["nope"]) == []
    # Parameters are bound, never spliced into the statement.
    assert rows_select(Edition, "slug = %s", ["us' OR '1'='1"]) == []
