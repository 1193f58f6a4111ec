import html
import re

import pytest
from django.test import Client

from headlines.core import clock
from headlines.digests import rendering, selectors, services
from headlines.digests.models import Digest
from tests import factories
from tests.digests.factories import NOON, messy_day

pytestmark = pytest.mark.django_db

HOSTILE = re.compile(
    r"<script|onerror=|onclick=|onload=|<form|javascript:|expression\(|@import|evil\.example|"
    r"<input|<iframe|<svg|rel=\"?stylesheet",
    re.I,
)


@pytest.fixture
def digest() -> Digest:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(timezone="Europe/London")
    messy_day(edition)
    return services.digest_build(edition_id=edition.pk)


def test_hostile_feed_content_never_reaches_the_email(digest: Digest) -> None:
    assert "Bridge reopens after repairs" in digest.html
    assert not HOSTILE.search(digest.html), HOSTILE.search(digest.html)
    assert not HOSTILE.search(digest.text)
    assert "<link" not in digest.html and "<script" not in digest.html
    # The hostile article's link and image were not web links: left out, not passed through.
    assert "bridge.jpg" not in digest.html and "alert(6)" not in digest.html


def test_hostile_feed_content_never_reaches_the_web_page_or_feed(digest: Digest) -> None:
    services.digest_approve(digest_id=digest.pk)
    services.digest_mark_sending(digest_id=digest.pk)
    client = Client()
    slug = digest.edition.slug
    for path in (
        f"/archive/{slug}/{digest.date:%Y-%m-%d}/",
        f"/archive/{slug}/feed/",
        f"/archive/{slug}/",
    ):
        response = client.get(path)
        assert response.status_code == 200
        body = response.content.decode()
        assert not HOSTILE.search(body), (path, HOSTILE.search(body))
        # The feed carries its HTML escaped: what a feed reader renders must be clean too.
        assert not HOSTILE.search(html.unescape(body)), (path, HOSTILE.search(html.unescape(body)))
    page = client.get(f"/archive/{slug}/{digest.date:%Y-%m-%d}/").content.decode()
    assert "Bridge reopens after repairs" in page


def test_the_email_has_everything_a_reader_and_a_mail_client_need(digest: Digest) -> None:
    html, text = digest.html, digest.text
    assert "<table" in html and 'role="presentation"' in html
    assert "prefers-color-scheme: dark" in html and 'name="color-scheme"' in html
    # CSS is inlined: story cells carry their style; no stylesheet is linked.
    assert re.search(r'<h2 class="headline" style="[^"]*font-size', html)
    assert digest.preheader and digest.preheader in html
    assert 'href="[[unsubscribe_url]]"' in html and 'href="[[preferences_url]]"' in html
    web = selectors.digest_web_url(digest=digest)
    assert web.endswith(f"/archive/{digest.edition.slug}/{digest.date:%Y-%m-%d}/")
    assert web in html and web in text
    images = re.findall(r"<img[^>]*>", html)
    assert len(images) == 1 and "storm-bella.jpg" in images[0]
    assert re.search(r'alt="[^"]*Storm Bella[^"]*"', images[0])
    assert "Unsubscribe: [[unsubscribe_url]]" in text
    assert "Storm Bella" in text and "<" not in text.replace("<http", "")


def test_personalising_swaps_only_the_placeholders(digest: Digest) -> None:
    body = rendering.personalise(
        digest.html,
        unsubscribe_url="https://x.example/u/1",
        preferences_url="https://x.example/p/1",
    )
    assert "[[" not in body and 'href="https://x.example/u/1"' in body


def test_a_storys_own_words_are_never_filled_in_per_reader(digest: Digest) -> None:
    # A feed's title "Why [[unsubscribe_url]] matters" came out with each reader's own
    # unsubscribe link in it, and "[[open_pixel]]" in a summary put the open pixel in the text.
    item = digest.items.filter(dropped=False).order_by("position", "id").first()
    assert item is not None
    item.headline = "Why [[unsubscribe_url]] matters to [[reader]]"
    item.summary = "A summary with [[open_pixel]] and [[preferences_url]] in its words."
    item.source_names = ["[[unsubscribe_url]] Wire"]
    item.save()
    _, _, html_part, text = rendering.render(digest)
    for body in (html_part, text):
        mine = rendering.personalise(
            body, unsubscribe_url="https://x.example/u/1", preferences_url="https://x.example/p/1"
        )
        assert "Why [\u2060[unsubscribe_url]] matters to [\u2060[reader]]" in mine
        assert "with [\u2060[open_pixel]] and [\u2060[preferences_url]] in" in mine
        assert "Why https://x.example/u/1" not in mine and "https://x.example/p/1 in" not in mine
        # The email's own placeholders are still the reader's links.
        assert "https://x.example/u/1" in mine


