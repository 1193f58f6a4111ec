import datetime as dt

import pytest

from headlines.core import clock
from headlines.digests import services
from headlines.digests.models import Digest, DigestItem
from headlines.stories.models import Story
from tests import factories
from tests.digests.factories import DAY, NOON, messy_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    clock.set_clock(clock.FixedClock(NOON))
    return factories.edition(timezone="Europe/London", send_at="18:00")


def test_a_messy_day_reads_like_an_editor_made_it(edition) -> None:
    messy_day(edition)
    digest = services.digest_build(edition_id=edition.pk)
    assert digest.date == DAY and digest.state == Digest.State.DRAFT
    items = list(digest.items.order_by("position"))
    headlines = [i.headline for i in items]
    # Three sources told the storm: one story, first, with a clean headline.
    assert headlines[0] in {
        "Storm Bella floods coastal towns as thousands flee",
        "Thousands flee as Storm Bella floods the coast",
    }
    assert len(items) == 4
    assert items[0].story.source_count == 2 and items[0].story.article_count == 3
    assert "newsletter" not in items[0].summary.lower()
    assert items[0].summary.endswith(".")
    assert "Council approves budget with cuts to libraries" in headlines or (
        "City budget passes, libraries face cuts" in headlines
    )
    assert (
        digest.subject.startswith(edition.name + ": Storm Bella") or "Storm Bella" in digest.subject
    )
    assert "[[unsubscribe_url]]" in digest.html and "[[preferences_url]]" in digest.text


def test_articles_outside_the_window_or_edition_are_left_out(edition) -> None:
    other = factories.edition()
    messy_day(other)
    from tests.stories import factories as sf

    source = sf.source(edition=edition)
    sf.article(
        source=source,
        edition=edition,
        title="Yesterday's news about a quiet village fete",
        published_at=NOON - dt.timedelta(days=2),
    )
    sf.article(  # undated: counts by when it arrived (now, in the window)
        source=source, edition=edition, title="Undated report about the harbour festival"
    )
    digest = services.digest_build(edition_id=edition.pk)
    assert [i.headline for i in digest.items.all()] == ["Undated report about the harbour festival"]


def test_rebuilding_a_draft_keeps_editor_decisions(edition) -> None:
    messy_day(edition, hostile=False)
    digest = services.digest_build(edition_id=edition.pk)
    items = list(digest.items.order_by("position"))
    last = items[-1]
    services.digest_item_update(
        item_id=last.pk, headline="Edited by the desk", pinned=True, position=1
    )
    services.digest_item_update(item_id=items[0].pk, dropped=True)
    rebuilt = services.digest_build(edition_id=edition.pk)
    after = list(rebuilt.items.order_by("position"))
    assert after[0].headline == "Edited by the desk" and after[0].pinned
    assert after[-1].dropped and after[-1].headline == items[0].headline
    assert "Edited by the desk" in rebuilt.html and items[0].headline not in rebuilt.text


def test_approved_digests_are_never_rebuilt(edition) -> None:
    messy_day(edition, hostile=False)
    digest = services.digest_build(edition_id=edition.pk)
    services.digest_approve(digest_id=digest.pk, by="ed")
    from tests.stories import factories as sf

    sf.article(
        source=sf.source(edition=edition),
        edition=edition,
        title="Late breaking news arrives",
        published_at=NOON,
    )
    again = services.digest_build(edition_id=edition.pk)
    assert again.state == Digest.State.APPROVED and again.html == digest.html
    assert DigestItem.objects.filter(digest=digest).count() == 3


