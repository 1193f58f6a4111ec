import datetime as dt
import itertools
import json

import pytest

from headlines.core import clock
from headlines.core.errors import Conflict, InvalidInput, NotFound
from headlines.intake import selectors, services
from headlines.intake.fetching.http import HttpFetcher
from headlines.intake.models import Article, Source
from tests import factories as core_factories

from . import factories
from .conftest import LocalWeb, Route, short_options
from .test_feeds import BILLION_LAUGHS

pytestmark = pytest.mark.django_db

OTHER = (
    "The city council voted seven to two on Thursday to extend the bus network to the northern "
    "suburbs, a plan that has been years in the making and will cost forty million pounds."
)


def _snapshot() -> list[tuple[int, str, str]]:
    return list(Article.objects.order_by("id").values_list("id", "text", "title"))


def feed_source(web: LocalWeb, **overrides: object) -> Source:
    edition = core_factories.edition()
    web.serve("/a", factories.page())
    web.serve("/b", factories.page("Bus plan approved", OTHER))
    url = web.serve(
        "/feed",
        factories.rss([("Blaze", web.url("/a")), ("Bus", web.url("/b"))]),
        headers={"ETag": '"v1"', "Content-Type": "application/rss+xml"},
    )
    return factories.source(url=url, editions=[edition.slug], **overrides)


def test_feed_ingest_stores_clean_dated_articles_for_the_editions(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    source = feed_source(web)
    report = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert (report.new, report.duplicates, report.failed, report.error) == (2, 0, [], "")
    assert report.fetched == 3
    article = Article.objects.get(title="Warehouse blaze contained")
    assert article.text.startswith("Fire crews worked through the night")
    for furniture in ("cookies", "Jane Doe/Metro Wire", "Read more", "Privacy"):
        assert furniture not in article.text
    assert {r["reason"] for r in article.removed} >= {"caption", "prompt"}
    assert article.published_at == dt.datetime(2024, 3, 14, 9, 30, tzinfo=dt.UTC)
    assert list(article.editions.all()) == list(source.editions.all())
    source.refresh_from_db()
    assert (source.health, source.etag) == ("ok", '"v1"')


def test_a_second_run_changes_nothing(web: LocalWeb, fetcher: HttpFetcher) -> None:
    source = feed_source(web)
    services.source_ingest(source_id=source.pk, fetcher=fetcher)
    before = _snapshot()
    again = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert again.not_modified and again.new == 0
    Source.objects.filter(pk=source.pk).update(etag="")
    third = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert (third.new, third.duplicates) == (0, 2)
    assert _snapshot() == before


def test_pages_that_failed_are_fetched_again_though_the_feed_is_unchanged(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    web.serve_in_turn("/a", Route(b"busy", 503), Route(factories.page().encode()))
    url = web.serve(
        "/feed",
        factories.rss([("Blaze", web.url("/a"))]),
        headers={"ETag": '"v1"', "Content-Type": "application/rss+xml"},
    )
    source = factories.source(url=url)
    first = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert first.failed[0].reason == "HTTP 503 Service Unavailable"
    second = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert (second.not_modified, second.new) == (False, 1)
    assert Article.objects.filter(source=source, title="Warehouse blaze contained").exists()
    # Everything read: from now on the unchanged feed costs one 304.
    third = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert third.not_modified


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (BILLION_LAUGHS, "refused hostile XML"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not an RSS or Atom feed"),
        # A moved feed's address answering with the site's page: once called a hostile DTD.
        (
            b"<!DOCTYPE html><html><head><title>Page not found</title></head>"
            b"<body><h1>404</h1></body></html>",
            "not an RSS or Atom feed (an HTML page)",
        ),
        # A download cut short: once read as an empty feed, the source "ok".
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>M</title><item><ti',
            "not a readable RSS or Atom feed (line 1, column",
        ),
    ],
)
def test_a_bad_feed_is_recorded_and_nothing_stored_changes(
    web: LocalWeb, fetcher: HttpFetcher, body: bytes, reason: str
) -> None:
    source = feed_source(web)
    services.source_ingest(source_id=source.pk, fetcher=fetcher)
    before = _snapshot()
    web.serve("/feed", body, headers={"Content-Type": "application/rss+xml"})
    Source.objects.filter(pk=source.pk).update(etag="")
    report = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert reason in report.error
    source.refresh_from_db()
    assert reason in source.last_error
    assert source.consecutive_failures == 1 and source.health.startswith("failing")
    assert _snapshot() == before


