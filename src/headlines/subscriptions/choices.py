"""A reader's choice of topics inside an edition (the slugs of `stories.Topic`).

No choice (an empty list) means the whole digest. Slugs are checked against the edition's topics
and kept in the editor's order, so readers who chose the same topics share one rendered email.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from headlines.core.errors import NotFound
from headlines.stories.models import Topic
from headlines.stories.topics import topic_delete, topic_get, topic_slugs_clean, topics_of
from headlines.subscriptions.models import Subscriber, Subscription


@transaction.atomic
def subscription_topics_set(*, subscription_id: int, topics: Iterable[str]) -> list[str]:
    """Set the topics of one subscription; unknown slugs are refused and nothing changes."""
    subscription = Subscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None:
        raise NotFound("This subscription no longer exists.")
    clean = topic_slugs_clean(edition_id=subscription.edition_id, slugs=topics)
    if clean != subscription.topics:
        subscription.topics = clean
        subscription.save(update_fields=["topics"])
    return clean


def topic_choices(*, edition_ids: Iterable[int]) -> list[tuple[int, str, str]]:
    """(edition id, slug, name) of every topic of these editions, in each editor's order."""
    return [(e, t.slug, t.name) for e in edition_ids for t in topics_of(edition_id=e)]


def subscriptions_topics_import(
    *, edition_id: int, chosen: Iterable[tuple[str, tuple[str, ...] | None]]
) -> None:
    """The import's topics, already checked: one UPDATE per topic set, by subscription id.
    A None (no topics column) leaves the reader's choice as it was.

    The subscriptions are found first, by the readers' address hashes then by the readers
    alone (the edition is picked here): an UPDATE joining them in one statement took
    PostgreSQL's plan for a statement prepared with hundreds of parameters through every
    reader of the edition, up to 0.35 s a batch at 50,000 readers."""
    wanted = {hashed: topics for hashed, topics in chosen if topics is not None}
    if not wanted:
        return
    readers = dict(
        Subscriber.objects.filter(email_hash__in=list(wanted)).values_list("pk", "email_hash")
    )
    groups: dict[tuple[str, ...], list[int]] = {}
    for pk, reader, edition in Subscription.objects.filter(
        subscriber_id__in=list(readers)
    ).values_list("pk", "subscriber_id", "edition_id"):
        if edition == edition_id:
            groups.setdefault(wanted[readers[reader]], []).append(pk)
    for topics, ids in groups.items():
        Subscription.objects.filter(pk__in=ids).update(topics=list(topics))


UPDATE_CHUNK = 900


@dataclass(frozen=True)
class TopicRemoved:
    topic: Topic
    readers: int  # subscriptions that had chosen it
    now_whole: int  # of them, those it leaves with no topic: they get the whole digest


@transaction.atomic
def topic_remove(*, edition: str, slug: str) -> TopicRemoved:
    """The topic gone from its edition and from every reader's choice, in one transaction. A
    reader who chose only it gets the whole digest, as a reader who chose nothing does. Stored
    stories and digests keep what they were given; the next digest is made without it."""
    return forget(topic_get(edition=edition, slug=slug))


def forget(topic: Topic) -> TopicRemoved:
    """`topic_remove` for a topic already found (the admin's delete calls this)."""
    groups: dict[tuple[str, ...], list[int]] = {}
    chosen = Subscription.objects.filter(edition_id=topic.edition_id).values_list("pk", "topics")
    for pk, picked in chosen.iterator(chunk_size=2000):
        if picked and topic.slug in picked:
            groups.setdefault(tuple(s for s in picked if s != topic.slug), []).append(pk)
    # One UPDATE per topic set left (as `subscriptions_topics_import` writes them), in chunks
    # that stay under SQLite's limit of bound variables.
    for left, pks in groups.items():
        for start in range(0, len(pks), UPDATE_CHUNK):
            chunk = pks[start : start + UPDATE_CHUNK]
            Subscription.objects.filter(pk__in=chunk).update(topics=list(left))
    topic_delete(topic)
    return TopicRemoved(
        topic,
        readers=sum(len(pks) for pks in groups.values()),
        now_whole=len(groups.get((), [])),
    )
