"""The demo newsroom's digests, read as a reader gets them, at several hours of the day.

The newsroom is served over HTTP and ingested through the real intake path at the project's
clock; each edition's digest is built as `headlines digest build` builds it. The newsroom's own
`event` labels (never served) are the truth: no digest lists one event twice, and an edition's
digest does not carry another edition's local news (the NHS, the FA Cup in the US digest; a
Colorado wildfire told only by the agency in the UK one) while other stories are left.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from django.db import transaction

from headlines.core import clock, selectors
from headlines.core.services import editions_ensure_demo
from headlines.demo import steps
from headlines.demo.content import load_articles
from headlines.digests.services import digest_build
from tests.isolation import inline_jobs_and_outbox

pytestmark = pytest.mark.django_db

EVENT_OF_SLUG = {a.slug: a.event for a in load_articles()}
# Another edition's local news: told only from that place, by the agency both editions take.
UK_ONLY = {"nhs-waiting-list", "cup-semi-final", "uk-rail-strike", "uk-housebuilding"}
US_ONLY = {"boulder-wildfire", "rail-safety-bill", "thanksgiving-travel", "chicago-teachers"}


def event_of(url: str) -> str:
    """The event of the newsroom article at `url` (its slug is in the path, however styled)."""
    (slug,) = [s for s in EVENT_OF_SLUG if f"/{s}" in url]
    return EVENT_OF_SLUG[slug]


def events_of(item) -> set[str]:
    return {event_of(a.url) for a in item.story.articles.all()}


@pytest.fixture(scope="module", params=["05:30", "11:00", "16:45", "21:15", "23:35"])
def digests(request, django_db_setup, django_db_blocker):
    """Each hour's digests, built once for the module's nine tests (they only read them).

    Built inside a transaction of the module's own that is rolled back after its last test, as
    Django's setUpTestData does: each test's own transaction is a savepoint inside it, so
    whatever a test wrote is still undone before the next one.
    """
    hour, minute = map(int, request.param.split(":"))
    at = clock.FixedClock(dt.datetime(2026, 12, 1, hour, minute, tzinfo=dt.UTC))
    with django_db_blocker.unblock(), transaction.atomic():
        # What the autouse fixture gives each test, at the hour's fixed clock.
        with inline_jobs_and_outbox(at):
            editions = editions_ensure_demo()
            # Dated as `headlines run --demo` dates it (after London's evening, back into it).
            moment = steps.newsroom_moment(editions=editions)
            newsroom = steps.NewsroomServer(now=moment).start()
            try:
                out = io.StringIO()
                sources = steps.sources_ensure(newsroom=newsroom, out=out)
                steps.sources_ingest(sources=sources, out=out)
            finally:
                newsroom.stop()
            built = {e.slug: digest_build(edition_id=e.pk) for e in editions}
        yield built
        transaction.set_rollback(True)
    selectors.edition_open_forget()


def sent_items(digest):
    items = digest.items.filter(dropped=False).order_by("position", "id")
    return list(items.prefetch_related("story__articles")[: digest.edition.max_stories])


@pytest.mark.parametrize("slug", ["us", "uk"])
def test_no_digest_lists_one_event_twice(digests, slug) -> None:
    items = sent_items(digests[slug])
    assert items, "the newsroom has news at every hour"
    told = Counter(event for item in items for event in events_of(item))
    twice = {event: n for event, n in told.items() if n > 1}
    assert not twice, [(i.headline, sorted(events_of(i))) for i in items]


@pytest.mark.parametrize(("slug", "away"), [("us", UK_ONLY), ("uk", US_ONLY)])
def test_another_editions_local_news_stays_out_while_other_news_is_left(
    digests, slug, away
) -> None:
    items = sent_items(digests[slug])
    carried = [i.headline for i in items if events_of(i) & away]
    assert not carried, carried
    assert len(items) >= 3, "other news is left: the digest is not emptied"
    # Left out, not lost: they wait among the items for an editor to pull in. Only the agency
    # (which serves both editions) tells them: nothing the edition's own outlet chose is held.
    held = digests[slug].items.filter(dropped=True, story__elsewhere=True)
    tellers = {a.source.name for i in held for a in i.story.articles.all()}
    assert tellers <= {"Harbour Wire"}, tellers
    assert not set().union(*(events_of(i) for i in held)) & {e for e in told(items)}


# Each edition's own outlet's freshest event: what its readers' evening is about.
LEAD = {"us": "fed-rates", "uk": "storm-imogen"}


@pytest.mark.parametrize("slug", ["us", "uk"])
def test_each_digest_tells_its_own_evenings_news_at_every_hour(digests, slug) -> None:
    items = sent_items(digests[slug])
    assert LEAD[slug] in told(items), [i.headline for i in items]


def told(items) -> set[str]:
    return {event for item in items for event in events_of(item)}


def test_each_digest_has_its_own_lead(digests) -> None:
    us, uk = sent_items(digests["us"]), sent_items(digests["uk"])
    assert events_of(us[0]) and events_of(uk[0])
    assert not events_of(us[0]) & UK_ONLY and not events_of(uk[0]) & US_ONLY


@pytest.mark.parametrize("slug", ["us", "uk"])
def test_no_summary_starts_with_the_agencys_dateline(digests, slug) -> None:
    items = list(digests[slug].items.all())
    assert items
    for item in items:
        assert "(Harbour Wire)" not in item.summary, item.summary
        assert not item.summary.startswith(("LONDON", "WASHINGTON", "CARLISLE", "PARIS")), item
    # The stored article keeps its own text, dateline and all.
    from headlines.intake.models import Article

    assert Article.objects.filter(text__startswith="LONDON (Harbour Wire) - ").exists() or (
        Article.objects.filter(text__contains="(Harbour Wire) - ").exists()
    )
