"""Plan one edition's stories for one day: read the articles, cluster, word and rank them.

Reads and computation, nothing stored but the title vectors a window of headlines makes once
(`title_vectors`, a short write of their own): the slow part of building a digest runs outside
any transaction, so SQLite's single writer is held only for the short write that follows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence

import numpy as np
from django.conf import settings

from headlines.core.models import Edition
from headlines.intake import selectors as intake_selectors
from headlines.intake.extraction.languages import guess_language
from headlines.intake.models import Article, Source
from headlines.stories import assembly, clustering, places, ranking, selectors
from headlines.stories import text as textlib
from headlines.stories.models import Story
from headlines.stories.parts import Doc
from headlines.stories.vectorizer import continuation_document, continuation_space, embedded_titles

# Diversity re-orders only the head of the list: nobody reads past it, and it is quadratic.
DIVERSIFY_HEAD = 60
# Where a story happened is in its dateline and first lines.
PLACE_CHARS = 600
# Articles of no known language: how many of a source's, and how much of each, tell it.
POOLED_ARTICLES, POOLED_CHARS = 200, 300
# A window of fewer than SCORER_MIN_WINDOW articles (copies of a headline counted once)
# counts the edition's HISTORY_ARTICLES latest before it, of the HISTORY_DAYS before it, in its
# words' IDF (`clustering.cluster`'s `history`); 250 to 1,200 measured alike
# (docs/benchmarks.md, "A small window's words weighed against the days before").
HISTORY_ARTICLES, HISTORY_DAYS = 500, 30


def _rows(
    edition: Edition, day: dt.date, hours: float | None = None
) -> tuple[list[assembly.Row], dt.datetime, dt.datetime]:
    """The window's articles as rows, the window's start and its end."""
    start, end = selectors.digest_window(edition=edition, day=day)
    if hours is not None:
        start = end - dt.timedelta(hours=hours)
    articles = list(selectors.articles_in_window(edition_id=edition.pk, start=start, end=end))
    home_sources = _home_sources(edition, {a.source_id for a in articles})
    unknown = _pooled_languages(articles, edition)
    rows = [
        assembly.Row(
            id=a.pk,
            title=selectors.story_title(a),
            text=a.text,
            source_id=a.source_id,
            source_name=intake_selectors.article_outlet(a),
            source_weight=a.source.weight,
            language=a.language or a.source.language or unknown.get(a.source_id, ""),
            when=a.published_at or a.created_at,
            duplicate_of_id=a.duplicate_of_id,
            url=a.url,
            image_url=a.image_url,
            published_at=a.published_at,
            home=a.source_id in home_sources,
        )
        for a in articles
    ]
    return rows, start, end


def history_docs(edition: Edition, start: dt.datetime) -> list[Doc]:
    """The edition's articles before `start` whose words count in a small window's IDF (see
    HISTORY_ARTICLES); the clustering reads them only for a window that small."""
    articles = selectors.articles_before(
        edition_id=edition.pk, before=start, days=HISTORY_DAYS, limit=HISTORY_ARTICLES
    )
    return [
        Doc(
            title=selectors.story_title(a),
            text=a.text,
            language=a.language or a.source.language or edition.language,
        )
        for a in articles
    ]


def _pooled_languages(articles: Sequence[Article], edition: Edition) -> dict[int, str]:
    """For each source whose articles here name no language: the language their titles and
    leads tell together, else the edition's. A headline is too short to tell its language on
    its own (`languages.guess_language` wants 20 words), and read as English a German dump of
    headlines kept "der" and "die" as words to compare; a source's headlines are mostly in one
    language, so POOLED_ARTICLES of them are read at once."""
    pools: dict[int, list[str]] = {}
    for a in articles:
        if not (a.language or a.source.language):
            pool = pools.setdefault(a.source_id, [])
            if len(pool) < POOLED_ARTICLES:
                pool.append(f"{a.title}. {a.text[:POOLED_CHARS]}")
    return {
        source_id: guess_language(" ".join(texts)) or edition.language
        for source_id, texts in pools.items()
    }


def _home_sources(edition: Edition, source_ids: set[int]) -> set[int]:
    """Sources that serve this edition alone: their desk chose each story for its readers."""
    served: dict[int, set[int]] = {}
    through = Source.editions.through.objects.filter(source_id__in=source_ids)
    for source_id, edition_id in through.values_list("source_id", "edition_id"):
        served.setdefault(source_id, set()).add(edition_id)
    return {s for s, editions in served.items() if editions == {edition.pk}}


def _mark_elsewhere(edition: Edition, drafts: list[assembly.Draft]) -> None:
    """Stories only about another edition's country (and told by no outlet of this edition's
    own) are marked: the digest carries them only when nothing else is left."""
    home = places.country_of_timezone(edition.timezone)
    others = frozenset(
        code
        for tz in Edition.objects.exclude(pk=edition.pk).values_list("timezone", flat=True)
        if (code := places.country_of_timezone(tz)) and code != home
    )
    for draft in drafts:
        if any(r.home for r in draft.members):
            continue
        texts = [f"{r.title}. {r.text[:PLACE_CHARS]}" for r in draft.members]
        draft.elsewhere = places.elsewhere(texts, home=home, others=others)


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
    fresh = sorted((d for d in drafts if d.developed and not d.elsewhere), key=lambda d: -d.score)
    away = sorted((d for d in drafts if d.developed and d.elsewhere), key=lambda d: -d.score)
    stale = sorted((d for d in drafts if not d.developed), key=lambda d: -d.score)
    head, tail = fresh[:DIVERSIFY_HEAD], fresh[DIVERSIFY_HEAD:]
    if head:
        centroids = assembly.stacked(head)
        order = ranking.diversify([d.score for d in head], (centroids @ centroids.T).toarray())
        head = [head[i] for i in order]
    return head + tail + away + stale


def docs_from(
    rows: Sequence[assembly.Row], vectors: Mapping[int, np.ndarray] | None = None
) -> list[Doc]:
    """The rows as the clustering reads them; `vectors`: stored title vectors by article id."""
    index_of = {r.id: i for i, r in enumerate(rows)}
    given = vectors or {}
    return [
        Doc(
            title=r.title,
            text=r.text,
            duplicate_of=index_of.get(r.duplicate_of_id) if r.duplicate_of_id else None,
            language=r.language,
            vector=given.get(r.id),
            published=r.published_at,
        )
        for r in rows
    ]


def title_vectors(
    rows: Sequence[assembly.Row], docs: Sequence[Doc] | None = None
) -> dict[int, np.ndarray]:
    """The stored title vectors of the rows the clustering will embed (made and stored now
    where missing: `vectors.stored_or_made`); none when it embeds none, or when the model
    package is not installed. `docs`: `docs_from(rows)`, when the caller has them."""
    from headlines.stories import embedding, vectors

    weight = float(settings.CONFIG["HEADLINES_STORY_EMBEDDING_WEIGHT"])
    wanted = embedded_titles(docs_from(rows) if docs is None else docs, weight)
    if not wanted or not embedding.available():
        return {}
    return vectors.stored_or_made({rows[i].id: rows[i].title for i in wanted})


def cluster_rows(
    rows: Sequence[assembly.Row],
    vectors: Mapping[int, np.ndarray] | None = None,
    history: clustering.History = (),
) -> clustering.Clustering:
    """The day's articles grouped into stories at the configured similarity (the benchmarks
    call this too, so what they measure is what a digest gets). `vectors`: `title_vectors`
    (without them, the titles a window of headlines needs are encoded here); `history`:
    `history_docs`."""
    return clustering.cluster(
        docs_from(rows, vectors),
        threshold=float(settings.CONFIG["HEADLINES_STORY_SIMILARITY"]),
        embedding_weight=float(settings.CONFIG["HEADLINES_STORY_EMBEDDING_WEIGHT"]),
        static_weight=float(settings.CONFIG["HEADLINES_STORY_STATIC_WEIGHT"]),
        history=history,
    )


def drafts(*, edition: Edition, day: dt.date, hours: float | None = None) -> list[assembly.Draft]:
    """The day's stories-to-be, in digest order; `hours` widens the window (default: the
    digest's)."""
    rows, start, end = _rows(edition, day, hours)
    if not rows:
        return []
    index_of = {r.id: i for i, r in enumerate(rows)}
    docs = docs_from(rows)
    history = functools.partial(history_docs, edition, start)
    result = cluster_rows(rows, title_vectors(rows, docs), history)
    drafts = assembly.drafts_from(rows, result.labels, result.matrix)
    earlier = _earlier(edition, day)
    if earlier:
        # Earlier stories are weighed like articles, in the continuation space (vectorizer.py).
        vec, space = continuation_space(docs)
        vectors = vec.transform([continuation_document("", e.text) for e in earlier])
        assembly.link_continuations(
            drafts,
            earlier,
            vectors,
            threshold=float(settings.CONFIG["HEADLINES_STORY_CONTINUATION_SIMILARITY"]),
            centroids=assembly.centroids(drafts, space, index_of),
        )
    _mark_elsewhere(edition, drafts)
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
