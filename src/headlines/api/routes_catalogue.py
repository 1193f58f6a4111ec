"""Editions, digests, stories and sources: read and steer the newsroom's side."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Path, Query, Router, Status
from ninja.decorators import decorate_view

from headlines.api.edge import ERRORS, audited, note_target
from headlines.api.schemas import (
    DigestClicksOut,
    DigestItemOut,
    DigestOut,
    DigestSummary,
    EditionOut,
    Error,
    SendStarted,
    SourceIn,
    SourceOut,
    StoriesOut,
    StoryArticleOut,
    StoryOut,
)
from headlines.core import selectors as core_selectors
from headlines.core.errors import InvalidInput
from headlines.core.models import Edition
from headlines.delivery import services as delivery_services
from headlines.digests import selectors as digest_selectors
from headlines.digests import services as digest_services
from headlines.digests.models import Digest
from headlines.engagement import selectors as engagement_selectors
from headlines.intake import selectors as intake_selectors
from headlines.intake import services as intake_services
from headlines.intake.models import Source
from headlines.stories import selectors as story_selectors
from headlines.stories.listing import Listed, stored_stories

router = Router()
MAX_LIST = 200
MAX_STORIES = 1000  # a page of a day's stories
SLUG = r"^[-a-zA-Z0-9_]+$"
ID = Path(..., ge=1, le=2**53)
SlugPath = Path(..., min_length=1, max_length=80, pattern=SLUG)
# A day the newsroom could have: a far one is a typo, and some databases cannot store year 1.
DAY = Query(
    None,
    ge=dt.date(1970, 1, 1),
    le=dt.date(9000, 1, 1),
    description="YYYY-MM-DD from 1970-01-01 to 9000-01-01 (JSON Schema cannot bound a date).",
)


def _edition_out(edition: Edition) -> EditionOut:
    return EditionOut(
        slug=edition.slug,
        name=edition.name,
        language=edition.language,
        timezone=edition.timezone,
        send_at=f"{edition.send_at:%H:%M}",
        enabled=edition.enabled,
        privacy_url=edition.privacy_link,
        privacy_version=edition.privacy_version,
    )


@router.get("/editions", response={200: list[EditionOut], ERRORS: Error}, tags=["editions"])
def editions_list(request: HttpRequest) -> list[EditionOut]:
    return [_edition_out(e) for e in core_selectors.edition_list()]


@router.get("/editions/{slug}", response={200: EditionOut, ERRORS: Error}, tags=["editions"])
def editions_read(request: HttpRequest, slug: str = SlugPath) -> EditionOut:
    return _edition_out(core_selectors.edition_get(slug=slug))


# --- digests ------------------------------------------------------------------------------------


def _summary(digest: Digest) -> dict:
    return {
        "id": digest.pk,
        "edition": digest.edition.slug,
        "date": digest.date,
        "state": digest.state,
        "subject": digest.subject,
        "approved_at": digest.approved_at,
        "sent_at": digest.sent_at,
    }


@router.get("/digests", response={200: list[DigestSummary], ERRORS: Error}, tags=["digests"])
def digests_list(
    request: HttpRequest,
    edition: str | None = Query(None, max_length=50, pattern=SLUG),
    limit: int = Query(50, ge=1, le=MAX_LIST),
    after: int | None = Query(
        None,
        ge=1,
        le=2**53,
        description="The id of the last digest of the previous page: the next page follows it.",
    ),
) -> list[dict]:
    """Newest day first. An empty page is the end; pass the last digest's id as `after` for the
    next one."""
    edition_id = core_selectors.edition_get(slug=edition).pk if edition else None
    digests = digest_selectors.digests_recent(edition_id=edition_id, limit=limit, after_id=after)
    return [_summary(d) for d in digests]


@router.get("/digests/{digest_id}", response={200: DigestOut, ERRORS: Error}, tags=["digests"])
def digests_read(request: HttpRequest, digest_id: int = ID) -> dict:
    digest = digest_selectors.digest_get(digest_id=digest_id)
    items = [
        DigestItemOut(
            position=i.position,
            headline=i.headline,
            summary=i.summary,
            url=i.url,
            sources=[str(s) for s in i.source_names or []],
            story_id=i.story_id,
            dropped=i.dropped,
            pinned=i.pinned,
        )
        for i in digest_selectors.digest_items(digest=digest)
    ]
    return {
        **_summary(digest),
        "preheader": digest.preheader,
        "web_url": digest_selectors.digest_web_url(digest=digest),
        "items": items,
    }


@router.get(
    "/digests/{digest_id}/clicks", response={200: DigestClicksOut, ERRORS: Error}, tags=["digests"]
)
def digests_clicks(request: HttpRequest, digest_id: int = ID) -> dict:
    """Clicks per story through the digest's links: counted per story, never per reader, with
    link scanners' bursts left out."""
    digest = digest_selectors.digest_get(digest_id=digest_id)
    rows = engagement_selectors.clicks_per_story(digest_id=digest.pk)
    return {
        "digest_id": digest.pk,
        "total": sum(r.clicks for r in rows),
        "stories": [
            {"position": r.position, "headline": r.headline, "clicks": r.clicks} for r in rows
        ],
    }


