"""A small newsroom for the API tests: a source, a day's stories and a digest of them."""

from __future__ import annotations

import datetime as dt

from headlines.core import clock
from headlines.core.models import Edition
from headlines.digests.models import Digest, DigestItem
from headlines.stories.models import Story
from tests.delivery import factories as delivery_factories
from tests.stories import factories as story_factories

DAY = dt.date(2026, 11, 25)
NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def stories(edition: Edition, count: int = 3) -> list[Story]:
    source = story_factories.source(name="Coast Daily", edition=edition)
    made = []
    for n in range(1, count + 1):
        article = story_factories.article(
            source=source,
            edition=edition,
            title=f"Story {n} headline",
            url=f"https://news.example/{n}",
            published_at=NOON,
        )
        story = Story.objects.create(
            edition=edition,
            headline=f"Story {n} headline",
            summary=f"What happened in story {n}.",
            day=DAY,
            score=10 - n,
            rank=n,
            url=f"https://news.example/{n}",
        )
        story.articles.add(article)
        made.append(story)
    return made


def digest(edition: Edition, *, state: str = "draft", count: int = 3) -> Digest:
    made = delivery_factories.digest(edition, day=DAY, state=state, built_at=clock.now())
    for n, story in enumerate(stories(edition, count), start=1):
        DigestItem.objects.create(
            digest=made,
            story=story,
            position=n,
            headline=story.headline,
            summary=story.summary,
            url=story.url,
            source_names=["Coast Daily"],
        )
    return made
