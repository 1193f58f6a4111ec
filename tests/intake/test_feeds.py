import pytest

from headlines.intake.errors import ParseError
from headlines.intake.reading import feeds

from .factories import rss

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rss version="2.0"><channel><title>&lol3;</title></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>&xxe;</title>
<link>http://example.test/a</link></item></channel></rss>"""


def test_reads_rss_entries() -> None:
    title, entries = feeds.parse_feed(
        rss([("Blaze", "http://example.test/a"), ("Vote", "http://example.test/b")]).encode(),
        where="feed",
    )
    assert title == "Metro Wire"
    assert [e.url for e in entries] == ["http://example.test/a", "http://example.test/b"]
    assert entries[0].published is not None and entries[0].published.year == 2024


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_hostile_xml_is_refused(hostile: bytes) -> None:
    with pytest.raises(ParseError, match="refused hostile XML"):
        feeds.parse_feed(hostile, where="feed")


def test_not_a_feed() -> None:
    with pytest.raises(ParseError, match="RSS or Atom feed"):
        feeds.parse_feed(b"<html><body>hello</body></html>", where="feed")


def test_news_sitemap_and_index() -> None:
    sitemap = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://example.test/a</loc><news:news><news:title>Blaze</news:title>
<news:publication_date>2024-03-14T09:30:00Z</news:publication_date></news:news></url></urlset>"""
    entries, children = feeds.parse_sitemap(sitemap, where="s")
    assert children == []
    assert entries[0].title == "Blaze" and entries[0].published is not None
    index = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://example.test/news.xml</loc></sitemap></sitemapindex>"""
    assert feeds.parse_sitemap(index, where="s") == ([], ["http://example.test/news.xml"])
