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
        (["Bad Slug", "--edition", "us", "--name", "X"], "slug .Bad Slug. must be"),
        (["ok", "--edition", "nowhere", "--name", "X"], "no edition"),
        (["ok", "--edition", "us", "--name", "  "], "name"),
        (["ok", "--edition", "us", "--name", "a\x00b"], "name"),
        (["ok", "--edition", "us", "--name", "a\x9bb"], "name"),  # C1: a terminal's CSI
        (["ok", "--edition", "us", "--name", "X", "--sections", "a\x7f"], "section"),
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


def test_the_classifier_learns_only_from_its_own_editions_articles() -> None:
    ed, other = factories.edition(), factories.edition()
    for edition in (ed, other):
        topics.topic_add(edition=edition.slug, slug="sport", name="Sport", sections=["football"])
        topics.topic_add(edition=edition.slug, slug="money", name="Money", sections=["business"])
    theirs = story_factories.source(edition=other)
    for texts, section in ((SPORT, "football"), (MONEY, "business")):
        for t in texts:
            story_factories.article(
                source=theirs, edition=other, title=t, text=t, sections=[section]
            )
    goal = story_factories.article(
        source=story_factories.source(edition=ed),
        edition=ed,
        title="Goal!",
        text="The team won the match with a late goal",
    )
    texts = {goal.pk: f"{goal.title}\n{goal.text}"}
    # Another edition's labelled articles teach this one nothing: no guess, no topic.
    assert topics.stories_topics(edition_id=ed.pk, members=[[goal.pk]], texts=texts) == [[]]
    goal.editions.add(other)
    assert topics.stories_topics(edition_id=other.pk, members=[[goal.pk]], texts=texts) == [
        ["sport"]
    ]


def test_the_classifier_learns_from_the_editions_recent_articles_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A newsroom whose feeds name no section had its whole history read, for no example, on
    # every build: the labelled articles are looked for among the most recent ones.
    ed = factories.edition()
    topics.topic_add(edition=ed.slug, slug="sport", name="Sport", sections=["football"])
    topics.topic_add(edition=ed.slug, slug="money", name="Money", sections=["business"])
    src = story_factories.source(edition=ed)
    for texts, section in ((SPORT, "football"), (MONEY, "business")):
        for t in texts:
            story_factories.article(source=src, edition=ed, title=t, text=t, sections=[section])
    for n in range(4):  # then a few articles with no section
        story_factories.article(source=src, edition=ed, title=f"Plain {n}", text=f"Plain {n}")
    ours = topics.topics_of(edition_id=ed.pk)
    assert topics.learn(ed.pk, ours) is not None  # six labelled among the ten
    monkeypatch.setattr(topics, "LEARN_AMONG", 9)
    assert topics.learn(ed.pk, ours) is None  # sport's 2 of 3 among the last nine: too few
    monkeypatch.setattr(topics, "LEARN_AMONG", 10)
    assert topics.learn(ed.pk, ours) is not None


def test_stored_stories_list_their_topics() -> None:
    from headlines.stories.listing import stored_stories
    from headlines.stories.models import Story

    ed = factories.edition()
    topics.topic_add(edition=ed.slug, slug="world", name="World")
    topics.topic_add(edition=ed.slug, slug="sport", name="Sport")
    day = NOON.date()
    Story.objects.create(edition=ed, day=day, headline="A", rank=0, topics=["world", "sport"])
    Story.objects.create(edition=ed, day=day, headline="B", rank=1)
    listed = stored_stories(edition_id=ed.pk, day=day)
    assert [s.topics for s in listed] == [("world", "sport"), ()]
    # A topic the editor removed since drops out of the listing; the stored story keeps it.
    run("topic", "remove", "sport", "--edition", ed.slug)
    assert [s.topics for s in stored_stories(edition_id=ed.pk, day=day)] == [("world",), ()]
    assert Story.objects.get(headline="A").topics == ["world", "sport"]


def _three_topics() -> None:
    factories.edition(slug="us")
    for slug, name in (("world", "World"), ("business", "Business"), ("sport", "Sport")):
        run("topic", "add", slug, "--edition", "us", "--name", name)


