"""Turn the day's ranked stories into digest items, keeping what an editor already decided.

A rebuild makes new stories, so editor decisions (pin, drop, edited words) are carried by the
articles they were about: an old item's decision goes to the new story sharing most of its
articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from headlines.digests.models import Digest, DigestItem
from headlines.stories.models import Story

# Items past `max_stories` are the editor's reserve: not sent, ready to swap in.
RESERVE = 5


@dataclass(frozen=True)
class Decision:
    article_ids: frozenset[int]
    position: int
    headline: str
    summary: str
    pinned: bool
    dropped: bool
    edited: bool
    topics: tuple[str, ...] = ()


def decisions(digest: Digest) -> list[Decision]:
    kept = []
    items = digest.items.filter(story__isnull=False).prefetch_related("story__articles")
    for item in items:
        assert item.story is not None
        if not (item.pinned or item.dropped or item.edited):
            continue
        if item.dropped and item.story.elsewhere and not (item.pinned or item.edited):
            continue  # the build left it out, not an editor: the next build decides again
        kept.append(
            Decision(
                article_ids=frozenset(a.pk for a in item.story.articles.all()),
                position=item.position,
                headline=item.headline,
                summary=item.summary,
                pinned=item.pinned,
                dropped=item.dropped,
                edited=item.edited,
                topics=tuple(item.topics or ()),
            )
        )
    return kept


def _match(decision: Decision, stories: Sequence[Story], members: dict[int, set[int]]) -> int:
    best, best_share = -1, 0.0
    for index, story in enumerate(stories):
        shared = len(decision.article_ids & members[story.pk])
        share = shared / max(len(decision.article_ids), 1)
        if share > best_share:
            best, best_share = index, share
    return best if best_share >= 0.5 else -1


def items_for(
    digest: Digest, stories: Sequence[Story], kept: Sequence[Decision]
) -> list[DigestItem]:
    """Unsaved items in order: pinned at their places, the rest by rank, dropped ones last."""
    developed = [s for s in stories if s.developed]
    members: dict[int, set[int]] = {}
    if kept:
        through = Story.articles.through.objects.filter(story_id__in=[s.pk for s in developed])
        for story_id, article_id in through.values_list("story_id", "article_id"):
            members.setdefault(story_id, set()).add(article_id)
        for story in developed:
            members.setdefault(story.pk, set())
    decided: dict[int, Decision] = {}
    for decision in kept:
        index = _match(decision, developed, members)
        if index >= 0 and developed[index].pk not in decided:
            decided[developed[index].pk] = decision
    limit = digest.edition.max_stories + RESERVE
    undecided = [s for s in developed if s.pk not in decided]
    here = [s for s in undecided if not s.elsewhere]
    # Another edition's local stories go out only when nothing else is left; else they wait in
    # the reserve, left out, for an editor to pull in.
    held = {s.pk for s in undecided if s.elsewhere} if here else set()
    free = (here + [s for s in undecided if s.elsewhere])[: max(limit - len(decided), 0)]
    order: list[Story] = list(free)
    pinned = sorted(
        (
            s
            for s in developed
            if s.pk in decided and decided[s.pk].pinned and not decided[s.pk].dropped
        ),
        key=lambda s: decided[s.pk].position,
    )
    for story in pinned:
        order.insert(min(max(decided[story.pk].position - 1, 0), len(order)), story)
    others = [s for s in developed if s.pk in decided and s not in pinned]
    for story in others:
        if decided[story.pk].dropped:
            continue
        order.insert(min(max(decided[story.pk].position - 1, 0), len(order)), story)
    dropped = [s for s in others if decided[s.pk].dropped]
    return [
        _item(digest, story, position, decided.get(story.pk), held=story.pk in held)
        for position, story in enumerate(order + dropped, start=1)
    ]


def _item(
    digest: Digest, story: Story, position: int, decision: Decision | None, *, held: bool = False
) -> DigestItem:
    edited = bool(decision and decision.edited)
    return DigestItem(
        digest=digest,
        story=story,
        position=position,
        headline=decision.headline if decision and edited else story.headline,
        summary=decision.summary if decision and edited else story.summary,
        url=story.url,
        image_url=story.image_url,
        source_names=story.source_names,
        topics=list(decision.topics) if decision and edited else list(story.topics or []),
        pinned=bool(decision and decision.pinned),
        dropped=bool(decision and decision.dropped) or held,
        edited=edited,
    )
