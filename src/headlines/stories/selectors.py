"""Reads on stories and on the articles they are made of."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import Coalesce

from headlines.core import clock
from headlines.core.models import Edition
from headlines.intake import selectors as intake_selectors
from headlines.intake.models import Article
from headlines.stories.models import RelevanceTerm, Story


def story_title(article: Article) -> str:
    """The article's title as stories read it: without its site suffix or its outlet's name."""
    from headlines.stories import text as textlib

    return textlib.clean_title(article.title, source_names=[article.source.name, article.outlet])


def edition_today(*, edition: Edition, at: dt.datetime | None = None) -> dt.date:
    """The edition's own date at `at` (None: now)."""
    return (at or clock.now()).astimezone(zoneinfo.ZoneInfo(edition.timezone)).date()


def send_time(*, edition: Edition, day: dt.date) -> dt.datetime:
    """The aware moment `edition`'s digest for `day` goes out (its local send time)."""
    local = dt.datetime.combine(day, edition.send_at, tzinfo=zoneinfo.ZoneInfo(edition.timezone))
    return local.astimezone(dt.UTC)


def digest_day(*, edition: Edition, moment: dt.datetime) -> dt.date:
    """The day whose digest is the first to go out after `moment` (the one whose window holds
    it, at the default 24 hours)."""
    local = moment.astimezone(zoneinfo.ZoneInfo(edition.timezone))
    return local.date() + dt.timedelta(days=int(local.time() >= edition.send_at))


def digest_window(*, edition: Edition, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end): by default the 24 hours before the day's send time."""
    end = send_time(edition=edition, day=day)
    hours = float(settings.CONFIG["HEADLINES_DIGEST_WINDOW_HOURS"])
    return end - dt.timedelta(hours=hours), end


def articles_in_window(
    *, edition_id: int, start: dt.datetime, end: dt.datetime
) -> QuerySet[Article]:
    """Intake's articles of the edition in [start, end), oldest first (a stable order keeps
    clustering deterministic)."""
    return intake_selectors.articles_in_window(
        edition_id=edition_id, start=start, end=end
    ).order_by(Coalesce("published_at", "created_at"), "id")


def articles_before(
    *, edition_id: int, before: dt.datetime, days: int, limit: int
) -> list[Article]:
    """Up to `limit` of the edition's articles (no duplicates) published in the `days` before
    `before`, the latest first; undated ones, by when they arrived, only where the dated ones
    are fewer. Each read off the `article_window` index from its end."""
    since = before - dt.timedelta(days=days)
    kept = Article.objects.filter(
        intake_selectors.of_edition(edition_id), duplicate_of__isnull=True
    )
    kept = kept.select_related("source").only(
        "title", "text", "language", "outlet", "source__name", "source__language"
    )
    dated = list(
        kept.filter(published_at__lt=before, published_at__gte=since).order_by("-published_at")[
            :limit
        ]
    )
    if len(dated) >= limit:
        return dated
    undated = kept.filter(
        published_at__isnull=True, created_at__lt=before, created_at__gte=since
    ).order_by("-created_at")[: limit - len(dated)]
    return dated + list(undated)


def previous_stories(*, edition_id: int, day: dt.date, days: int) -> QuerySet[Story]:
    """Stories of the `days` before `day` that a story of `day` may continue."""
    return (
        Story.objects.filter(edition_id=edition_id, day__lt=day)
        .filter(day__gte=day - dt.timedelta(days=days))
        .order_by("-day", "rank")
    )


def relevance_terms(*, edition: Edition) -> dict[str, float]:
    """The edition's place and section words; its own name's place word counts by default."""
    terms = {t.term.lower(): t.weight for t in RelevanceTerm.objects.filter(edition_id=edition.pk)}
    place = edition.name.replace("Evening Headlines", "").strip()
    if place and place.lower() not in terms and len(place) > 1:
        terms[place.lower()] = 0.5
    city = edition.timezone.rsplit("/", 1)[-1].replace("_", " ")
    if city and city.lower() not in terms and city.upper() != "UTC":
        terms[city.lower()] = 0.5
    return terms