@pytest.mark.parametrize(
    ("language", "direction"),
    [
        ("ar", "rtl"),
        ("he", "rtl"),
        ("fa-IR", "rtl"),
        ("az-Arab", "rtl"),
        ("en", "ltr"),
        ("zh-Hant", "ltr"),
        ("ku-Latn", "ltr"),
    ],
)
def test_an_edition_in_a_right_to_left_language_reads_right_to_left(
    language: str, direction: str
) -> None:
    # lang="ar" alone left an Arabic digest aligned left in mail readers; Gmail also drops the
    # <html> element's attributes, so the email's own tables say it too.
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(timezone="Europe/London", language=language)
    messy_day(edition)
    digest = services.digest_build(edition_id=edition.pk)
    assert f'<html lang="{language}" dir="{direction}"' in digest.html
    assert len(re.findall(rf'<table[^>]*dir="{direction}"', digest.html)) == 2
    services.digest_approve(digest_id=digest.pk)
    services.digest_mark_sending(digest_id=digest.pk)
    for path in (f"/archive/{edition.slug}/{digest.date:%Y-%m-%d}/", f"/archive/{edition.slug}/"):
        page = Client().get(path).content.decode()
        assert f'<html lang="{language}" dir="{direction}">' in page


LONG_HEADLINE = (
    "Harbour authority confirms the northern breakwater will close for eleven months of "
    "repairs after winter storms undermined its foundations, ferry operators say"
)


def test_the_plain_text_part_keeps_to_78_characters_a_line_except_urls(digest: Digest) -> None:
    # RFC 5322 2.1.1: lines of at most 78 characters. A long headline, outlet list or edition
    # name went out as one line of 150 or more; URLs stay whole, on a line of their own.
    digest.edition.name = (
        "The Evening Headlines of the Northern Coast and the Islands, Weekday Edition"
    )
    digest.edition.save()
    item = digest.items.filter(dropped=False).order_by("position", "id").first()
    assert item is not None
    item.headline = LONG_HEADLINE
    item.source_names = [f"The {town} Evening Chronicle" for town in ("Harbour", "Bay", "Cove")]
    item.save()
    _, _, _, text = rendering.render(digest)
    long_lines = [line for line in text.splitlines() if len(line) > 78]
    assert all(re.search(r"https?://\S{40,}", line) for line in long_lines), long_lines
    words = " ".join(text.split())
    assert f"1. {LONG_HEADLINE}" in words
    assert "Reported by The Harbour Evening Chronicle, The Bay Evening Chronicle and" in words
    assert f"You are receiving {digest.edition.name} because you signed up for it." in words
    link = re.search(r"Read the full story: (\S+)", text)
    assert link and link.group(1).startswith("http")  # a URL is never split


def test_a_summary_wraps_between_words_never_inside_a_long_word_or_link(digest: Digest) -> None:
    # The summary was wrapped by `textwrap.fill`, which cut a word or link longer than the line
    # (a URL a source quoted, a long compound) across two lines: the link no longer worked.
    link = (
        "https://harbour.example/notices/2026/12/"
        + "ferry-timetable-changes-for-the-winter-sailings-26"
    )
    compound = (
        "Harbourmaster-and-ferry-operators-joint-"
        + "winter-timetable-consultation-for-2026-27-sailings"
    )
    assert len(link) == len(compound) == 90
    item = digest.items.filter(dropped=False).order_by("position", "id").first()
    assert item is not None
    item.summary = f"The ferry's winter timetable is online at {link} from Monday. {compound} ends."
    item.save()
    _, _, _, text = rendering.render(digest)
    lines = text.splitlines()
    assert link in lines and compound in lines  # each whole, on a line of its own
    assert "The ferry's winter timetable is online at" in lines


def test_a_story_link_with_an_apostrophe_is_kept(digest: Digest) -> None:
    # RFC 3986 allows "'" in a URL (a sub-delim; Irish names in paths: /o'brien-…); `safe_url`
    # refused it with the quotes and angle brackets, and the story went out without its link.
    url = "https://harbour.example/news/2026/11/o'brien-wins-the-harbour-seat/"
    item = digest.items.filter(dropped=False).order_by("position", "id").first()
    assert item is not None
    item.url = url
    item.save()
    _, _, html_part, text = rendering.render(digest)
    [view] = [v for v in rendering.email_items(digest) if v.headline == item.headline]
    assert view.url == url and view.link
    anchor = rf'<a href="{re.escape(view.link)}"[^>]*>{re.escape(html.escape(item.headline))}</a>'
    assert re.search(anchor, html_part), "the headline links to the story"
    assert f"Read the full story: {view.link}" in text
    page = rendering.visible_items(digest)[0]
    assert page.url == url
