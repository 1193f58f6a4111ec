# ruff: noqa: RUF001
import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from headlines.intake.errors import ParseError
from headlines.intake.reading import decoding, feeds
from headlines.intake.reading.inputs import items_from_bytes, read_file
from headlines.intake.reading.items import RawItem

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


def _expat_place(content: bytes) -> str:
    """Where expat itself stops in `content`, as the feed's failure names it."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    with pytest.raises(xml.parsers.expat.ExpatError) as stopped:
        parser.Parse(content, True)
    return f"line {stopped.value.lineno}, column {stopped.value.offset}: no element found"


@pytest.mark.parametrize(
    "content",
    [
        # feedparser put a declaration line of its own above one without: "line 2, column 58".
        b'<rss version="2.0"><channel><title>Wire</title><item><title>Fe',
        # Its declaration, longer than this one, moved the column on.
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><title>Fe',
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel>\n<title>Wire</title><item>Fe',
    ],
)
def test_a_cut_off_feed_names_the_place_in_its_own_lines(content: bytes) -> None:
    with pytest.raises(ParseError) as failed:
        feeds.parse_feed(content, where="wire.xml")
    place = _expat_place(content)
    assert str(failed.value) == f"wire.xml: not a readable RSS or Atom feed ({place})"


def test_a_cut_off_feed_after_blank_lines_counts_them() -> None:
    # White space before a declaration is not XML (expat refuses it), but it is read, and the
    # place is still named in the file's own lines.
    content = b'\n\n  <?xml version="1.0"?><rss version="2.0"><channel><title>Wire'
    with pytest.raises(ParseError, match=r"\(line 3, column 62: no element found\)$"):
        feeds.parse_feed(content, where="wire.xml")


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


FEED_TEXTS = {
    "euc_jp": (
        "東京で大雨、交通機関に乱れ",
        "気象庁によると、東京都心では午後から激しい雨が降りました。",
    ),
    "euc_kr": (
        "서울에 폭우, 교통 혼잡",
        "기상청에 따르면 서울 도심에는 오후부터 강한 비가 내렸습니다.",
    ),
    "koi8_r": (
        "В Москве сильный ливень",
        "По данным метеослужбы, в центре Москвы прошёл сильный дождь.",
    ),
    "tis_620": ("ฝนตกหนักในกรุงเทพ", "กรมอุตุนิยมวิทยารายงานว่าฝนตกหนักในใจกลางกรุงเทพในช่วงบ่าย"),
    "cp1255": (
        "גשם כבד בתל אביב",
        "לפי השירות המטאורולוגי, גשם כבד ירד במרכז תל אביב אחר הצהריים.",
    ),
}


@pytest.mark.parametrize("encoding", sorted(FEED_TEXTS))
def test_a_feed_without_a_declared_charset_is_not_mojibake(encoding: str) -> None:
    title, body = FEED_TEXTS[encoding]
    document = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title><item>'
        f"<title>{title}</title><link>https://example.test/a</link>"
        f"<description>{body}</description><category>Weather</category></item></channel></rss>"
    ).encode(encoding)
    feed_title, entries = feeds.parse_feed(document, where="feed")
    assert (feed_title, entries[0].title, entries[0].html) == (title, title, body)
    assert entries[0].sections == ["Weather"]


WRONGLY_DECLARED = {
    **FEED_TEXTS,
    "shift_jis": ("大阪で新しい橋が完成", "大阪府は二十八日、新しい橋が完成したと発表した。"),
    "gb18030": ("北京新地铁线路开通", "北京市政府周三宣布，一条新的地铁线路正式开通运营。"),
}


@pytest.mark.parametrize("declared", ["ISO-8859-1", "windows-1252"])
@pytest.mark.parametrize("encoding", sorted(WRONGLY_DECLARED))
def test_a_feed_declaring_the_wrong_charset_is_not_mojibake(encoding: str, declared: str) -> None:
    # ISO-8859-1 decodes any bytes: a CMS that declares it by default over EUC-JP or KOI8-R
    # text gave titles of Latin-1 mojibake and entries refused as having no text.
    title, body = WRONGLY_DECLARED[encoding]
    document = (
        f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel><title>t'
        f"</title><item><title>{title}</title><link>https://example.test/a</link>"
        f"<description>{body}</description></item></channel></rss>"
    ).encode(encoding)
    entry = feeds.parse_feed(document, where="feed")[1][0]
    assert (entry.title, entry.html) == (title, body)


def test_a_page_whose_meta_names_the_wrong_charset_is_not_mojibake() -> None:
    title, body = FEED_TEXTS["koi8_r"]
    page = (
        f'<html><head><meta charset="iso-8859-1"><title>{title}</title></head>'
        f"<body><p>{body}</p></body></html>"
    ).encode("koi8_r")
    [item] = items_from_bytes(page, input="page.html")
    assert isinstance(item, RawItem) and body in item.html


@pytest.mark.parametrize("declared", ["iso-8859-1", "windows-1252", "Shift_JIS", "gb2312"])
def test_a_page_saved_as_utf8_under_an_old_declaration_is_read_as_utf8(declared: str) -> None:
    # An l3s-gn1 page (Khaleej Times, 2008) declares ISO-8859-1 and is UTF-8: every dash and
    # apostrophe was stored as "â€”" and "â€™".
    # A page of English has few such characters: its mojibake does not read as garbled enough
    # to doubt the declaration.
    body = "ABU DHABI — President Bush’s speech drew mixed reactions from political experts."
    rest = "".join(
        f"<p>Paragraph {n} of the report quotes analysts on the speech and the region.</p>"
        for n in range(40)
    )
    page = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={declared}">'
        f"<title>Bush speech draws mixed response</title></head><body><p>{body}</p>{rest}"
        "</body></html>"
    ).encode()
    [item] = items_from_bytes(page, input="page.html")
    assert isinstance(item, RawItem) and body in item.html
    assert decoding.decode(page, declared=declared) == page.decode("utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "Größere Straßenbaumaßnahmen für Köln: die Bürgermeisterin äußerte sich über Bauplätze.",
        "Le président a déclaré être très fâché à Noël, après la fermeture du café de la gare.",
        "Þjóðin fagnaði sigri í gær. Forsætisráðherra sagði að þetta væri sögulegur dagur.",
    ],
)
def test_a_right_latin1_declaration_is_kept(text: str) -> None:
    document = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>t'
        f"</title><item><title>t</title><link>https://example.test/a</link>"
        f"<description>{text}</description></item></channel></rss>"
    ).encode("latin-1")
    assert feeds.parse_feed(document, where="feed")[1][0].html == text


def test_a_declared_multibyte_encoding_is_read() -> None:
    title = "東京で大雨"
    document = (
        f'<?xml version="1.0" encoding="Shift_JIS"?><rss version="2.0"><channel><title>t'
        f"</title><item><title>{title}</title><link>https://example.test/a</link></item>"
        "</channel></rss>"
    ).encode("shift_jis")
    assert feeds.parse_feed(document, where="feed")[1][0].title == title


def test_an_entry_dated_past_what_a_datetime_holds_is_undated_not_a_crash() -> None:
    document = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry><title>Far</title><link href="https://example.test/a"/>'
        b"<updated>9999-12-31T23:59:59-14:00</updated><content>Words.</content></entry></feed>"
    )
    (entry,) = feeds.parse_feed(document, where="feed")[1]
    assert (entry.title, entry.published) == ("Far", None)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_page_or_feed_saved_as_unicode_on_windows_is_read(encoding: str) -> None:
    # Every other byte a NUL: it was refused as "binary data, not a text document".
    title, body = FEED_TEXTS["koi8_r"]
    page = f"<html><head><title>{title}</title></head><body><p>{body}</p></body></html>"
    [item] = items_from_bytes(page.encode(encoding), input="page.html")
    assert isinstance(item, RawItem) and body in item.html
    document = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>t'
        f"</title><item><title>{title}</title><link>https://example.test/a</link>"
        f"<description>{body}</description></item></channel></rss>"
    )
    assert feeds.parse_feed(document.encode(encoding), where="feed")[1][0].html == body


def test_an_xhtml_page_is_a_page_not_a_feed() -> None:
    page = b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html><html><body>x</body></html>'
    assert not feeds.looks_like_feed(page)


def test_an_entry_names_its_own_outlet() -> None:
    document = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Aggregator</title><item>'
        b"<title>t</title><link>https://example.test/a</link>"
        b'<source url="https://wire.example/rss">Harbour Wire</source></item></channel></rss>'
    )
    assert feeds.parse_feed(document, where="feed")[1][0].outlet == "Harbour Wire"


def test_utf8_with_a_stray_byte_is_still_utf8() -> None:
    from headlines.intake.reading.decoding import decode

    text = "Sprzeciw wobec ataków na Fundację; nękania, zażółć gęślą jaźń. " * 20
    content = text.encode("utf-8") + b"\xa0 end"
    assert decode(content).startswith("Sprzeciw wobec ataków na Fundację")


def test_a_latin1_page_is_not_taken_for_broken_utf8() -> None:
    from headlines.intake.reading.decoding import decode

    text = "Le café de la gare a fermé ses portes après trente années de service. " * 10
    assert "café" in decode(text.encode("latin-1"))


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("&#xD800;", "\ufffd"),  # half of a UTF-16 pair: feedparser crashed on it
        ("&#56319;", "\ufffd"),
        ("&#x110000;", "\ufffd"),  # past the last code point: crashed too
        ("&#99999999999999999999999999;", "\ufffd"),
        ("&#0;", "\ufffd"),  # NUL, which PostgreSQL refuses in text
        ("&#x1b;", "\ufffd"),
        ("\x00\x01\x1b", ""),  # written out
        ("&#xFFFE;", "\ufffd"),
        ("&#x1F600;", "\U0001f600"),  # what XML allows stays
        ("&#233;", "é"),
        ("&amp;#0;", "&#0;"),  # text that shows a reference is not one
    ],
)
def test_characters_xml_forbids_never_reach_a_title(written: str, read: str) -> None:
    feed = rss([(f"Harbour {written} reopens", "http://example.test/a")])
    _, entries = feeds.parse_feed(feed.encode(), where="f")
    assert [e.title for e in entries] == [f"Harbour {read} reopens"]


def test_what_feedparser_cannot_read_fails_the_feed_not_the_run(monkeypatch) -> None:
    import feedparser

    def crash(*args, **kwargs):
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(feedparser, "parse", crash)
    with pytest.raises(ParseError, match="not a readable RSS or Atom feed"):
        feeds.parse_feed(rss([("Harbour reopens", "http://example.test/a")]).encode(), where="f")


# --- JSON Feed (jsonfeed.org) ---------------------------------------------------------------

JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Port News",
    "home_page_url": "https://a.test/",
    "items": [
        {
            "id": "1",
            "url": "https://a.test/1",
            "title": "Harbour board approves a ferry terminal",
            "content_html": "<p>The harbour board voted on Tuesday to build a new ferry "
            "terminal.</p><p>Work starts in the spring.</p>",
            "summary": "A terminal by the old pier.",
            "date_published": "2024-03-14T09:30:00Z",
            "authors": [{"name": "Ann Price"}, {"name": "Bo Li"}],
            "tags": ["Local", "Transport", "local"],
        },
        {
            "id": "2",
            "external_url": "https://b.test/2",
            "title": "Timber yard blaze closes the ring road",
            "content_text": "Firefighters fought a blaze at a timber yard.\n\n"
            "The road <stays> shut.",
            "date_modified": "2024-03-14T10:30:00+01:00",
            "author": {"name": "Cy Dee"},  # version 1's single author
        },
        {"id": "3", "title": "Only a summary", "url": "https://a.test/3", "summary": "Short."},
        {"id": "4", "title": "Nothing to read and nowhere to go"},
        "not an item",
    ],
}


def test_a_json_feed_is_read_as_a_feed() -> None:
    title, entries = feeds.parse_feed(json.dumps(JSON_FEED).encode(), where="feed.json")
    assert title == "Port News"
    first, second, third = entries  # the item with neither url nor content is dropped
    assert (first.url, first.title, first.author) == (
        "https://a.test/1",
        "Harbour board approves a ferry terminal",
        "Ann Price, Bo Li",
    )
    assert "Work starts in the spring." in first.html and first.sections == ["Local", "Transport"]
    assert first.published == dt.datetime(2024, 3, 14, 9, 30, tzinfo=dt.UTC)
    assert second.url == "https://b.test/2" and second.author == "Cy Dee"
    assert second.html == (
        "<p>Firefighters fought a blaze at a timber yard.</p><p>The road &lt;stays&gt; shut.</p>"
    )
    assert second.published == dt.datetime(2024, 3, 14, 9, 30, tzinfo=dt.UTC)
    assert third.html == "Short."


def test_a_json_feed_file_or_fetched_document_gives_its_items(tmp_path: Path) -> None:
    path = tmp_path / "feed.json.gz"
    path.write_bytes(gzip.compress(json.dumps(JSON_FEED).encode()))
    found = [i for i in read_file(path) if isinstance(i, RawItem)]
    assert [i.input for i in found] == [f"{path}#1", f"{path}#2", f"{path}#3"]
    assert {i.outlet for i in found} == {"Port News"}  # a feed file credits its feed
    fetched = items_from_bytes(
        json.dumps(JSON_FEED).encode(),
        input="https://a.test/feed.json",
        content_type="application/feed+json",
    )
    assert [i.title for i in fetched if isinstance(i, RawItem)] == [i.title for i in found]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"version": "https://jsonfeed.org/version/1", "items": 3}', "no list of items"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [', "not a readable JSON Feed"),
        (
            b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 100_000,
            "not a readable JSON Feed",
        ),
    ],
)
def test_a_broken_json_feed_says_why(content: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        feeds.parse_feed(content, where="feed.json")


def test_characters_no_database_stores_leave_a_json_feed() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Port\u0000 News",
        "items": [
            {
                "url": "https://a.test/1",
                "title": "Ferry\u0000 back",
                "content_html": "<p>a\u0000b</p>",
            }
        ],
    }
    title, (entry,) = feeds.parse_feed(json.dumps(feed).encode(), where="feed.json")
    assert (title, entry.title, entry.html) == ("Port News", "Ferry back", "<p>ab</p>")


def test_a_json_feeds_relative_links_are_read_against_its_home_page_feed_url_or_address() -> None:
    # `"url": "/news/1"` was kept as written: ingest fetched "/news/1" and failed, and an import
    # stored the article with no link; a relative `image` never reached a digest.
    item = {"url": "/news/1", "image": "img/1.jpg", "content_text": "Ferry back."}
    feed = {"version": "https://jsonfeed.org/version/1.1", "items": [item]}
    places = {
        "home_page_url": "https://port.test/",
        "feed_url": "https://feeds.port.test/all/feed.json",
    }
    fetched = "https://u:pw@wire.test/feeds/port.json"
    for given, url, image in [
        (places, "https://port.test/news/1", "https://port.test/img/1.jpg"),
        (
            {"feed_url": places["feed_url"]},
            "https://feeds.port.test/news/1",
            "https://feeds.port.test/all/img/1.jpg",
        ),
        ({}, "https://wire.test/news/1", "https://wire.test/feeds/img/1.jpg"),
    ]:
        document = json.dumps({**feed, **given}).encode()
        _title, (entry,) = feeds.parse_feed(document, where="feed.json", base=fetched)
        assert (entry.url, entry.image) == (url, image)
    external = {"external_url": "story/2", "banner_image": "/b.png", "summary": "Short."}
    document = json.dumps({**feed, **places, "items": [external]}).encode()
    _title, (entry,) = feeds.parse_feed(document, where="feed.json")
    assert (entry.url, entry.image) == ("https://port.test/story/2", "https://port.test/b.png")


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("javascript:alert(1)", "its url 'javascript:alert(1)' is no http(s) address"),
        ("JavaScript:alert(1)", "is no http(s) address"),
        ("data:text/html,<script>alert(1)</script>", "is no http(s) address"),
        ("file:///etc/passwd", "'file:///etc/passwd' is no http(s) address"),
        ("ftp://port.test/1", "is no http(s) address"),
        ("http://[::1", "is no http(s) address"),
        ("https://port.test/" + "a" * 5000, "its url is 5018 characters long (over 2000)"),
        (12345, "its url is a JSON int, not an address"),
        ({"href": "https://port.test/1"}, "its url is a JSON dict, not an address"),
        (["https://port.test/1"], "its url is a JSON list, not an address"),
    ],
)
def test_a_json_feed_items_hostile_link_is_dropped_and_said(
    tmp_path: Path, value: object, said: str
) -> None:
    items = [
        {"title": "Ferry", "url": value, "image": value, "content_text": "Ferry back."},
        {"title": "Gone", "url": value, "banner_image": value},
    ]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "home_page_url": "https://port.test/",
        "items": items,
    }
    _title, (kept, empty) = feeds.parse_feed(json.dumps(feed).encode(), where="feed.json")
    assert (kept.url, kept.image, kept.html) == ("", "", "<p>Ferry back.</p>")
    assert (empty.url, empty.image, empty.html) == ("", "", "")
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(feed))
    read = list(read_file(path))
    assert [type(i).__name__ for i in read] == ["RawItem", "Failure"]
    assert read[0].url == "" and read[0].image_url == ""
    assert read[1].reason.startswith("the feed entry has no content, and ")
    assert said in read[1].reason


CHINESE = (
    "朱镕基总理周三在北京会见了来访的代表团，双方就经济合作和贸易问题交换了意见。"
    "会谈结束后，双方签署了多项合作协议，涉及能源、交通和教育等领域。"
)


def test_a_page_declaring_gb2312_is_read_as_the_gbk_it_uses() -> None:
    # 镕 is GBK, not GB2312: pages labelled gb2312 are written in its extension, as browsers
    # read them (the label was tried strictly, failed, and the page went to a detector).
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        f"<title>会见</title></head><body><p>{CHINESE}</p></body></html>"
    ).encode("gbk")
    [item] = items_from_bytes(page, input="page.html")
    assert isinstance(item, RawItem) and CHINESE in item.html


def test_a_declared_charset_with_a_corrupt_byte_is_still_the_pages() -> None:
    # One broken character in a long page: "cannot tell the text's character encoding" before.
    paragraph = f"<p>{CHINESE}</p>".encode("gb18030")
    page = (
        b'<html><head><meta charset="gb2312"><title>t</title></head><body>'
        + paragraph * 20
        + b"<p>\xb0\x20</p>"
        + paragraph * 20
        + b"</body></html>"
    )
    [item] = items_from_bytes(page, input="page.html")
    assert isinstance(item, RawItem)
    assert item.html.count(CHINESE) == 40 and item.html.count("\ufffd") == 1
    # Broken all over, the declaration is not the page's: it goes to the detector.
    broken = b'<html><head><meta charset="gb2312"></head><body>' + b"\xb0\x20\xff" * 400
    assert decoding.charset_of(broken + b"</body></html>") not in ("gb18030", "gb2312")


def test_curly_quotes_under_an_iso_8859_1_label_are_curly_quotes() -> None:
    # Windows-1252's quotes and dashes, written under the latin-1 label browsers read as it.
    page = (
        '<html><head><meta charset="iso-8859-1"><title>t</title></head><body>'
        "<p>The mayor said \u201cwe will rebuild\u201d \u2014 and the caf\u00e9 reopened.</p>"
        "</body></html>"
    ).encode("cp1252")
    [item] = items_from_bytes(page, input="page.html")
    assert isinstance(item, RawItem)
    assert "\u201cwe will rebuild\u201d \u2014 and the caf\u00e9" in item.html


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("10.03.2014 16:52", dt.datetime(2014, 3, 10, 16, 52, tzinfo=dt.UTC)),
        ("March 10th, 2014 4:52 PM", dt.datetime(2014, 3, 10, 16, 52, tzinfo=dt.UTC)),
        ("2014/03/10", dt.datetime(2014, 3, 10, 12, tzinfo=dt.UTC)),  # a day: its noon
    ],
)
def test_an_entry_dated_in_a_shape_feedparser_does_not_read_is_dated(
    written: str, published: dt.datetime
) -> None:
    document = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>Bridge'
        f"</title><link>https://example.test/a</link><pubDate>{written}</pubDate></item>"
        "</channel></rss>"
    ).encode()
    (entry,) = feeds.parse_feed(document, where="feed")[1]
    assert entry.published == published and entry.date_note == ""


def test_relative_entry_links_are_read_against_xml_base_the_address_or_the_feeds_link() -> None:
    atom = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="/news/">'
        b'<title>t</title><entry><title>A</title><link href="a"/><id>u</id></entry></feed>'
    )
    fetched = feeds.parse_feed(atom, where="feed", base="https://wire.test/feeds/all.xml")
    assert fetched[1][0].url == "https://wire.test/news/a"
    # A feed file has no address: its own <link> is the base.
    _title, entries = feeds.parse_feed(rss([("Blaze", "/news/b")]).encode(), where="feed.xml")
    assert entries[0].url == "http://example.test/news/b"
    # A guid that stands for the link is no relative address of the site.
    guid = rss([("Blaze", "")]).replace("<link></link>", "<guid>12345</guid>")
    _title, entries = feeds.parse_feed(guid.encode(), where="f", base="https://wire.test/rss")
    assert entries[0].url == "12345"
    # The feed's user:password@ is not copied into its entries' links.
    relative = rss([("Blaze", "/news/c")]).encode()
    _title, entries = feeds.parse_feed(relative, where="f", base="https://u:pw@wire.test/rss")
    assert entries[0].url == "https://wire.test/news/c"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Q&amp;A: &lt;i&gt;Dune&lt;/i&gt; returns", "Q&A: Dune returns"),
        ("Rock &amp;amp; roll hall opens", "Rock & roll hall opens"),
        ("<![CDATA[Caf&eacute; <b>opens</b>]]>", "Café opens"),
        ("AT&amp;T deal, 5 &lt; 6", "AT&T deal, 5 < 6"),
    ],
)
def test_an_rss_title_holding_markup_is_read_as_text(written: str, read: str) -> None:
    feed_title, entries = feeds.parse_feed(
        rss([(written, "https://example.test/a")], title=written).encode(), where="f"
    )
    assert (feed_title, entries[0].title) == (read, read)


def test_atom_html_and_xhtml_titles_are_read_as_text() -> None:
    document = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        '<entry><title type="html">Tram &lt;em&gt;line&lt;/em&gt; &amp;amp; bus</title>'
        '<link href="https://example.test/a"/><id>a</id></entry>'
        '<entry><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">New <b>tram</b>'
        '<br/>line</div></title><link href="https://example.test/b"/><id>b</id></entry>'
        '<entry><title type="text">Use &lt;b&gt; for bold</title>'
        '<link href="https://example.test/c"/><id>c</id></entry></feed>'
    )
    _title, entries = feeds.parse_feed(document.encode(), where="feed")
    assert [e.title for e in entries] == ["Tram line & bus", "New tram line", "Use <b> for bold"]


def test_an_entrys_picture_is_its_media_content_image_enclosure_or_thumbnail() -> None:
    def item(link: str, media: str) -> str:
        return f"<item><title>t</title><link>https://wire.test/{link}</link>{media}</item>"

    document = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        "<channel><title>Wire</title><link>https://wire.test/</link>"
        + item("a", '<media:content url="https://cdn.test/a.jpg" medium="image"/>')
        + item("b", '<enclosure url="/img/b.png" type="image/png" length="1"/>')
        + item("c", '<media:thumbnail url="https://cdn.test/c.jpg"/>')
        + item("d", '<enclosure url="https://cdn.test/d.mp3" type="audio/mpeg" length="1"/>')
        + item("e", '<media:content url="https://cdn.test/e.mp4" type="video/mp4"/>')
        + "</channel></rss>"
    )
    _title, entries = feeds.parse_feed(document.encode(), where="feed")
    assert [e.image for e in entries] == [
        "https://cdn.test/a.jpg",
        "https://wire.test/img/b.png",
        "https://cdn.test/c.jpg",
        "",
        "",
    ]
    json_feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "items": [{"url": "https://wire.test/j", "image": "https://cdn.test/j.jpg"}],
    }
    _title, entries = feeds.parse_feed(json.dumps(json_feed).encode(), where="feed.json")
    assert entries[0].image == "https://cdn.test/j.jpg"


def test_an_entrys_author_is_a_name_not_an_email_or_markup() -> None:
    def item(n: int, author: str) -> str:
        return f"<item><title>t</title><link>https://wire.test/{n}</link>{author}</item>"

    document = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<channel><title>Wire</title>"
        + item(1, "<author>jo@wire.test (Jo Bloggs)</author>")
        + item(2, "<author>noreply@wire.test</author>")
        + item(3, '<dc:creator><![CDATA[<a href="/staff/ann">Ann Lee</a>]]></dc:creator>')
        + item(4, "<dc:creator>Sam Reporter</dc:creator>")
        + "</channel></rss>"
    )
    _title, entries = feeds.parse_feed(document.encode(), where="feed")
    assert [e.author for e in entries] == ["Jo Bloggs", "", "Ann Lee", "Sam Reporter"]
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        '<entry><title>x</title><link href="https://wire.test/a"/><id>a</id>'
        "<author><name>Jo Bloggs</name><email>jo@wire.test</email></author></entry></feed>"
    )
    assert feeds.parse_feed(atom.encode(), where="feed")[1][0].author == "Jo Bloggs"


@pytest.mark.parametrize(
    ("head", "named"),
    [
        (
            b'<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
            b"<link rel='alternate feed' type='application/atom+xml' href='https://b.example/a?x=1&amp;y=2'>"
            b'<link rel="alternate" type="application/feed+json" href="feed.json">',
            [
                "https://news.example/feed.xml",
                "https://b.example/a?x=1&y=2",
                "https://news.example/section/feed.json",
            ],
        ),
        # Other alternates, hostile and broken links name nothing.
        (b'<link rel="alternate" type="text/html" href="/m">', []),
        (b'<link rel="stylesheet" type="application/rss+xml" href="/s">', []),
        (b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">', []),
        (b'<link rel="alternate" type="application/rss+xml" href="http://[::1">', []),
        (b'<link rel="alternate" type="application/rss+xml" href="/a b">', []),
        (b"<link" * 50_000, []),
        (b'<link rel="alternate" type="application/rss+xml" href="/x' + b"a" * 3000 + b'">', []),
    ],
)
def test_a_page_names_its_own_feeds(head: bytes, named: list[str]) -> None:
    from headlines.intake.reading.feeds import page_feeds

    page = b"<!DOCTYPE html><html><head>" + head + b"</head><body>Hi</body></html>"
    assert page_feeds(page, base="https://news.example/section/index.html") == named


def test_a_json_feed_items_unread_date_and_bad_link_are_each_said_of_their_own() -> None:
    # The link's note was written over the date's: an item with a date it could not read and a
    # good link lost the date's note, and one with a bad link had it given as its date's.
    from headlines.intake.reading.feeds import parse_json_feed

    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Metro",
        "items": [
            {"id": "1", "url": "/news/1", "content_text": "One.", "date_published": "soon"},
            {"id": "2", "url": "javascript:x", "content_text": "Two."},
        ],
    }
    _, (dated, linked) = parse_json_feed(
        json.dumps(feed).encode(), where="feed.json", base="https://metro.example/feed.json"
    )
    assert dated.url == "https://metro.example/news/1"
    assert dated.date_note == "the entry's date 'soon' is not a date" and dated.link_note == ""
    assert linked.url == "" and linked.date_note == ""
    assert linked.link_note == "its url 'javascript:x' is no http(s) address"