def test_a_home_page_added_as_a_feed_names_the_feed_it_links_to(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    # A newsroom's home page given as its feed failed with "an HTML page" and nothing more,
    # while the page's head named the feed to use (RSS autodiscovery).
    source = feed_source(web)
    web.serve(
        "/feed",
        b"<!DOCTYPE html><html><head><title>Metro Wire</title>"
        b'<link rel="alternate" type="application/rss+xml" title="News" href="/news/rss.xml">'
        b'<link rel="stylesheet" href="/site.css"></head><body><h1>Metro Wire</h1></body></html>',
        headers={"Content-Type": "text/html"},
    )
    Source.objects.filter(pk=source.pk).update(etag="")
    report = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    named = f"the page names its feed: {web.url('/news/rss.xml')}"
    assert f"not an RSS or Atom feed (an HTML page; {named})" in report.error


def test_one_bad_page_does_not_stop_the_rest(web: LocalWeb, fetcher: HttpFetcher) -> None:
    source = feed_source(web)
    web.serve("/a", "server error", status=500)
    web.serve("/c", b"\x00\x01\x02junk" * 100, headers={"Content-Type": "application/octet-stream"})
    web.serve(
        "/feed",
        factories.rss([("A", web.url("/a")), ("B", web.url("/b")), ("C", web.url("/c"))]),
    )
    report = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    reasons = {f.input.rsplit("/", 1)[-1]: f.reason for f in report.failed}
    assert report.new == 1
    assert "HTTP 500" in reasons["a"]
    assert "not a text document" in reasons["c"] or "binary" in reasons["c"]
    source.refresh_from_db()
    assert source.health == "ok" and "2 item(s) failed" in source.last_error


def test_wrong_and_missing_encodings_are_read_right(web: LocalWeb, fetcher: HttpFetcher) -> None:
    body = factories.page("Café reopens", "Le café a rouvert ses portes mardi. " + OTHER)
    latin = body.encode("latin-1")
    web.serve("/wrong", latin, headers={"Content-Type": "text/html; charset=utf-8"})
    web.serve("/missing", latin, headers={"Content-Type": "text/html"})
    url = web.serve("/feed", factories.rss([("W", web.url("/wrong")), ("M", web.url("/missing"))]))
    source = factories.source(url=url)
    report = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert report.failed == []
    titles = set(Article.objects.values_list("title", flat=True))
    assert titles == {"Café reopens"}
    assert (report.new, report.copies) == (1, 1)  # the same page at its second address


def test_a_feed_served_with_the_wrong_charset_is_read_right(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    title = "В Москве открылась новая линия метро"  # noqa: RUF001
    body = "Мэрия Москвы сообщила в среду, что открылась новая линия метро."
    feed = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>M'
        f"</title><item><title>{title}</title><link>{web.url('/a')}</link>"
        f"<description>{body}</description></item></channel></rss>"
    ).encode("koi8_r")
    web.serve("/a", "gone", status=404)  # the entry's own content is what is stored
    url = web.serve("/feed", feed, headers={"Content-Type": "application/rss+xml; charset=latin1"})
    report = services.source_ingest(source_id=factories.source(url=url).pk, fetcher=fetcher)
    assert report.new == 1
    assert list(Article.objects.values_list("title", "text")) == [(title, body)]


def test_a_source_not_marked_local_may_not_reach_loopback(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    source = feed_source(web, is_local=False)
    report = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert "loopback address" in report.error
    assert web.requests == [] and Article.objects.count() == 0


def test_copies_across_sources_link_to_the_earliest(web: LocalWeb, fetcher: HttpFetcher) -> None:
    first = feed_source(web)
    services.source_ingest(source_id=first.pk, fetcher=fetcher)
    web.serve("/copy", factories.page("Blaze: crews work overnight", factories.BODY + " Update."))
    url = web.serve("/feed2", factories.rss([("Copy", web.url("/copy"))]))
    second = factories.source(url=url)
    report = services.source_ingest(source_id=second.pk, fetcher=fetcher)
    assert (report.new, report.copies, report.duplicates) == (0, 1, 0)  # stored, linked
    copy = Article.objects.get(source=second)
    original = Article.objects.get(source=first, title="Warehouse blaze contained")
    assert copy.duplicate_of == original and copy.duplicate_reason == "near"


def test_dump_import_is_idempotent_and_dated(tmp_path) -> None:
    edition = core_factories.edition()
    dump = tmp_path / "records.txt"
    dump.write_text(
        "date 2024-03-14 Get the Morning Briefing newsletter Enter your email address Subscribe "
        "By signing up you agree to our Terms of Use Thank you for subscribing!\n\n"
        + factories.BODY
        + "\nFirefighters at the scene on Tuesday (Jane Doe/Metro Wire)\n"
        + "date 2024-03-15 "
        + OTHER
        + "\n",
        encoding="utf-8",
    )
    report = services.articles_import(paths=[str(dump)], edition_slug=edition.slug)
    assert (report.new, report.failed) == (2, [])
    fire = Article.objects.get(text__startswith="Fire crews")
    assert "newsletter" not in fire.text and "Jane Doe" not in fire.text
    assert fire.published_at == dt.datetime(2024, 3, 14, 12, tzinfo=dt.UTC)
    assert list(fire.editions.all()) == [edition]
    again = services.articles_import(paths=[str(dump)])
    assert (again.new, again.duplicates) == (0, 2)


def test_import_refuses_bad_input_and_changes_nothing(tmp_path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        services.articles_import(paths=[str(tmp_path / "nope.txt")])
    (tmp_path / "a.txt").write_text("date 2024-03-14 " + OTHER)
    with pytest.raises(NotFound, match="no edition"):
        services.articles_import(paths=[str(tmp_path / "a.txt")], edition_slug="zz")
    assert Article.objects.count() == 0 and Source.objects.count() == 0


def test_jsonl_bad_lines_are_reported_by_line(tmp_path) -> None:
    dump = tmp_path / "d.jsonl"
    dump.write_text(
        f'{{"text": "{OTHER}", "date": "2024-03-14"}}\nnot json\n{{"url": "https://x.test/"}}\n'
        '{"title": "no text"}\n'
    )
    report = services.articles_import(paths=[str(dump)])
    assert report.new == 1
    assert [f.input.rsplit(":", 1)[-1] for f in report.failed] == ["2", "3", "4"]
    assert 'no "text", "html" or "title"' in report.failed[1].reason
    assert "a headline of 3 words or more" in report.failed[2].reason


def test_source_create_validates() -> None:
    with pytest.raises(InvalidInput, match="http"):
        services.source_create(name="X", kind="feed", url="ftp://x")
    with pytest.raises(InvalidInput, match="kind"):
        services.source_create(name="X", kind="nope", url="http://x")
    with pytest.raises(NotFound):
        services.source_create(name="X", kind="feed", url="http://x.test/", editions=["zz"])
    services.source_create(name="X", kind="feed", url="http://x.test/")
    with pytest.raises(Conflict):
        services.source_create(name="X", kind="feed", url="http://x.test/")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Coast\x01Daily"}, "name"),
        ({"name": "Coast Daily\x7f"}, "name"),
        ({"name": "Coast\u202eDaily"}, "name"),  # turns the rest of the line around
        ({"name": "Coast Daily", "language": "e\x00n"}, "language"),
    ],
)
def test_a_source_with_unprintable_words_is_refused_and_nothing_stored(fields, field) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.source_create(kind="feed", url="https://coast.example/rss", **fields)
    assert refused.value.field == field
    assert not Source.objects.exists()


def test_ingest_due_follows_intervals_and_leases(web: LocalWeb, fetcher: HttpFetcher) -> None:
    start = dt.datetime(2024, 3, 14, 9, tzinfo=dt.UTC)
    fixed = clock.FixedClock(start)
    clock.set_clock(fixed)
    source = feed_source(web)
    assert [r.source for r in services.ingest_due(fetcher=fetcher)] == [source.slug]
    assert services.ingest_due(fetcher=fetcher) == []
    fixed.advance(minutes=31)
    Source.objects.filter(pk=source.pk).update(lease_until=start + dt.timedelta(hours=1))
    assert services.ingest_due(fetcher=fetcher) == []
    with pytest.raises(Conflict, match="another process"):
        services.source_ingest(source_id=source.pk, fetcher=fetcher)
    Source.objects.filter(pk=source.pk).update(lease_until=None)
    assert len(services.ingest_due(fetcher=fetcher)) == 1


@pytest.mark.parametrize("failures", [0, 1, 3])
def test_an_interval_longer_than_a_day_is_honoured_failing_or_not(failures: int) -> None:
    # The back-off's cap (a day) was the cap of every wait: a source fetched every two days
    # was fetched daily, and one failing sooner than when it was healthy.
    start = dt.datetime(2024, 3, 14, 9, tzinfo=dt.UTC)
    weekly = factories.source(url="https://weekly.example/feed", fetch_interval_minutes=10080)
    every_two_days = factories.source(url="https://two.example/feed", fetch_interval_minutes=2880)
    half_hourly = factories.source(url="https://often.example/feed", fetch_interval_minutes=30)
    Source.objects.update(last_fetched_at=start, consecutive_failures=failures)
    due = {
        hours: {s.slug for s in selectors.sources_due(now=start + dt.timedelta(hours=hours))}
        for hours in (24, 48, 168)
    }
    # A failing half-hourly source backs off to at most a day; the longer intervals are kept.
    assert due[24] == {half_hourly.slug}
    assert due[48] == {half_hourly.slug, every_two_days.slug}
    assert due[168] == {half_hourly.slug, every_two_days.slug, weekly.slug}
    assert selectors.sources_due(now=start + dt.timedelta(hours=48, minutes=-1)) == ([half_hourly])


def test_a_source_asking_for_a_pause_is_left_alone_that_long(web: LocalWeb) -> None:
    fixed = clock.FixedClock(dt.datetime(2024, 3, 14, 9, tzinfo=dt.UTC))
    clock.set_clock(fixed)
    url = web.serve("/feed", "slow down", status=429, headers={"Retry-After": "7200"})
    source = factories.source(url=url, fetch_interval_minutes=30)
    fetcher = HttpFetcher(short_options(retries=2), sleep=lambda _: None)
    try:
        report = services.ingest_due(fetcher=fetcher)[0]
    finally:
        fetcher.close()
    assert report.error == f"{url}: HTTP 429 Too Many Requests, asked us to wait 2 h"
    source.refresh_from_db()
    assert source.last_error == report.error
    assert source.last_report["retry_after"] == 7200
    # The doubled interval (an hour) has passed, the two hours asked for have not.
    fixed.advance(minutes=119)
    assert selectors.sources_due(now=clock.now()) == []
    fixed.advance(minutes=1)
    assert selectors.sources_due(now=clock.now()) == [source]
    assert web.paths().count("/feed") == 1


def test_sources_on_one_host_are_fetched_politely_one_after_another(
    web: LocalWeb, settings, monkeypatch
) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_INTAKE_HOST_DELAY_SECONDS", 0.3)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_INTAKE_RETRIES", 0)
    web.serve("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    for section in ("world", "business", "sport"):
        url = web.serve(f"/{section}/lead", factories.page(f"{section.title()} lead story"))
        factories.source(name=f"Metro {section}", kind="page", url=url)
    reports = services.ingest_due()
    assert [(r.fetched, r.error) for r in reports] == [(1, "")] * 3
    assert web.paths().count("/robots.txt") == 1
    gaps = [later - earlier for earlier, later in itertools.pairwise(web.arrivals)]
    assert len(gaps) == 3 and min(gaps) >= 0.25


def test_a_json_feeds_relative_links_are_read_against_its_address_and_hostile_ones_said(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    # `"url": "/news/a"` was fetched as "/news/a": "not an http(s) URL", and the article lost.
    web.serve("/news/a", factories.page())
    items = [
        {"title": "Blaze", "url": "/news/a", "image": "/img/a.jpg"},
        {"title": "Trap", "url": "javascript:alert(1)"},
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": items}
    url = web.serve("/feeds/all.json", json.dumps(feed))
    report = services.source_ingest(source_id=factories.source(url=url).pk, fetcher=fetcher)
    assert (report.new, report.error) == (1, "")
    assert Article.objects.values_list("url", "image_url").get() == (
        web.url("/news/a"),
        web.url("/img/a.jpg"),
    )
    [failure] = report.failed
    assert failure.reason == (
        "the feed entry 'Trap' has no content, and its url 'javascript:alert(1)' is no http(s) "
        "address"
    )
    assert "/news/a" in web.paths() and not any("alert" in p for p in web.paths())


def test_a_feed_moved_permanently_is_fetched_at_its_new_address(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    web.serve("/a", factories.page())
    new = web.serve(
        "/rss/latest.xml",
        factories.rss([("Blaze", web.url("/a"))]),
        headers={"ETag": '"v1"', "Content-Type": "application/rss+xml"},
    )
    old = web.serve("/feed", "", status=301, headers={"Location": "/rss/latest.xml"})
    source = factories.source(url=old)
    first = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert (first.new, first.moved_to) == (1, new)
    source.refresh_from_db()
    assert (source.url, source.last_report["moved_to"]) == (new, new)
    web.requests.clear()
    again = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert again.not_modified
    assert web.paths() == ["/rss/latest.xml"]


def test_a_feeds_relative_links_are_read_against_its_address(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    # `<link>/news/a</link>` was fetched as "/news/a" and failed as "no article text left".
    web.serve("/news/a", factories.page())
    url = web.serve("/rss/feed.xml", factories.rss([("Blaze", "/news/a")]))
    source = factories.source(url=url)
    report = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert (report.new, report.failed, report.error) == (1, [], "")
    assert Article.objects.get().url == web.url("/news/a")


def test_a_feed_entrys_picture_is_the_articles_when_its_page_names_none(
    web: LocalWeb, fetcher: HttpFetcher
) -> None:
    web.serve("/a", factories.page())
    og = '<meta property="og:image" content="https://cdn.test/page.jpg">'
    web.serve("/b", factories.page("Bus plan approved", OTHER).replace("</head>", og + "</head>"))
    picture = '<enclosure url="https://cdn.test/feed.jpg" type="image/jpeg" length="1"/></item>'
    feed = factories.rss([("Blaze", web.url("/a")), ("Bus", web.url("/b"))])
    url = web.serve("/feed", feed.replace("</item>", picture))
    source = factories.source(url=url)
    report = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert (report.new, report.error) == (2, "")
    assert dict(Article.objects.values_list("url", "image_url")) == {
        web.url("/a"): "https://cdn.test/feed.jpg",
        web.url("/b"): "https://cdn.test/page.jpg",
    }


def test_a_link_a_feed_lists_twice_is_fetched_once(web: LocalWeb, fetcher: HttpFetcher) -> None:
    web.serve("/a", factories.page())
    url = web.serve("/feed", factories.rss([("Blaze", web.url("/a")), ("Blaze!", web.url("/a"))]))
    report = services.source_ingest(source_id=factories.source(url=url).pk, fetcher=fetcher)
    assert (report.new, report.duplicates, report.failed) == (1, 1, [])
    assert web.paths().count("/a") == 1


def test_entries_over_the_cap_are_fetched_by_the_next_run(
    web: LocalWeb, fetcher: HttpFetcher, settings, monkeypatch
) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_INTAKE_MAX_ITEMS", 1)
    source = feed_source(web)  # two entries, and an ETag
    first = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    second = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert (first.new, second.new, second.not_modified) == (1, 1, False)
    third = services.source_ingest(source_id=source.pk, fetcher=fetcher)
    assert third.not_modified


@pytest.mark.parametrize("status", [302, 307])
def test_a_feed_moved_for_now_keeps_its_address(
    web: LocalWeb, fetcher: HttpFetcher, status: int
) -> None:
    web.serve("/a", factories.page())
    web.serve("/rss/today.xml", factories.rss([("Blaze", web.url("/a"))]))
    # A permanent hop followed by a temporary one is temporary as a whole.
    web.serve("/feed", "", status=301, headers={"Location": "/feed2"})
    old = web.serve("/feed2", "", status=status, headers={"Location": "/rss/today.xml"})
    for url in (old, web.url("/feed")):
        source = factories.source(url=url)
        report = services.source_ingest(source_id=source.pk, fetcher=fetcher)
        source.refresh_from_db()
        assert (report.fetched > 0, report.moved_to, source.url) == (True, "", url)


def test_articles_in_window_uses_published_or_created(tmp_path) -> None:
    edition = core_factories.edition()
    (tmp_path / "a.txt").write_text("date 2024-03-14 " + OTHER + "\n")
    (tmp_path / "b.jsonl").write_text(f'{{"text": "{factories.BODY}"}}\n')
    services.articles_import(paths=[str(tmp_path)], edition_slug=edition.slug)
    day = dt.datetime(2024, 3, 14, tzinfo=dt.UTC)
    found = selectors.articles_in_window(
        edition_id=edition.pk, start=day, end=day + dt.timedelta(days=1)
    )
    assert [a.text[:8] for a in found] == ["The city"]
    now = clock.now()
    undated = selectors.articles_in_window(
        edition_id=edition.pk, start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=1)
    )
    assert [a.text[:4] for a in undated] == ["Fire"]


@pytest.mark.parametrize("from_ends", [10_000, 1])  # from its own articles, from the index's ends
def test_an_editions_span_is_its_own_articles_dated_or_stored(
    from_ends: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "SPAN_FROM_ENDS", from_ends)
    us, uk = core_factories.edition(), core_factories.edition()
    assert selectors.article_span(edition_id=us.pk) is None
    source = factories.source()
    at = dt.datetime(2024, 3, 14, 12, tzinfo=dt.UTC)

    hashes = itertools.count()

    def article(when: dt.datetime | None, *editions: object) -> Article:
        made = Article.objects.create(
            source=source, text=f"Text {when}", text_hash=str(next(hashes)), published_at=when
        )
        made.editions.add(*editions)
        return made

    article(at - dt.timedelta(days=900), uk)  # another edition's, earlier and later
    article(at + dt.timedelta(days=900), uk)
    article(at, us, uk)
    assert selectors.article_span(edition_id=us.pk) == (at, at)
    article(at + dt.timedelta(days=2), us)
    undated = article(None, us)  # dated by when it was stored
    assert selectors.article_span(edition_id=us.pk) == (at, undated.created_at)
    Article.objects.filter(pk=undated.pk).update(created_at=at - dt.timedelta(days=1))
    assert selectors.article_span(edition_id=us.pk) == (
        at - dt.timedelta(days=1),
        at + dt.timedelta(days=2),
    )


def test_an_article_of_two_editions_is_in_each_ones_window_once() -> None:
    us, uk, fr = (core_factories.edition() for _ in range(3))
    source = factories.source()
    when = dt.datetime(2024, 3, 14, 12, tzinfo=dt.UTC)
    shared = Article.objects.create(source=source, text="Shared", text_hash="a", published_at=when)
    shared.editions.add(us, uk)
    own = Article.objects.create(source=source, text="Own", text_hash="b", published_at=when)
    own.editions.add(us)
    start, end = when - dt.timedelta(hours=1), when + dt.timedelta(hours=1)

    def texts(edition_id: int) -> list[str]:
        found = selectors.articles_in_window(edition_id=edition_id, start=start, end=end)
        return sorted(a.text for a in found)

    assert (texts(us.pk), texts(uk.pk), texts(fr.pk)) == (["Own", "Shared"], ["Shared"], [])
    window = selectors.articles_in_window(edition_id=us.pk, start=start, end=end)
    assert window.count() == 2
