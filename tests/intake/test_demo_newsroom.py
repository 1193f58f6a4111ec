"""`headlines extract` over the sample newsroom's three outlets, served on localhost: each
article comes back as its own paragraphs and nothing else (no widget, promo, small print,
marker, credit, menu, share row, sign-off or list of other stories)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from headlines.demo.content import Newsroom
from headlines.demo.server import NewsroomServer
from headlines.intake.extraction.cleaning import CleanArticle
from headlines.intake.fetching.http import HttpFetcher
from headlines.intake.pipeline.extract import extract_inputs

NOW = dt.datetime(2026, 11, 24, 18, 0, tzinfo=dt.UTC)
FURNITURE = (
    "newsletter",
    "Privacy Notice",
    "newsletter promotion",
    "Photograph:",
    "Photo:",
    "Photo by",
    "Subscribe",
    "opens new tab",
    "Reporting by",
    "Share this",
    "LinkedIn",
    "Find out more",
    "HARBOUR WIRE",
    "cookies",
    "Read more",
)


@pytest.fixture(scope="module")
def newsroom() -> tuple[NewsroomServer, Newsroom]:
    server = NewsroomServer(now=NOW).start()
    yield server, server.room  # type: ignore[misc]
    server.stop()


def _expected(room: Newsroom, article: object) -> list[str]:
    paragraphs = room.paragraphs(article)  # type: ignore[arg-type]
    dateline = getattr(article, "dateline", "")
    if getattr(article, "outlet", "") == "wire" and dateline:
        paragraphs[0] = f"{dateline} (Harbour Wire) - {paragraphs[0]}"
    return paragraphs


def test_every_outlet_gives_the_article_and_nothing_else(newsroom, fetcher: HttpFetcher) -> None:  # type: ignore[no-untyped-def]
    server, room = newsroom
    urls = {server.base_url + room.path(a): a for a in room.articles}
    outlets = set()
    for result in extract_inputs(list(urls), fetcher=fetcher, allow_private=True):
        assert isinstance(result, CleanArticle), result
        article = urls[result.input]
        outlets.add(article.outlet)
        assert result.text.split("\n\n") == _expected(room, article), result.input
        assert result.author == article.author, result.input  # the wire's "By …" is no name
        for words in FURNITURE:
            assert words not in result.text, (result.input, words)
        assert result.removed, "what was taken out is kept for staff review"
    assert outlets == {"meridian", "chronicle", "wire"}


def test_the_extract_command_prints_a_chronicle_article_without_its_promo(newsroom) -> None:  # type: ignore[no-untyped-def]
    server, room = newsroom
    article = next(a for a in room.articles if a.outlet == "chronicle")
    out = io.StringIO()
    call_command("extract", server.base_url + room.path(article), "--allow-local", stdout=out)
    printed = out.getvalue()
    assert room.paragraphs(article)[0][:60] in printed
    for words in ("free daily newsletter", "Privacy Notice", "after newsletter promotion"):
        assert words not in printed
