import datetime as dt
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from headlines.demo.content import OUTLETS, Newsroom
from headlines.demo.routes import render

NOW = dt.datetime(2026, 3, 14, 17, 30, tzinfo=dt.UTC)
BASE = "http://127.0.0.1:9999"


@pytest.fixture(scope="module")
def room() -> Newsroom:
    return Newsroom(now=NOW)


def page(room: Newsroom, path: str) -> str:
    response = render(room, BASE, path)
    assert response.status == 200, path
    return response.body.decode()


@pytest.mark.parametrize("outlet", [o.slug for o in OUTLETS])
def test_every_outlet_serves_rss_atom_and_a_news_sitemap_of_its_articles(room, outlet) -> None:
    own = room.of_outlet(outlet)
    for kind in ("rss.xml", "atom.xml"):
        feed = feedparser.parse(page(room, f"/{outlet}/{kind}"))
        assert not feed.bozo, feed.get("bozo_exception")
        assert [entry.link for entry in feed.entries] == [BASE + room.path(a) for a in own]
        first = own[0]
        assert feed.entries[0].title == first.title
        published = dt.datetime(*feed.entries[0].published_parsed[:6], tzinfo=dt.UTC)
        assert published == room.published(first)
    sitemap = ET.fromstring(page(room, f"/{outlet}/sitemap-news.xml"))  # noqa: S314 (our own XML)
    locs = [el.text for el in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    recent = [a for a in own if NOW - room.published(a) <= dt.timedelta(days=2)]
    assert locs == [BASE + room.path(a) for a in recent] and locs


@pytest.mark.parametrize("outlet", [o.slug for o in OUTLETS])
def test_article_pages_carry_real_page_furniture(room, outlet) -> None:
    article = room.of_outlet(outlet)[0]
    html = page(room, room.path(article))
    text = re.sub(r"\s+", " ", html)
    assert room.paragraphs(article)[-1].split()[-1] in text
    assert re.search(r"[Ss]ign up|Subscribe", text), "newsletter widget"
    assert re.search(r"[Tt]hank(s| you) for (signing up|subscribing)", text), "thank-you line"
    assert "cookie" in text.lower()
    assert re.search(r"Share (on|this|via)|>Share<", text)
    assert article.credit in text and article.caption.split()[0] in text
    assert "Related" in text or "Read more" in text
    assert f'href="{BASE}{room.path(article)}"' in html, "canonical link"
    assert "<nav" in html or 'class="nav"' in html or "pillars" in html


def test_outlets_look_different(room) -> None:
    firsts = [page(room, room.path(room.of_outlet(o.slug)[0])) for o in OUTLETS]
    markers = ['<script type="application/ld+json">', 'class="story-body"', "<br><br>"]
    for html, marker in zip(firsts, markers, strict=True):
        assert sum(marker in other for other in firsts) == 1, marker
        assert marker in html


def test_fronts_and_sections_link_to_every_article(room) -> None:
    linked: set[str] = set()
    for outlet in OUTLETS:
        linked |= set(re.findall(r'href="([^"]+)"', page(room, f"/{outlet.slug}/")))
    assert {room.path(a) for a in room.articles} <= linked
    uk = page(room, "/chronicle/uk/").split('class="rail"')[0]  # not "Most viewed"
    assert "Storm Imogen" in uk and "Fed" not in uk
    assert page(room, "/meridian/section/science").count("<li") >= 2
    assert "Harbour Wire" in page(room, "/wire/news/health")


@pytest.mark.parametrize(
    "path",
    [
        "/../../etc/passwd",
        "/meridian/../../../etc/passwd",
        "/chronicle/nope/",
        "/wire/news/<script>",
        "/meridian/news/business/no-such-story",
        "/img/meridian/../../x.svg",
        "/img/unknown/x.svg",
        "/" + "a" * 5000,
        "/ünïcödé",
        "/meridian/rss.xml.bak",
    ],
)
def test_unknown_and_hostile_paths_are_404(room, path) -> None:
    response = render(room, BASE, path)
    assert response.status == 404
    assert b"<script>" not in response.body


def test_query_strings_are_ignored_and_the_same_now_gives_the_same_bytes(room) -> None:
    again = Newsroom(now=NOW + dt.timedelta(seconds=20))
    for path in ("/", "/meridian/rss.xml", "/chronicle/atom.xml", room.path(room.articles[0])):
        assert render(room, BASE, path + "?utm_source=x").body == render(again, BASE, path).body


def test_no_placeholder_reaches_a_reader_and_weekdays_follow_the_date(room) -> None:
    for article in room.articles:
        html = page(room, room.path(article))
        assert "{" not in html.split("</style>")[1].split("application/ld+json")[0]
        for feed in ("rss.xml", "atom.xml"):
            assert "{weekday}" not in page(room, f"/{article.outlet}/{feed}")
    storm = next(a for a in room.articles if a.slug == "storm-britain-power-cuts")
    # NOW is a Saturday; the wire (UTC) dates this one four hours earlier, still Saturday.
    assert "northern England on Saturday" in page(room, room.path(storm))