def test_an_editor_renames_a_topic_changes_its_sections_and_moves_it() -> None:
    _three_topics()
    out = run(
        "topic", "edit", "sport", "--edition", "us", "--name", " Sport  & Games ", "--order", "0"
    )
    assert "Sport & Games" in out and "place 0" in out
    assert [t.slug for t in topics.topics_of(edition_id=Topic.objects.first().edition_id)] == [
        "sport",
        "world",
        "business",
    ]
    assert list(Topic.objects.order_by("order").values_list("order", flat=True)) == [0, 1, 2]
    run("topic", "edit", "world", "--edition", "us", "--sections", "World, Europe,world")
    assert Topic.objects.get(slug="world").sections == ["world", "europe"]
    run("topic", "edit", "world", "--edition", "us", "--sections", "")
    assert Topic.objects.get(slug="world").sections == []
    # A place past the end is the last; the slug never changes.
    run("topic", "edit", "sport", "--edition", "us", "--order", "99")
    assert list(Topic.objects.order_by("order").values_list("slug", "order")) == [
        ("world", 0),
        ("business", 1),
        ("sport", 2),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["edit", "world", "--edition", "us"], "nothing to change"),
        (["edit", "nowhere", "--edition", "us", "--name", "X"], "no topic 'nowhere'.*world"),
        (["edit", "world", "--edition", "elsewhere", "--name", "X"], "no edition"),
        (["edit", "world", "--edition", "us", "--name", "a\x00b"], "name"),
        (["edit", "world", "--edition", "us", "--name", "Good", "--order", "-1"], "order"),
        (["edit", "world", "--edition", "us", "--sections", "x" * 200], "section"),
        (["remove", "nowhere", "--edition", "us"], "no topic"),
        (["remove", "world", "--edition", "elsewhere"], "no edition"),
    ],
)
def test_bad_edits_and_removals_are_refused_and_nothing_changes(
    args: list[str], message: str
) -> None:
    _three_topics()
    before = list(Topic.objects.order_by("pk").values_list("slug", "name", "order", "sections"))
    with pytest.raises(CommandError, match=message):
        run("topic", *args)
    assert list(Topic.objects.order_by("pk").values_list("slug", "name", "order", "sections")) == (
        before
    )


def test_removing_a_topic_takes_it_out_of_readers_choices() -> None:
    from headlines.subscriptions.models import Subscription
    from tests.subscriptions.factories import confirmed

    _three_topics()
    edition = Topic.objects.first().edition  # type: ignore[union-attr]
    only_sport, sport_and_world, world, everything = (confirmed(edition) for _ in range(4))
    for reader, chosen in (
        (only_sport, ["sport"]),
        (sport_and_world, ["world", "sport"]),
        (world, ["world"]),
    ):
        Subscription.objects.filter(pk=reader.pk).update(topics=chosen)
    out = run("topic", "remove", "sport", "--edition", "us")
    assert "2 reader(s) had chosen it" in out
    assert "1 of them chose nothing else and now get the whole digest" in out
    chosen = dict(Subscription.objects.values_list("pk", "topics"))
    assert chosen == {only_sport.pk: [], sport_and_world.pk: ["world"], world.pk: ["world"],
                      everything.pk: []}  # fmt: skip
    assert list(Topic.objects.order_by("order").values_list("slug", "order")) == [
        ("world", 0),
        ("business", 1),
    ]
    # Added again later, the topic starts with no readers: old choices do not come back.
    run("topic", "add", "sport", "--edition", "us", "--name", "Sport")
    assert Subscription.objects.get(pk=only_sport.pk).topics == []


def test_deleting_a_topic_in_the_admin_takes_it_out_of_readers_choices(client: object) -> None:
    from django.contrib.auth.models import User
    from django.test import Client

    from headlines.subscriptions.models import Subscription
    from tests.subscriptions.factories import confirmed

    _three_topics()
    sport = Topic.objects.get(slug="sport")
    reader = confirmed(sport.edition)
    Subscription.objects.filter(pk=reader.pk).update(topics=["world", "sport"])
    assert isinstance(client, Client)
    client.force_login(User.objects.create_superuser("ed", "ed@newsroom.example", "pw-12345678"))
    answer = client.post(f"/admin/stories/topic/{sport.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert not Topic.objects.filter(slug="sport").exists()
    assert Subscription.objects.get(pk=reader.pk).topics == ["world"]
    world = Topic.objects.get(slug="world")
    answer = client.post(
        "/admin/stories/topic/",
        {"action": "delete_selected", "_selected_action": [world.pk], "post": "yes"},
    )
    assert answer.status_code == 302
    assert Subscription.objects.get(pk=reader.pk).topics == []


def test_removing_a_topic_reaches_every_reader_past_one_update_chunk(monkeypatch) -> None:
    from headlines.subscriptions import choices
    from headlines.subscriptions.models import Subscription
    from tests.subscriptions.factories import confirmed

    _three_topics()
    edition = Topic.objects.first().edition  # type: ignore[union-attr]
    readers = [confirmed(edition) for _ in range(5)]
    Subscription.objects.filter(pk__in=[r.pk for r in readers]).update(topics=["world", "sport"])
    monkeypatch.setattr(choices, "UPDATE_CHUNK", 2)
    out = run("topic", "remove", "sport", "--edition", "us")
    assert "5 reader(s) had chosen it" in out and "whole digest" not in out
    assert list(Subscription.objects.values_list("topics", flat=True)) == [["world"]] * 5
