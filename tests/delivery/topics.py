"""A digest whose stories have topics and readers on several topic sets, and the check that
each reader got exactly their topics' stories (used in-process and by child installations)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from headlines.core.models import Edition
from headlines.digests import rendering
from headlines.digests.models import Digest, DigestItem
from headlines.stories.topics import topic_add
from headlines.subscriptions.models import Subscription

TOPICS = {"world": "World", "money": "Money", "sport": "Sport", "science": "Science"}
# Eight stories in the editor's order; "science" has none, so its readers get "Also today" only.
STORIES = [
    ("Storm reaches the coast", ["world"]),
    ("Bank raises its rate", ["money"]),
    ("Summit talks on trade", ["world", "money"]),
    ("Cup final goes to extra time", ["sport"]),
    ("Local library reopens", []),
    ("Shares rally at the close", ["money"]),
    ("Election called abroad", ["world"]),
    ("Record for the marathon", ["sport"]),
]
# Readers are given these sets in turn (see set_for); () is no choice.
SETS: list[tuple[str, ...]] = [
    (),
    ("world",),
    ("money",),
    ("world", "money"),
    ("sport",),
    ("science",),
]
ALSO = 3


def seed_topics(edition: Edition, digest: Digest, subscription_ids: Iterable[int]) -> None:
    """Topics for the edition, the stories as the digest's items (rendered), readers' choices."""
    for slug, name in TOPICS.items():
        topic_add(edition=edition.slug, slug=slug, name=name)
    DigestItem.objects.bulk_create(
        [
            DigestItem(digest=digest, position=n, headline=h, topics=t, url=f"https://n.ex/{n}")
            for n, (h, t) in enumerate(STORIES, start=1)
        ]
    )
    digest.subject, digest.preheader, digest.html, digest.text = rendering.render(digest)
    digest.save()
    rows = Subscription.objects.filter(pk__in=list(subscription_ids))
    for sid, address in rows.values_list("id", "subscriber__email"):
        Subscription.objects.filter(pk=sid).update(topics=list(set_for(address)))


def set_for(address: str) -> tuple[str, ...]:
    """The topic set of a reader made by factories.readers: the n-th address gets SETS[n % 6]."""
    found = re.search(r"-(\d+)@", address)
    assert found is not None, address
    return SETS[int(found.group(1)) % len(SETS)]


def expected(topics: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(their topics' headlines in order, the "Also today" headlines) for a topic set."""
    if not topics:
        return [h for h, _ in STORIES], []
    mine = [h for h, t in STORIES if set(t) & set(topics)]
    return mine, [h for h, t in STORIES if not set(t) & set(topics)][:ALSO]


def got(text: str) -> tuple[list[str], list[str]]:
    """(numbered headlines, "Also today" headlines) read from an email's plain-text part."""
    main, _, also = text.replace("\r\n", "\n").partition("\nAlso today\n")
    numbered = re.findall(r"^\d+\. (?:\[Developing\] )?(.+)$", main, flags=re.M)
    listed = re.findall(r"^- (.+)$", also, flags=re.M)
    return numbered, listed


def topics_line(topics: tuple[str, ...]) -> str:
    names = [TOPICS[s] for s in TOPICS if s in topics]
    return f"Your topics: {', '.join(names)}" if names else ""
