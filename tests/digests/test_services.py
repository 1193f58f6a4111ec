import re

import pytest

from headlines.core import clock
from headlines.core.errors import Conflict, InvalidInput, NotFound
from headlines.digests import selectors, services
from headlines.digests.models import Digest
from tests import factories
from tests.digests.factories import NOON, messy_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft() -> Digest:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(timezone="Europe/London")
    messy_day(edition, hostile=False)
    return services.digest_build(edition_id=edition.pk)


def snapshot(digest: Digest) -> list[tuple]:
    return list(digest.items.values_list("headline", "summary", "position", "pinned", "dropped"))


def test_an_edited_headline_is_kept_as_plain_text(draft: Digest) -> None:
    item = draft.items.order_by("position").first()
    edited = services.digest_item_update(
        item_id=item.pk,
        headline='<script>alert(1)</script><b onclick="x()">Storm</b> update',
        summary='<a href="javascript:alert(2)">Water</a> is falling.',
    )
    assert edited.headline == "Storm update" and edited.summary == "Water is falling."
    draft.refresh_from_db()
    assert "Storm update" in draft.html and "javascript:" not in draft.html


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"headline": ""}, InvalidInput),
        ({"headline": "<p></p>"}, InvalidInput),
        ({"headline": "x" * 301}, InvalidInput),
        ({"summary": "y" * 1001}, InvalidInput),
        ({"position": 0}, InvalidInput),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(draft: Digest, change, error) -> None:
    before = snapshot(draft)
    html = draft.html
    item = draft.items.order_by("position").first()
    with pytest.raises(error):
        services.digest_item_update(item_id=item.pk, **change)
    draft.refresh_from_db()
    assert snapshot(draft) == before and draft.html == html


def test_only_a_draft_is_edited_or_rendered(draft: Digest) -> None:
    services.digest_approve(digest_id=draft.pk)
    item = draft.items.first()
    with pytest.raises(Conflict):
        services.digest_item_update(item_id=item.pk, headline="Too late")
    with pytest.raises(Conflict):
        services.digest_render(digest_id=draft.pk)
    with pytest.raises(NotFound):
        services.digest_item_update(item_id=999999, headline="x")


def test_a_save_of_several_items_stores_all_of_them_or_none(draft: Digest) -> None:
    first, second = draft.items.order_by("position")[:2]
    before, html = snapshot(draft), draft.html
    changes = [
        services.ItemChange(first.pk, headline="First row's words", position=7),
        services.ItemChange(second.pk, topics=["no-such-topic"]),
    ]
    with pytest.raises(services.ItemRefused, match="unknown topic no-such-topic") as refused:
        services.digest_items_update(digest_id=draft.pk, changes=changes)
    assert (refused.value.item_id, refused.value.field) == (second.pk, "topics")
    assert snapshot(draft) == before  # the first row's change is not stored either
    draft.refresh_from_db()
    assert draft.html == html
    foreign = services.ItemChange(999999, headline="Not this digest's")
    with pytest.raises(services.ItemRefused, match="has no item 999999"):
        services.digest_items_update(digest_id=draft.pk, changes=[changes[0], foreign])
    assert snapshot(draft) == before
    changes[1] = services.ItemChange(second.pk, summary="Second row's words")
    services.digest_items_update(digest_id=draft.pk, changes=changes)
    draft.refresh_from_db()
    assert "First row's words" in draft.text and "Second row's words" in draft.text
    services.digest_approve(digest_id=draft.pk)
    with pytest.raises(Conflict, match="only a draft changes"):
        services.digest_items_update(digest_id=draft.pk, changes=changes)


def test_a_save_from_a_page_the_draft_moved_on_from_stores_nothing(draft: Digest) -> None:
    # The review screen compared the page's fingerprint with the draft's before the draft was
    # locked: of two Saves from one page at the same instant, both passed, and the second
    # undid the first's edit unseen. The check is made under the lock, with the changes.
    first, second = draft.items.order_by("position")[:2]
    page = selectors.digest_seen(digest_id=draft.pk)
    one = [services.ItemChange(first.pk, headline="One editor's words")]
    services.digest_items_update(digest_id=draft.pk, changes=one, seen=page)
    after_one = snapshot(draft)
    other = [services.ItemChange(second.pk, summary="The other editor's words")]
    with pytest.raises(services.Stale, match="changed after this page was opened"):
        services.digest_items_update(digest_id=draft.pk, changes=other, seen=page)
    assert snapshot(draft) == after_one
    now = selectors.digest_seen(digest_id=draft.pk)
    services.digest_items_update(digest_id=draft.pk, changes=other, seen=now)
    draft.refresh_from_db()
    assert "One editor's words" in draft.text and "The other editor's words" in draft.text


def test_unknown_edition_is_not_found() -> None:
    with pytest.raises(NotFound):
        services.digest_build(edition_id=987654)
    assert not Digest.objects.exists()


def test_a_day_without_articles_still_makes_a_readable_digest() -> None:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(timezone="Europe/London")
    digest = services.digest_build(edition_id=edition.pk)
    assert digest.items.count() == 0
    assert "No stories made tonight's digest" in digest.text
    assert digest.subject == f"{edition.name}: tonight's digest"


def test_a_story_of_another_edition_or_day_cannot_be_pulled_in() -> None:
    import datetime as dt

    from headlines.core import clock
    from headlines.core.errors import NotFound
    from headlines.digests import services
    from tests import factories
    from tests.digests.factories import NOON, messy_day

    clock.set_clock(clock.FixedClock(NOON))
    ours, theirs = factories.edition(timezone="UTC"), factories.edition(timezone="UTC")
    messy_day(ours)
    messy_day(theirs, hostile=False)
    digest = services.digest_build(edition_id=ours.pk)
    other = services.digest_build(edition_id=theirs.pk)
    foreign = other.items.first()
    assert foreign is not None and foreign.story_id is not None
    with pytest.raises(NotFound):
        services.digest_story_pull(digest_id=digest.pk, story_id=foreign.story_id)
    yesterday = services.digest_build(edition_id=ours.pk, day=NOON.date() - dt.timedelta(days=1))
    assert yesterday.pk != digest.pk


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("<b></b>", "has no words once its markup is taken out"),
        ("<script>alert(1)</script>", "has no words once its markup is taken out"),
        ("   ", "a headline cannot be empty"),
        ("Storm " * 60, "a headline is at most 300 characters (this one is 359)"),
    ],
)
def test_a_headline_with_no_words_or_too_many_is_refused_saying_why(typed: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(why)):
        services.item_headline_clean(typed)
    assert services.item_headline_clean("<b>Storm</b> Bella &amp; the coast") == (
        "Storm Bella & the coast"
    )
