"""Each kind of source and input, end to end against the localhost server or files."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from headlines.intake import services
from headlines.intake.fetching.http import HttpFetcher
from headlines.intake.models import Article, Source

from . import factories
from .conftest import LocalWeb

pytestmark = pytest.mark.django_db


def test_news_sitemap_source(web: LocalWeb, fetcher: HttpFetcher) -> None:
    web.serve("/a", factories.page())
    sitemap = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>{web.url("/a")}</loc><news:news><news:title>Blaze</news:title>
<news:publication_date>2024-03-14T09:30:00Z</news:publication_date></news:news></url>
<url><loc>{web.url("/gone")}</loc></url></urlset>"""
    url = web.serve("/news.xml", sitemap, headers={"Content-Type": "application/xml"})
    source = factories.source(kind=Source.Kind.SITEMAP, url=url)
    report = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert report.new == 1
    assert [f.reason for f in report.failed] == ["HTTP 404 Not Found"]


def test_single_page_source(web: LocalWeb, fetcher: HttpFetcher) -> None:
    url = web.serve("/story", factories.page(), headers={"Last-Modified": "Thu, 14 Mar 2024"})
    source = factories.source(kind=Source.Kind.PAGE, url=url)
    assert services.source_ingest(source_id=source.pk, fetcher=fetcher).new == 1
    source.refresh_from_db()
    assert source.last_modified == "Thu, 14 Mar 2024"
    again = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert [h for p, h in web.requests if p == "/story"][-1]["if-modified-since"] == (
        "Thu, 14 Mar 2024"
    )
    assert (again.new, again.duplicates) == (0, 1) and Article.objects.count() == 1


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_extract_a_url_only_when_local_is_allowed(web: LocalWeb) -> None:
    url = web.serve("/story", factories.page())
    with pytest.raises(CommandError):
        run("extract", url)
    printed = json.loads(run("extract", "--json", "--allow-local", url))
    assert printed["input"] == url and printed["title"] == "Warehouse blaze contained"


def test_extract_a_feed_served_as_a_page(web: LocalWeb) -> None:
    # A server that calls its feed text/html: the feed was extracted as a page ("no article
    # text found"), or worse, its XML as an article.
    feed = factories.rss([("Blaze", web.url("/a"))]).replace(
        "<title>Blaze</title>", f"<title>Blaze</title><description>{factories.BODY}</description>"
    )
    for content_type in ("text/html; charset=utf-8", "application/rss+xml"):
        url = web.serve("/feed", feed, headers={"Content-Type": content_type})
        printed = [
            json.loads(line) for line in run("extract", "--json", "--allow-local", url).splitlines()
        ]
        assert [(p["input"], p["title"]) for p in printed] == [(f"{url}#1", "Blaze")]
    page = "<html><body><p>Our &lt;feed&gt; page</p><article><p>" + factories.BODY
    url = web.serve("/page", f"<!-- <feed> -->{page}</p></article></body></html>")
    assert json.loads(run("extract", "--json", "--allow-local", url))["input"] == url


def test_extract_feed_files_and_jsonl_html(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:content='
        '"http://purl.org/rss/1.0/modules/content/"><channel><title>W</title>'
        "<item><title>Blaze</title><link>http://example.test/a</link>"
        "<pubDate>Thu, 14 Mar 2024 09:30:00 GMT</pubDate><content:encoded><![CDATA["
        f"<p>{factories.BODY}</p><p>Read more: other things</p>]]></content:encoded></item>"
        "</channel></rss>"
    )
    dump = tmp_path / "d.jsonl"
    dump.write_text(json.dumps({"html": factories.page(), "url": "http://example.test/b"}) + "\n")
    lines = [json.loads(x) for x in run("extract", "--json", str(feed), str(dump)).splitlines()]
    assert [x["url"] for x in lines] == ["http://example.test/a", "http://example.test/b"]
    assert lines[0]["date"].startswith("2024-03-14T09:30")
    assert "Read more" not in lines[0]["text"] and lines[0]["text"].startswith("Fire crews")
    assert Article.objects.count() == 0


def test_page_metadata_from_the_head(tmp_path: Path) -> None:
    page = factories.page().replace(
        "<title>",
        '<link rel="canonical" href="https://metro.example/news/blaze?utm_source=rss">'
        '<meta property="og:image" content="https://metro.example/i/blaze.jpg"><title>',
    )
    (tmp_path / "p.html").write_text(page)
    printed = json.loads(run("extract", "--json", str(tmp_path / "p.html")))
    assert printed["url"] == "https://metro.example/news/blaze?utm_source=rss"
    assert printed["canonical_url"] == "https://metro.example/news/blaze"
    assert printed["image_url"] == "https://metro.example/i/blaze.jpg"
    assert printed["author"] == "Sam Reporter"
