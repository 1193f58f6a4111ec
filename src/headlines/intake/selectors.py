"""Reads on sources and articles."""

from __future__ import annotations

import datetime as dt

from django.db.models import DateTimeField, Exists, Max, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from headlines.core.errors import NotFound
from headlines.intake.fetching.waits import MAX_RETRY_AFTER
from headlines.intake.models import Article, Source

MAX_BACKOFF_MINUTES = 24 * 60


def articles_in_window(
    *, edition_id: int, start: dt.datetime, end: dt.datetime, include_duplicates: bool = True
) -> QuerySet[Article]:
    """Articles of the edition published in [start, end), or created then when undated.

    Duplicates are included by default (a story told by several sources is a bigger story);
    each carries `duplicate_of`, the earliest copy.
    """
    articles = Article.objects.filter(
        Q(published_at__gte=start, published_at__lt=end)
        | Q(published_at__isnull=True, created_at__gte=start, created_at__lt=end)
    ).filter(of_edition(edition_id))
    if not include_duplicates:
        articles = articles.filter(duplicate_of__isnull=True)
    return articles.select_related("source")


def of_edition(edition_id: int) -> Exists:
    """The article is the edition's, asked of each article (its row in the edition's links, by
    their unique index) rather than joined: SQLite, which keeps no statistics here, read a join
    from the edition's side, every article the edition ever had (1.8 million after a year of a
    large newsroom: 1.3-3 s a digest's window, 6 s the topics' labelled articles), before it
    kept the window's. No join, no DISTINCT: each article comes once."""
    links = Article.editions.through.objects.filter(
        article_id=OuterRef("pk"), edition_id=edition_id
    )
    return Exists(links)


# An edition with fewer articles than this has its span read from its own articles, a larger
# one from the ends of the `article_window` index (see article_span).
SPAN_FROM_ENDS = 10_000


def article_span(*, edition_id: int) -> tuple[dt.datetime, dt.datetime] | None:
    """The first and last time (published, or stored when undated) of the edition's articles;
    None when it has none.

    A minimum and a maximum over the edition's articles read every one of them (0.3 s on SQLite
    at 1.5 million, 1.2-1.6 s for `headlines stories`' hint after a year of a large newsroom).
    An edition with SPAN_FROM_ENDS articles or more is read from four ends of the
    `article_window` index instead (the first and last dated article, the first and last
    undated one), each walked until an article of the edition: about as many steps as the
    articles of all editions per one of its own, where a small edition among large ones would
    have the index walked far."""
    links = Article.editions.through.objects.filter(edition_id=edition_id)
    held = links[:SPAN_FROM_ENDS].count()
    if not held:
        return None
    if held < SPAN_FROM_ENDS:
        span = (
            Article.objects.filter(editions=edition_id)
            .annotate(when=Coalesce("published_at", "created_at", output_field=DateTimeField()))
            .aggregate(first=Min("when"), last=Max("when"))
        )
        return span["first"], span["last"]
    mine = Article.objects.filter(of_edition(edition_id))
    dated = mine.filter(published_at__isnull=False)
    undated = mine.filter(published_at__isnull=True)
    ends = [
        dated.order_by("published_at").values_list("published_at", flat=True).first(),
        dated.order_by("-published_at").values_list("published_at", flat=True).first(),
        undated.order_by("created_at").values_list("created_at", flat=True).first(),
        undated.order_by("-created_at").values_list("created_at", flat=True).first(),
    ]
    found = [moment for moment in ends if moment is not None]
    return (min(found), max(found)) if found else None


def source_list() -> QuerySet[Source]:
    return Source.objects.prefetch_related("editions")


def source_get(*, slug: str) -> Source:
    source = Source.objects.filter(slug=slug).first()
    if source is None:
        known = ", ".join(Source.objects.values_list("slug", flat=True)[:20]) or "none yet"
        raise NotFound(f"no source {slug!r} (known: {known})")
    return source


def sources_due(*, now: dt.datetime) -> list[Source]:
    """Enabled sources whose interval (longer after failures) has passed since the last fetch.

    Computed in Python over the enabled sources: a newsroom has tens to hundreds of them, and
    interval arithmetic in SQL differs between SQLite and PostgreSQL.
    """
    due = []
    for source in Source.objects.filter(enabled=True).order_by("last_fetched_at", "id"):
        if source.lease_until and source.lease_until > now:
            continue
        next_fetch = source_next_fetch(source)
        if next_fetch is None or next_fetch <= now:
            due.append(source)
    return due


def source_next_fetch(source: Source) -> dt.datetime | None:
    """When the scheduler fetches the source again: its interval after the last fetch, doubled
    per failure in a row (at most a day, or the interval itself when that is longer), or
    longer if its server asked for a longer wait. None when it was never fetched (the next
    tick takes it)."""
    if source.last_fetched_at is None:
        return None
    interval = source.fetch_interval_minutes
    minutes = interval * 2 ** min(source.consecutive_failures, 10)
    # The cap is on the back-off, never on the interval: capped at a day alone, a source
    # fetched every two days was fetched daily, and a failing one sooner than when healthy.
    wait = dt.timedelta(minutes=min(minutes, max(MAX_BACKOFF_MINUTES, interval, 1)))
    return source.last_fetched_at + max(wait, _asked_to_wait(source))


def _asked_to_wait(source: Source) -> dt.timedelta:
    """The Retry-After the server gave at the last run (a 429 or 503 asking for an hour must
    not be asked again after the half-hour interval)."""
    asked = (source.last_report or {}).get("retry_after") if source.consecutive_failures else 0
    if not isinstance(asked, int | float) or not asked > 0:
        return dt.timedelta(0)
    return dt.timedelta(seconds=min(float(asked), MAX_RETRY_AFTER))


def article_get(*, article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise NotFound(f"no article #{article_id}")
    return article


def article_outlet(article: Article) -> str:
    """Who reported the article: the outlet its record or feed entry named, else its source
    (a mixed dump credits each outlet; diversity counts them apart)."""
    return article.outlet or article.source.name


def source_unreachable(source: Source) -> str | None:
    """Why every fetch of a source that is not local would be refused, as its URL is written
    ("127.0.0.1 is a loopback address"), or None; a name is checked when it is fetched."""
    if source.is_local or not source.url:
        return None
    return url_unreachable(source.url)


def url_unreachable(url: str) -> str | None:
    """Why every fetch of `url` by a source that is not local would be refused, or None."""
    from headlines.intake.fetching.addresses import AddressPolicy
    from headlines.intake.fetching.http import FetchOptions

    networks = FetchOptions.from_settings().allow_networks
    return AddressPolicy(allow_networks=networks).named_refusal(url)
