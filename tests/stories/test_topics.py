"""Topics: the editor declares them, stories get them, editors change them in review."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from headlines.core import clock
from headlines.core.errors import InvalidInput
from headlines.digests import services as digest_services
from headlines.stories import topics
from headlines.stories.classify import TopicClassifier
from headlines.stories.models import Topic
from tests import factories
from tests.digests.factories import NOON, messy_day
from tests.stories import factories as story_factories

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_topic_add_and_list_from_the_command_line() -> None:
    factories.edition(slug="us")
    run(
        "topic", "add", "world", "--edition", "us", "--name", "World", "--sections", "World, Europe"
    )
    run("topic", "add", "sport", "--edition", "us", "--name", "Sport")
    listing = run("topic", "list", "--edition", "us")
    assert listing.index("world") < listing.index("sport")
    world = Topic.objects.get(slug="world")
    assert (world.order, world.sections) == (0, ["world", "europe"])
    assert Topic.objects.get(slug="sport").order == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["Bad Slug", "--edition", "us", "--name", "X"], "slug"),
        (["ok", "--edition", "nowhere", "--name", "X"], "no edition"),
        (["ok", "--edition", "us", "--name", "  "], "name"),
        (["ok", "--edition", "us", "--name", "a\x00b"], "name"),
        (["ok", "--edition", "us", "--name", "X", "--sections", "x" * 200], "section"),
        (["world", "--edition", "us", "--name", "Again"], "already"),
    ],
)
def test_bad_topics_are_refused_and_nothing_changes(args: list[str], message: str) -> None:
    factories.edition(slug="us")
    run("topic", "add", "world", "--edition", "us", "--name", "World")
    with pytest.raises(CommandError, match=message):
        run("topic", "add", *args)
    assert list(Topic.objects.values_list("slug", "name")) == [("world", "World")]


def test_mapped_sections_give_topics_in_the_editors_order() -> None:
    ed = factories.edition()
    world = topics.topic_add(edition=ed.slug, slug="world", name="World", sections=["World"])
    money = topics.topic_add(edition=ed.slug, slug="money", name="Money", sections=["business"])
    assert topics.mapped([world, money], ["business", "world"]) == ["world", "money"]
    assert topics.mapped([world, money], ["sport"]) == []


def test_the_classifier_learns_from_labelled_articles() -> None:
    examples = [
        ("The striker scored twice as the club won the league match", "sport"),
        ("A late goal in the cup final gave the team the title", "sport"),
        ("The coach praised the goalkeeper after the match", "sport"),
        ("Shares fell as the central bank raised interest rates", "money"),
        ("The company reported record profits and its shares rose", "money"),
        ("Inflation and interest rates weigh on the markets", "money"),
    ]
    model = TopicClassifier.learn(examples)
    assert model is not None
    guesses = model.predict(
        ["The team won the match with a goal", "Markets fell on interest rates", "Zebra quilt"]
    )
    assert guesses == ["sport", "money", None]
    assert TopicClassifier.learn(examples[:3]) is None  # one topic: nothing to tell apart


def test_an_editor_changes_a_storys_topics_in_review() -> None:
    clock.set_clock(clock.FixedClock(NOON))
    ed = factories.edition(timezone="Europe/London")
    topics.topic_add(edition=ed.slug, slug="world", name="World")
    topics.topic_add(edition=ed.slug, slug="money", name="Money")
    messy_day(ed, hostile=False)
    draft = digest_services.digest_build(edition_id=ed.pk)
    item = draft.items.first()
    assert item is not None
    item = digest_services.digest_item_update(item_id=item.pk, topics=["money", "world"])
    assert item.topics == ["world", "money"] and item.edited
    with pytest.raises(InvalidInput, match="unknown topic"):
        digest_services.digest_item_update(item_id=item.pk, topics=["weather"])
    item.refresh_from_db()
    assert item.topics == ["world", "money"]
    # A rebuild keeps the editor's topics.
    again = digest_services.digest_build(edition_id=ed.pk)
    assert again.items.get(headline=item.headline).topics == ["world", "money"]


SPORT = [
    "The striker scored twice as the club won the league match",
    "A late goal in the cup final gave the team the title",
    "The coach praised the goalkeeper after the match",
]
MONEY = [
    "Shares fell as the central bank raised interest rates",
    "The company reported record profits and its shares rose",
    "Inflation and interest rates weigh on the markets",
]


def test_stories_get_topics_from_mapped_sections_then_from_the_classifier() -> None:
    ed = factories.edition()
    topics.topic_add(edition=ed.slug, slug="sport", name="Sport", sections=["Sport", "Football"])
    topics.topic_add(edition=ed.slug, slug="money", name="Money", sections=["Business"])
    src = story_factories.source(edition=ed)
    labelled = [
        story_factories.article(source=src, edition=ed, title=t, text=t, sections=[section])
        for texts, section in ((SPORT, "football"), (MONEY, "Business"))
        for t in texts
    ]
    unlabelled = story_factories.article(
        source=src, edition=ed, title="Goal!", text="The team won the match with a late goal"
    )
    odd = story_factories.article(source=src, edition=ed, title="Zebra", text="Zebra quilt")
    members = [[labelled[0].pk], [labelled[3].pk, labelled[0].pk], [unlabelled.pk], [odd.pk]]
    texts = {a.pk: f"{a.title}\n{a.text}" for a in [*labelled, unlabelled, odd]}
    assert topics.stories_topics(edition_id=ed.pk, members=members, texts=texts) == [
        ["sport"],
        ["sport", "money"],  # the editor's order, whatever the articles' order
        ["sport"],  # no section: the classifier's guess
        [],  # nothing near any topic: no topic rather than a wrong one
    ]


def test_stored_stories_list_their_topics() -> None:
    from headlines.stories.listing import stored_stories
    from headlines.stories.models import Story

    ed = factories.edition()
    day = NOON.date()
    Story.objects.create(edition=ed, day=day, headline="A", rank=0, topics=["world"])
    Story.objects.create(edition=ed, day=day, headline="B", rank=1)
    assert [s.topics for s in stored_stories(edition_id=ed.pk, day=day)] == [("world",), ()]