def test_a_story_continuing_yesterday_links_back_and_is_not_repeated_unless_it_developed(
    edition,
) -> None:
    from tests.stories import factories as sf

    wire, gazette = (
        sf.source(name="Wire", edition=edition),
        sf.source(name="Gazette", edition=edition),
    )
    yesterday = NOON - dt.timedelta(days=1)
    sf.article(
        source=wire,
        edition=edition,
        title="Volcano erupts on Mount Ferro, villages evacuated",
        text=(
            "The volcano on Mount Ferro erupted on Tuesday and nearby villages were "
            "evacuated by the army."
        ),
        published_at=yesterday,
    )
    services.digest_build(edition_id=edition.pk, day=DAY - dt.timedelta(days=1))
    first = Story.objects.get(day=DAY - dt.timedelta(days=1))
    # Today the same outlet repeats itself: linked, not developed, left out.
    sf.article(
        source=wire,
        edition=edition,
        title="Mount Ferro volcano erupts, villages evacuated",
        text=(
            "The volcano on Mount Ferro erupted and nearby villages were evacuated by the "
            "army on Tuesday."
        ),
        published_at=NOON,
    )
    services.digest_build(edition_id=edition.pk)
    today = Story.objects.get(day=DAY)
    assert today.continues_id == first.pk and not today.developed
    assert not DigestItem.objects.filter(digest__date=DAY).exists()
    # A new source with new information: developed, back in the digest.
    sf.article(
        source=gazette,
        edition=edition,
        title="Mount Ferro volcano erupts again as ash grounds flights",
        text="The volcano on Mount Ferro erupted again and evacuated villages waited to return, "
        "while ash grounded all flights at the regional airport.",
        published_at=NOON,
    )
    digest = services.digest_build(edition_id=edition.pk)
    today = Story.objects.get(day=DAY)
    assert today.continues_id == first.pk and today.developed
    assert digest.items.count() == 1 and "Developing story" in digest.html


def test_text_dumps_without_titles_get_a_headline_from_their_lead(edition) -> None:
    from tests.stories import factories as sf

    source = sf.source(name="Dump Desk", edition=edition)
    sf.article(
        source=source,
        edition=edition,
        title="",
        text="HARBOURTON (Desk) — The harbour authority closed the old pier on "
        "Wednesday after divers found cracks in its supports, officials said.\n"
        "Ferries will use the north quay until repairs end.",
        published_at=NOON,
    )
    digest = services.digest_build(edition_id=edition.pk)
    item = digest.items.get()
    assert item.headline.startswith("The harbour authority closed the old pier")
    assert len(item.headline) <= 100 and not item.headline.endswith(".")
    assert item.summary.startswith("Ferries will use the north quay") or "pier" in item.summary


def test_one_topic_cannot_fill_the_digest(edition) -> None:
    from tests.stories import factories as sf

    edition.max_stories = 4
    edition.save()
    towns = ["Ashbury", "Brackwater", "Caddington", "Dunmere", "Elmsford"]
    for k, town in enumerate(towns):
        for n in range(3):  # each storm told by three outlets: they all outrank the others
            sf.article(
                source=sf.source(edition=edition),
                edition=edition,
                title=f"Storm floods {town} as residents flee rising rivers",
                text=f"A storm flooded {town} on Wednesday and residents fled as rivers rose, "
                f"emergency crews said. Report {n}.",
                published_at=NOON - dt.timedelta(minutes=k),
            )
    # Two other stories with texts of their own (the factory's default text is the same for
    # both, and two reports with one text are one story, as a syndicated copy is).
    for title, text in (
        ("Museum reopens its dinosaur hall", "The dinosaur hall reopened after a refit."),
        ("Chess champion retains her title", "The champion won the final game in Oslo."),
    ):
        sf.article(
            source=sf.source(edition=edition),
            edition=edition,
            title=title,
            text=text,
            published_at=NOON,
        )
    digest = services.digest_build(edition_id=edition.pk)
    sent = [i.headline for i in digest.items.filter(dropped=False).order_by("position")[:4]]
    assert sum("Storm floods" in h for h in sent) == 2, sent
    assert "Museum reopens its dinosaur hall" in sent and "Chess champion retains her title" in sent


def test_the_editions_place_and_section_words_lift_a_story(edition) -> None:
    from headlines.stories.models import RelevanceTerm
    from tests.stories import factories as sf

    source = sf.source(edition=edition)
    for title, text in (  # texts of their own: one text told twice would be one story
        ("Museum opens a new gallery of ancient coins", "The gallery shows coins from Rome."),
        (
            "Harbourton ferry service doubles its winter timetable",
            "Ferries will sail every hour until March.",
        ),
    ):
        sf.article(source=source, edition=edition, title=title, text=text, published_at=NOON)
    first = services.digest_build(edition_id=edition.pk).items.order_by("position").first()
    assert first is not None and first.headline.startswith("Museum")
    RelevanceTerm.objects.create(edition=edition, term="Harbourton", weight=1.0)
    first = services.digest_build(edition_id=edition.pk).items.order_by("position").first()
    assert first is not None and first.headline.startswith("Harbourton")
