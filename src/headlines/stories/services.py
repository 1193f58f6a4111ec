"""Writes on stories: store one edition's stories for one day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction

from headlines.core import clock
from headlines.core.errors import NotFound
from headlines.core.models import Edition
from headlines.intake.models import Article
from headlines.stories.models import Story

if TYPE_CHECKING:
    from headlines.intake.pipeline.reports import Progress
    from headlines.stories import assembly


@transaction.atomic
def stories_build(
    *, edition_id: int, day: dt.date, drafts: Sequence[assembly.Draft] | None = None
) -> list[Story]:
    """(Re)build the edition's stories for `day`, in digest order. Replaces that day's stories.

    `drafts` from `planning.drafts`, computed before the transaction, keep it short; without
    them they are computed here.
    """
    try:
        edition = Edition.objects.get(pk=edition_id)
    except Edition.DoesNotExist:
        raise NotFound(f"no edition {edition_id}") from None
    from headlines.stories import assembly, planning, topics  # numpy: only when building

    if drafts is None:
        drafts = planning.drafts(edition=edition, day=day)
    Story.objects.filter(edition_id=edition.pk, day=day).delete()
    story_topics = topics.stories_topics(
        edition_id=edition.pk,
        members=[[r.id for r in draft.members] for draft in drafts],
        texts={
            r.id: f"{r.title}\n{r.text[: topics.TEXT_CHARS]}" for d in drafts for r in d.members
        },
    )
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
                elsewhere=draft.elsewhere,
                source_count=len(draft.independent_sources),
                article_count=len(draft.members),
                latest_at=max(r.when for r in draft.members),
                url=assembly.safe_url(draft.lead.url),
                image_url=next(
                    (u for u in (assembly.safe_url(r.image_url) for r in draft.members) if u), ""
                ),
                source_names=draft.source_names[:20],
                topics=story_topics[rank],
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


# Only headlines stored this recently are filled: what the import or ingest just stored (and
# what an interrupted one left), not a source's whole history after an upgrade (9 ms a title:
# 100,000 old headlines would hold an import for a quarter of an hour; a build fills those of
# its own window when it needs them).
TITLE_VECTOR_DAYS = 2


def title_vectors_fill(*, source_slug: str, progress: Progress | None = None) -> int:
    """Make and store the title vectors (`stories.vectors`) of the source's headlines without
    text stored in the last TITLE_VECTOR_DAYS that have none yet, so the evening's build of a
    window of headlines only reads them (`headlines import` of a news aggregator's dump and
    the periodic ingest call it). Only titles the clustering would embed (English, or Latin
    letters of no known language); nothing when the model package is not installed or
    HEADLINES_STORY_EMBEDDING_WEIGHT is 0. Returns how many were made."""
    from django.conf import settings

    from headlines.stories import embedding, selectors, vectors
    from headlines.stories.parts import Doc
    from headlines.stories.vectorizer import embeddable

    if float(settings.CONFIG["HEADLINES_STORY_EMBEDDING_WEIGHT"]) <= 0.0:
        return 0
    if not embedding.available():
        return 0
    since = clock.now() - dt.timedelta(days=TITLE_VECTOR_DAYS)
    articles = (
        Article.objects.filter(
            source__slug=source_slug, text="", title_vector__isnull=True, created_at__gte=since
        )
        .select_related("source")
        .only("id", "title", "outlet", "language", "source__name", "source__language")
        .order_by("id")
    )
    texts: dict[int, str] = {}
    for article in articles.iterator(chunk_size=2000):
        doc = Doc(
            title=selectors.story_title(article),
            text="",
            language=article.language or article.source.language,
        )
        if doc.title.strip() and embeddable(doc):
            texts[article.pk] = doc.title
    if not texts:
        return 0
    if progress is not None:
        progress.start("Title vectors", len(texts))
    ids = list(texts)
    for start in range(0, len(ids), vectors.CHUNK):  # its chunks, so progress moves with them
        batch = ids[start : start + vectors.CHUNK]
        vectors.stored_or_made({i: texts[i] for i in batch})
        if progress is not None:
            progress.advance(len(batch))
    return len(texts)
