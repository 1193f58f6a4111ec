"""The public archive: a page per edition, a page per digest, a sitemap. Thin: selectors only."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from headlines.core import selectors as core_selectors
from headlines.core.errors import NotFound
from headlines.core.middleware import allow_methods
from headlines.core.models import Edition
from headlines.digests import rendering, selectors


def _edition(slug: str) -> Edition:
    try:
        return selectors.edition_public(slug=slug)
    except NotFound:
        raise Http404("no such edition") from None


def _day(value: str) -> dt.date:
    """The day a YYYY-MM-DD path names. fromisoformat also reads 20261125 and 2026-W48-3: each
    was the same page again at an address of its own (2026-W48, a week, was its Monday's)."""
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise Http404("no such day") from None
    if day.isoformat() != value:
        raise Http404("no such day")
    return day


@allow_methods("GET", "HEAD")
def archive_index(request: HttpRequest) -> HttpResponse:
    editions = core_selectors.edition_list(enabled_only=True)
    return render(request, "digests/archive_index.html", {"editions": editions})


ARCHIVE_PAGE = 366  # a year of daily digests a page, the newest first


@allow_methods("GET", "HEAD")
def edition_archive(request: HttpRequest, slug: str) -> HttpResponse:
    edition = _edition(slug)
    pages = Paginator(selectors.digests_listed(edition_id=edition.pk), ARCHIVE_PAGE)
    try:
        page = pages.page(request.GET.get("page", "1"))
    except InvalidPage:
        raise Http404("no such page of the archive") from None
    return render(
        request,
        "digests/edition_archive.html",
        {"edition": edition, "digests": page.object_list, "page": page},
    )


@allow_methods("GET", "HEAD")
def digest_detail(request: HttpRequest, slug: str, day: str) -> HttpResponse:
    edition = _edition(slug)
    try:
        digest = selectors.digest_published(edition_id=edition.pk, day=_day(day))
    except NotFound:
        raise Http404("no digest that day") from None
    items = rendering.visible_items(digest)
    return render(
        request,
        "digests/digest_detail.html",
        {"edition": edition, "digest": digest, "items": items},
    )


@allow_methods("GET", "HEAD")
def sitemap(request: HttpRequest) -> HttpResponse:
    entries: list[dict[str, object]] = []
    for edition in core_selectors.edition_list(enabled_only=True):
        entries.append({"loc": rendering.archive_url(edition), "lastmod": None})
        for digest in selectors.digests_listed(edition_id=edition.pk)[:1000]:
            entries.append(
                {"loc": rendering.web_url(digest), "lastmod": digest.sent_at or digest.date}
            )
    return render(
        request, "digests/sitemap.xml", {"entries": entries}, content_type="application/xml"
    )
