"""Every story of a window, ranked, with its articles: what `headlines stories` prints and what
the editor sees beside the digest.

Reads only. A window's stories are worked out afresh (the digest build's own planning, nothing
stored); the stories a digest was built from are read as stored. Both come out as `Listed`.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet, prefetch_related_objects

from headlines.core.errors import InvalidInput, NotFound
from headlines.core.models import Edition
from headlines.intake import selectors as intake_selectors
from headlines.stories import selectors
from headlines.stories.models import Story
from headlines.stories.topics import topics_of

EARLIEST_DAY = dt.date(1970, 1, 1)
FUTURE_DAYS = 366
# What bounds a window is how many articles it holds, not how many hours it spans: the clustering
# holds all of them in memory, and its time grows faster than they do (`bench_wide_window`:
# 30,000 articles with text about 1 GB and 47 s of CPU, 30,000 headlines 1.6 GB and 16 s after
# their title vectors; a month of a large newsroom is far more, ten years of a small archive
# far less).
MAX_ARTICLES = 30_000


@dataclass(frozen=True)
class ListedArticle:
    url: str
    title: str
    source: str
    published: dt.datetime | None


@dataclass(frozen=True)
class Listed:
    headline: str
    summary: str
    articles: tuple[ListedArticle, ...]
    topics: tuple[str, ...] = ()  # the edition's reader topics it belongs to (stored stories)
    story_id: int | None = None
    rank: int | None = None  # its place in the day's order (stored stories)


@dataclass(frozen=True)
class Window:
    edition: Edition
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    stories: list[Listed]


def check_hours(hours: float | None) -> float | None:
    if hours is None:
        return None
    if not math.isfinite(hours) or hours <= 0:
        raise InvalidInput(f"--hours must be more than 0 (got {hours!r})", field="hours")
    return float(hours)


def _wide_start(edition: Edition, hours: float, end: dt.datetime) -> dt.datetime:
    """The start of a window `hours` before `end`, once the listing can take it: not before
    EARLIEST_DAY, and no more than MAX_ARTICLES articles."""
    earliest = dt.datetime.combine(EARLIEST_DAY, dt.time(), tzinfo=dt.UTC)
    reach = (end - earliest).total_seconds() / 3600
    if hours > reach:
        raise InvalidInput(
            f"--hours {hours:g} reaches back before {EARLIEST_DAY:%Y-%m-%d}: at most "
            f"{reach:,.0f} hours back from this window's end",
            field="hours",
        )
    start = end - dt.timedelta(hours=hours)
    held = selectors.articles_in_window(edition_id=edition.pk, start=start, end=end).count()
    if held > MAX_ARTICLES:
        raise InvalidInput(
            f"this window holds {held:,} articles; at most {MAX_ARTICLES:,} are grouped at once "
            "(they are held in memory together): narrow it with --hours or --date",
            field="hours",
        )
    return start


def check_day(*, edition: Edition, day: dt.date | None) -> dt.date:
    today = selectors.edition_today(edition=edition)
    day = day or today
    if not EARLIEST_DAY <= day <= today + dt.timedelta(days=FUTURE_DAYS):
        raise InvalidInput(
            # isoformat, not %Y: the C library writes year 1 as "1", not "0001"
            f"{day.isoformat()} is not a news day: it must be between {EARLIEST_DAY:%Y-%m-%d} "
            f"and {FUTURE_DAYS} days from today",
            field="date",
        )
    return day


def window_stories(
    *, edition: Edition, day: dt.date | None = None, hours: float | None = None
) -> Window:
    """Every story of the edition's window for `day` (default: the digest's 24 hours before its
    send time; `hours` before the send time instead), in digest order, nothing stored."""
    from headlines.stories import planning  # numpy and scikit-learn: only when a window is read

    hours = check_hours(hours)
    day = check_day(edition=edition, day=day)
    start, end = selectors.digest_window(edition=edition, day=day)
    if hours is not None:
        start = _wide_start(edition, hours, end)
    drafts = planning.drafts(edition=edition, day=day, hours=hours)
    listed = [
        Listed(
            headline=d.headline,
            summary=d.summary,
            articles=tuple(
                ListedArticle(
                    url=r.url, title=r.title, source=r.source_name, published=r.published_at
                )
                for r in d.members
            ),
        )
        for d in drafts
    ]
    return Window(edition=edition, day=day, start=start, end=end, stories=listed)


def stored_stories(
    *, edition_id: int, day: dt.date, after_id: int | None = None, limit: int | None = None
) -> list[Listed]:
    """The stories stored for a day (by the digest build), in their rank order, with the
    topics of theirs the edition still has (a removed topic drops out); a page of them with
    `after_id` and `limit` (see `stored_of_day`)."""
    stories = stored_of_day(edition_id, day, after_id=after_id)
    return listed_stories(
        edition_id=edition_id, stories=stories if limit is None else stories[:limit]
    )


def stored_of_day(edition_id: int, day: dt.date, *, after_id: int | None = None) -> QuerySet[Story]:
    """The stories stored for a day, in their rank order (a page of them: slice it). `after_id`
    pages on: the stories after that one of the same day in this order (a keyset on rank and
    id, so a page boundary between stories of one rank neither skips nor repeats one)."""
    stories = Story.objects.filter(edition_id=edition_id, day=day).order_by("rank", "id")
    if after_id is not None:
        rank = stories.filter(pk=after_id).values_list("rank", flat=True).first()
        if rank is None:
            raise NotFound(f"no story {after_id} of this edition's {day.isoformat()} to page after")
        stories = stories.filter(Q(rank__gt=rank) | Q(rank=rank, id__gt=after_id))
    return stories


def listed_stories(*, edition_id: int, stories: Iterable[Story]) -> list[Listed]:
    """`stories` (stored ones, of one edition) as listed, their articles read in one query."""
    current = {t.slug for t in topics_of(edition_id=edition_id)}
    stories = list(stories)
    prefetch_related_objects(stories, "articles__source")
    return [
        Listed(
            headline=s.headline,
            summary=s.summary,
            articles=tuple(
                ListedArticle(
                    url=a.url,
                    title=a.title,
                    source=intake_selectors.article_outlet(a),
                    published=a.published_at,
                )
                for a in sorted(s.articles.all(), key=lambda a: a.pk)
            ),
            topics=tuple(t for t in s.topics or () if t in current),
            story_id=s.pk,
            rank=s.rank,
        )
        for s in stories
    ]


def as_json(stories: Sequence[Listed]) -> dict[str, object]:
    return {
        "stories": [
            {
                "headline": s.headline,
                "summary": s.summary,
                "topics": list(s.topics),
                "articles": [
                    {
                        "url": a.url,
                        "title": a.title,
                        "source": a.source,
                        "published": a.published.isoformat() if a.published else None,
                    }
                    for a in s.articles
                ],
            }
            for s in stories
        ]
    }


def _stories(count: int) -> str:
    return f"{count} story" if count == 1 else f"{count} stories"


def as_text(window: Window) -> str:
    tz = window.edition.timezone
    lines = [
        f"{window.edition.name}: {_stories(len(window.stories))} of the window "
        f"{window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M} UTC "
        f"(digest day {window.day:%Y-%m-%d}, {tz})",
        "",
    ]
    for rank, story in enumerate(window.stories, start=1):
        lines.append(f"{rank}. {story.headline}")
        if story.summary:
            lines.append(f"   {story.summary}")
        for a in story.articles:
            when = f", {a.published.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC" if a.published else ""
            # A text record of a dump has no title of its own: say so, not " (Outlet, …)".
            lines.append(f"   - {a.title or '(untitled)'} ({a.source}{when})")
            if a.url:
                lines.append(f"     {a.url}")
        lines.append("")
    return "\n".join(lines)


def elsewhere(window: Window) -> str:
    """For a window without a story: where the edition's articles are, if it has any, and the
    options that reach them (an imported archive dated years ago is not in today's window)."""
    span = intake_selectors.article_span(edition_id=window.edition.pk)
    if span is None:
        return (
            f"{window.edition.name} has no articles yet: import some "
            f"(headlines import PATH --edition {window.edition.slug}) or add a source."
        )
    zone = zoneinfo.ZoneInfo(window.edition.timezone)
    first, last = (moment.astimezone(zone) for moment in span)
    first_day, last_day = (selectors.digest_day(edition=window.edition, moment=m) for m in span)
    days = (last_day - first_day).days + 1
    reach = f"--date {last_day:%Y-%m-%d}"
    if days > 1:
        reach += f" --hours {24 * days:g}"
    return (
        f"No article of {window.edition.name} is in this window; its articles are from "
        f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} ({window.edition.timezone}). "
        f"To see them: headlines stories --edition {window.edition.slug} {reach}"
    )
