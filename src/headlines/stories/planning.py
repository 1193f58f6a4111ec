"""Plan one edition's stories for one day: read the articles, cluster, word and rank them.

Reads and computation only, nothing stored: the slow part of building a digest runs outside any
transaction, so SQLite's single writer is held only for the short write that follows.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from headlines.core.models import Edition
from headlines.intake import selectors as intake_selectors
from headlines.stories import assembly, ranking, selectors
from headlines.stories import text as textlib
from headlines.stories.models import Story

# Diversity re-orders only the head of the list: nobody reads past it, and it is quadratic.
DIVERSIFY_HEAD = 60


def _rows(edition: Edition, day: dt.date) -> tuple[list[assembly.Row], dt.datetime]:
    start, end = selectors.digest_window(edition=edition, day=day)
    rows = [
        assembly.Row(
            id=a.pk,
            title=textlib.clean_title(a.title, source_names=[a.source.name, a.outlet]),
            text=a.text,
            source_id=a.source_id,
            source_name=intake_selectors.article_outlet(a),
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
        import numpy as np

        centroids = np.vstack([d.centroid for d in head])
        order = ranking.diversify([d.score for d in head], centroids @ centroids.T)
        head = [head[i] for i in order]
    return head + tail + stale


def drafts(*, edition: Edition, day: dt.date) -> list[assembly.Draft]:
    """The day's stories-to-be, in digest order."""
    # Clustering loads scikit-learn and SciPy (a second of start-up): only planning pays for it.
    from headlines.stories import clustering

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
        # Earlier stories are weighed like articles, in the continuation space (see clustering).
        vec, space = clustering.continuation_space(docs)
        vectors = vec.transform([clustering.continuation_document("", e.text) for e in earlier])
        assembly.link_continuations(
            drafts,
            earlier,
            vectors,
            threshold=float(settings.CONFIG["HEADLINES_STORY_CONTINUATION_SIMILARITY"]),
            centroids=assembly.centroids(drafts, space, index_of),
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
