"""Writes on stories: build one edition's stories for one day."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.conf import settings
from django.db import transaction

from headlines.core.errors import NotFound
from headlines.core.models import Edition
from headlines.stories import assembly, clustering, ranking, selectors
from headlines.stories import text as textlib
from headlines.stories.models import Story

# Diversity re-orders only the head of the list: nobody reads past it, and it is quadratic.
DIVERSIFY_HEAD = 60


def _rows(edition: Edition, day: dt.date) -> tuple[list[assembly.Row], dt.datetime]:
    start, end = selectors.digest_window(edition=edition, day=day)
    rows = [
        assembly.Row(
            id=a.pk,
            title=textlib.clean_title(a.title, source_names=[a.source.name]),
            text=a.text,
            source_id=a.source_id,
            source_name=a.source.name,
            source_weight=a.source.weight,
            language=a.language or a.source.language,
            when=a.published_at or a.created_at,
            duplicate_of_id=a.duplicate_of_id,
            url=a.url,
            image_url=a.image_url,
        )
        for a in selectors.articles_in_window(edition_id=edition.pk, start=start, end=end)
    ]
    return rows, end


def _earlier(edition: Edition, day: dt.date) -> list[assembly.Earlier]:
    days = int(settings.CONFIG["HEADLINES_STORY_LOOKBACK_DAYS"])
    stories = list(selectors.previous_stories(edition_id=edition.pk, day=day, days=days))
    members: dict[int, list[tuple[int, int, str]]] = {}
    # Only ids and titles of the earlier stories' articles: their full texts are not needed.
    through = Story.articles.through.objects.filter(story_id__in=[s.pk for s in stories])
    for story_id, article_id, source_id, title in through.values_list(
        "story_id", "article_id", "article__source_id", "article__title"
    ):
        members.setdefault(story_id, []).append((article_id, source_id, title))
    earlier = []
    for story in stories:
        rows = members.get(story.pk, [])
        titles = " ".join(textlib.plain(title) for _, _, title in rows[:5])
        earlier.append(
            assembly.Earlier(
                id=story.pk,
                text=f"{story.headline}. {story.summary} {titles}",
                article_ids=frozenset(a for a, _, _ in rows),
                source_ids=frozenset(s for _, s, _ in rows),
            )
        )
    return earlier


def _order(drafts: list[assembly.Draft]) -> list[assembly.Draft]:
    """Developed stories by score with diversity at the head; repeats of earlier days last."""
    fresh = sorted((d for d in drafts if d.developed), key=lambda d: -d.score)
    stale = sorted((d for d in drafts if not d.developed), key=lambda d: -d.score)
    head, tail = fresh[:DIVERSIFY_HEAD], fresh[DIVERSIFY_HEAD:]
    if head:
        centroids = np.vstack([d.centroid for d in head])
        order = ranking.diversify([d.score for d in head], centroids @ centroids.T)
        head = [head[i] for i in order]
    return head + tail + stale


def _drafts(edition: Edition, day: dt.date) -> list[assembly.Draft]:
    rows, end = _rows(edition, day)
    if not rows:
        return []
    index_of = {r.id: i for i, r in enumerate(rows)}
    docs = [
        clustering.Doc(
            title=r.title,
            text=r.text,
            duplicate_of=index_of.get(r.duplicate_of_id) if r.duplicate_of_id else None,
        )
        for r in rows
    ]
    result = clustering.cluster(
        docs, threshold=float(settings.CONFIG["HEADLINES_STORY_SIMILARITY"])
    )
    drafts = assembly.drafts_from(rows, result.labels, result.matrix)
    earlier = _earlier(edition, day)
    if earlier:
        # Earlier stories are weighed like articles: names and numbers count twice.
        vectors = result.vectorizer.transform([clustering.document("", e.text) for e in earlier])
        assembly.link_continuations(
            drafts,
            earlier,
            vectors,
            threshold=float(settings.CONFIG["HEADLINES_STORY_CONTINUATION_SIMILARITY"]),
        )
    max_chars = int(settings.CONFIG["HEADLINES_SUMMARY_MAX_CHARS"])
    terms = selectors.relevance_terms(edition=edition)
    for draft in drafts:
        assembly.write(draft, max_chars=max_chars)
        signals = ranking.Signals(
            source_weights=draft.independent_sources,
            latest_at=max(r.when for r in draft.members),
            languages=[r.language for r in draft.members],
            text=" ".join([draft.headline, draft.summary, *(r.title for r in draft.members[:5])]),
        )
        draft.score = ranking.score(signals, end=end, language=edition.language, terms=terms)
    return _order(drafts)


@transaction.atomic
def stories_build(*, edition_id: int, day: dt.date) -> list[Story]:
    """(Re)build the edition's stories for `day`, in digest order. Replaces that day's stories."""
    try:
        edition = Edition.objects.get(pk=edition_id)
    except Edition.DoesNotExist:
        raise NotFound(f"no edition {edition_id}") from None
    drafts = _drafts(edition, day)
    Story.objects.filter(edition_id=edition.pk, day=day).delete()
    stories = Story.objects.bulk_create(
        [
            Story(
                edition=edition,
                day=day,
                rank=rank,
                headline=draft.headline[:300],
                summary=draft.summary,
                score=round(draft.score, 6),
                continues_id=draft.continues_id,
                developed=draft.developed,
                source_count=len(draft.independent_sources),
                article_count=len(draft.members),
                latest_at=max(r.when for r in draft.members),
                url=assembly.safe_url(draft.lead.url),
                image_url=next(
                    (u for u in (assembly.safe_url(r.image_url) for r in draft.members) if u), ""
                ),
                source_names=draft.source_names[:20],
            )
            for rank, draft in enumerate(drafts)
        ]
    )
    through = Story.articles.through
    through.objects.bulk_create(
        [
            through(story_id=story.pk, article_id=row.id)
            for story, draft in zip(stories, drafts, strict=True)
            for row in draft.members
        ],
        batch_size=2000,
    )
    return stories