@router.post(
    "/digests/{digest_id}/approve",
    response={200: DigestSummary, ERRORS: Error},
    tags=["digests"],
)
@decorate_view(audited("digest.approve", lambda kw: f"digest {kw.get('digest_id')}"))
def digests_approve(request: HttpRequest, digest_id: int = ID) -> dict:
    by = f"api token {request.auth}"  # type: ignore[attr-defined]
    return _summary(digest_services.digest_approve(digest_id=digest_id, by=by))


@router.post(
    "/digests/{digest_id}/send",
    response={202: SendStarted, ERRORS: Error},
    tags=["digests"],
)
@decorate_view(audited("digest.send", lambda kw: f"digest {kw.get('digest_id')}"))
def digests_send(request: HttpRequest, digest_id: int = ID) -> Status[dict]:
    digest = delivery_services.delivery_send_now_queue(digest_id=digest_id)
    message = "Sending to every confirmed reader who has not had it; GET the digest to follow."
    return Status(202, {"status": "sending", "digest_id": digest.pk, "message": message})


# --- stories ------------------------------------------------------------------------------------


@router.get("/stories", response={200: StoriesOut, ERRORS: Error}, tags=["stories"])
def stories_of_day(
    request: HttpRequest,
    edition: str = Query(..., min_length=1, max_length=50, pattern=SLUG),
    date: dt.date | None = DAY,
    limit: int | None = Query(
        None,
        ge=1,
        le=MAX_STORIES,
        description="At most this many stories (default: every story of the day).",
    ),
    after: int | None = Query(
        None,
        ge=1,
        le=2**53,
        description="The id of the last story of the previous page: the next page follows it.",
    ),
) -> dict:
    """Every story of one edition's day (default: today there), ranked, with its articles. A
    large day can be read a page at a time: `limit`, then the last story's id as `after`; an
    empty page is the end."""
    found = core_selectors.edition_get(slug=edition)
    day = date or story_selectors.edition_today(edition=found)
    # The admin's listing: the day's order is the ranking's (diversity at the head, repeats of
    # earlier days last), not the score's, and a topic the editor removed is no reader's choice.
    stories = stored_stories(edition_id=found.pk, day=day, after_id=after, limit=limit)
    return {"edition": found.slug, "date": day, "stories": [_story_out(s) for s in stories]}


def _story_out(story: Listed) -> StoryOut:
    assert story.story_id is not None  # a stored story always carries its id
    return StoryOut(
        id=story.story_id,
        headline=story.headline,
        summary=story.summary,
        topics=list(story.topics),
        rank=story.rank,
        articles=[
            StoryArticleOut(url=a.url, title=a.title, source=a.source, published=a.published)
            for a in story.articles
        ],
    )


# --- sources ------------------------------------------------------------------------------------


def _source_out(source: Source) -> SourceOut:
    return SourceOut(
        slug=source.slug,
        name=source.name,
        kind=source.kind,
        url=source.shown_url,
        editions=[e.slug for e in source.editions.all()],
        language=source.language,
        weight=source.weight,
        fetch_interval_minutes=source.fetch_interval_minutes,
        enabled=source.enabled,
        health=source.health,
        last_error=source.shown_error,
    )


@router.get("/sources", response={200: list[SourceOut], ERRORS: Error}, tags=["sources"])
def sources_list(request: HttpRequest) -> list[SourceOut]:
    return [_source_out(s) for s in intake_selectors.source_list().prefetch_related("editions")]


@router.post("/sources", response={201: SourceOut, ERRORS: Error}, tags=["sources"])
@decorate_view(audited("source.add"))
def sources_add(request: HttpRequest, payload: SourceIn) -> Status[SourceOut]:
    """Add a feed, news sitemap or page. Sources on disk (dumps), and local sources that may
    reach private addresses, are only added by staff on the server (`headlines source add`)."""
    note_target(request, payload.url)
    # A source added here is never local: one whose every fetch would be refused is no source.
    why = intake_selectors.url_unreachable(payload.url)
    if why:
        raise InvalidInput(
            f"{why}: a source added through the API may not fetch it (SSRF); a source on the "
            "newsroom's own network is added on the server with `headlines source add … --local`",
            field="url",
        )
    source = intake_services.source_create(
        name=payload.name,
        kind=payload.kind,
        url=payload.url,
        editions=payload.editions,
        language=payload.language,
        weight=payload.weight,
        fetch_interval_minutes=payload.fetch_interval_minutes,
        slug=payload.slug,
    )
    return Status(201, _source_out(source))


@router.post("/sources/{slug}/disable", response={200: SourceOut, ERRORS: Error}, tags=["sources"])
@decorate_view(audited("source.disable", lambda kw: f"source {kw.get('slug')}"))
def sources_disable(request: HttpRequest, slug: str = SlugPath) -> SourceOut:
    source = intake_selectors.source_get(slug=slug)
    return _source_out(intake_services.source_set_enabled(source_id=source.pk, enabled=False))


@router.post("/sources/{slug}/enable", response={200: SourceOut, ERRORS: Error}, tags=["sources"])
@decorate_view(audited("source.enable", lambda kw: f"source {kw.get('slug')}"))
def sources_enable(request: HttpRequest, slug: str = SlugPath) -> SourceOut:
    source = intake_selectors.source_get(slug=slug)
    return _source_out(intake_services.source_set_enabled(source_id=source.pk, enabled=True))
