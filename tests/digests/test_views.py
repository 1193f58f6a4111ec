import datetime as dt

import defusedxml.ElementTree as ET
import pytest
from django.test import Client

from headlines.core import clock
from headlines.digests import services
from headlines.digests.models import Digest
from tests import factories
from tests.digests.factories import NOON, messy_day

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def sent() -> Digest:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(slug="uk", timezone="Europe/London")
    messy_day(edition)
    digest = services.digest_build(edition_id=edition.pk)
    services.digest_approve(digest_id=digest.pk)
    services.digest_mark_sending(digest_id=digest.pk)
    return services.digest_mark_sent(digest_id=digest.pk)


def test_archive_page_and_feed_show_the_same_stories_as_the_email(
    sent: Digest, client: Client
) -> None:
    archive = client.get("/archive/uk/").content.decode()
    assert "/archive/uk/2026-11-25/" in archive and sent.subject in archive
    page = client.get("/archive/uk/2026-11-25/").content.decode()
    headlines = list(sent.items.filter(dropped=False).values_list("headline", flat=True))
    for headline in headlines:
        assert headline in page and headline in sent.text
    feed = ET.fromstring(client.get("/archive/uk/feed/").content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    assert entries[0].find(f"{ATOM}link").get("href").endswith("/archive/uk/2026-11-25/")
    assert headlines[0] in entries[0].find(f"{ATOM}summary").text
    assert "Evening Headlines" in client.get("/archive/").content.decode()


def test_the_feed_reads_its_digests_items_at_once_and_no_rendered_bodies(
    sent: Digest, client: Client
) -> None:
    # Each entry's stories were read digest by digest (32 statements for 30 entries), and each
    # digest's HTML and text with them.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from headlines.digests.models import DigestItem

    items = list(sent.items.order_by("position", "id"))
    for n in range(1, 5):  # four earlier days, each carrying its first n items but a dropped one
        earlier = Digest.objects.create(
            edition=sent.edition,
            date=sent.date - dt.timedelta(days=n),
            state=Digest.State.SENT,
            subject=f"Day {n}",
            story_count=n,
        )
        DigestItem.objects.bulk_create(
            DigestItem(
                digest=earlier,
                position=position,
                headline=f"Day {n} story {position}",
                dropped=position == 0,
            )
            for position in range(6)
        )
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/archive/uk/feed/").content
    read = [q["sql"] for q in queries]
    assert len([sql for sql in read if 'FROM "digests_digestitem"' in sql]) == 1
    assert not [sql for sql in read if '"digests_digest"."html"' in sql]
    entries = {
        entry.find(f"{ATOM}title").text: entry.find(f"{ATOM}summary").text
        for entry in ET.fromstring(body).findall(f"{ATOM}entry")
    }
    assert len(entries) == 5 and items[0].headline in entries[sent.subject]
    for n in range(1, 5):
        shown = [f"Day {n} story {p}" in entries[f"Day {n}"] for p in range(6)]
        assert shown == [False] + [True] * n + [False] * (5 - n)


def test_the_archive_is_called_past_digests_everywhere_a_reader_meets_it(
    sent: Digest, client: Client
) -> None:
    # An edition is the US or the UK newsletter (PRODUCT.md); the site's header said "Past
    # digests" while the email's footer, the archive and a digest's page said "Past editions".
    pages = [
        client.get("/").content.decode(),
        client.get("/archive/").content.decode(),
        client.get("/archive/uk/2026-11-25/").content.decode(),
        sent.html,
        sent.text,
    ]
    for text in pages:
        assert "Past editions" not in text
    assert all("Past digests" in text for text in pages[2:])


def test_the_feed_names_its_author_as_atom_requires(sent: Digest, client: Client) -> None:
    feed = ET.fromstring(client.get("/archive/uk/feed/").content)
    # RFC 4287 4.1.1: every entry has an author, its own or the feed's.
    for entry in feed.findall(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}author") is not None or feed.find(f"{ATOM}author") is not None
    author = feed.find(f"{ATOM}author")
    assert author is not None and author.find(f"{ATOM}name").text == sent.edition.name
    assert author.find(f"{ATOM}uri").text.endswith("/archive/uk/")


def test_sitemap_lists_every_published_digest(sent: Digest, client: Client) -> None:
    response = client.get("/archive/sitemap.xml")
    assert response["Content-Type"].startswith("application/xml")
    locs = [e.text for e in ET.fromstring(response.content).iter() if e.tag.endswith("loc")]
    assert any(loc.endswith("/archive/uk/2026-11-25/") for loc in locs)
    assert any(loc.endswith("/archive/uk/") for loc in locs)


def test_drafts_are_not_public(client: Client) -> None:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(slug="draft", timezone="Europe/London")
    messy_day(edition)
    services.digest_build(edition_id=edition.pk)
    assert client.get("/archive/draft/2026-11-25/").status_code == 404
    assert "2026-11-25" not in client.get("/archive/draft/").content.decode()
    assert b"<entry>" not in client.get("/archive/draft/feed/").content


@pytest.mark.parametrize(
    "path",
    [
        "/archive/uk/2026-02-30/",
        "/archive/uk/not-a-date/",
        "/archive/uk/%3Cscript%3E/",
        "/archive/nope/",
        "/archive/nope/feed/",
        "/archive/uk/2026-11-26/",
        "/archive/uk/9999999999-01-01/",
        # Other ISO 8601 forms of the day (Python's fromisoformat reads them): one address a
        # digest, the one the sitemap, the feed and the email give.
        "/archive/uk/20261125/",
        "/archive/uk/2026-W48-3/",
        "/archive/uk/2026W483/",
    ],
)
def test_malformed_paths_are_404_and_change_nothing(
    sent: Digest, client: Client, path: str
) -> None:
    before = list(Digest.objects.values_list("id", "state", "html"))
    response = client.get(path)
    assert response.status_code == 404
    assert b"<script" not in response.content.lower()
    assert list(Digest.objects.values_list("id", "state", "html")) == before


def test_archive_refuses_writes(sent: Digest, client: Client) -> None:
    assert client.post("/archive/uk/2026-11-25/").status_code in (403, 405)


def test_the_feed_names_itself_at_the_public_address_behind_a_proxy(
    sent: Digest, client: Client, settings
) -> None:
    # Behind a TLS-terminating proxy the request is plain http, to whatever Host it was given;
    # every link of the feed is at HEADLINES_BASE_URL, its rel="self" too (RFC 4287 4.2.7.2).
    settings.BASE_URL = "https://news.example"
    settings.ALLOWED_HOSTS = ["news.example"]
    feed = ET.fromstring(client.get("/archive/uk/feed/", HTTP_HOST="news.example").content)
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "https://news.example/archive/uk/",
        "self": "https://news.example/archive/uk/feed/",
    }


def test_the_feed_answers_a_conditional_get_with_304(sent: Digest, client: Client) -> None:
    # A feed reader polls with the Last-Modified it was given (RFC 9110 13.1.3); unchanged, it
    # gets 304 and no body, not the whole feed again.
    first = client.get("/archive/uk/feed/")
    assert first.status_code == 200 and first["Last-Modified"] == "Wed, 25 Nov 2026 12:00:00 GMT"
    again = client.get("/archive/uk/feed/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304 and again.content == b""
    older = client.get("/archive/uk/feed/", HTTP_IF_MODIFIED_SINCE="Tue, 24 Nov 2026 12:00:00 GMT")
    assert older.status_code == 200 and older.content == first.content
    tagged = client.get("/archive/uk/feed/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert tagged.status_code == 304
    head = client.head("/archive/uk/feed/")
    assert head.status_code == 200 and head["Last-Modified"] == first["Last-Modified"]


def test_the_feed_stays_xml_when_a_headline_holds_characters_xml_forbids(
    sent: Digest, client: Client
) -> None:
    # A JSON or HTML source may carry U+FFFE or U+FFFF in a title (plain text keeps them, and
    # the page shows them); XML 1.0 forbids them, and one made the whole feed unreadable.
    item = sent.items.filter(dropped=False).order_by("position", "id").first()
    item.headline = "Bridge \ufffe reopens \uffff after repairs"
    item.save()
    Digest.objects.filter(pk=sent.pk).update(subject="Edition: Bridge \ufffe reopens")
    feed = ET.fromstring(client.get("/archive/uk/feed/").content)
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Edition: Bridge  reopens"
    assert "Bridge  reopens  after repairs" in entry.find(f"{ATOM}summary").text


@pytest.mark.parametrize("later", [1, 10])
def test_the_archive_shows_the_stories_the_email_carried_whatever_max_stories_becomes(
    client: Client, later: int
) -> None:
    # Items past max_stories are the editor's reserve, never sent. Raising max_stories later
    # published past digests' reserve stories; lowering it took sent stories off their pages.
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(slug="uk", timezone="Europe/London")
    edition.max_stories = 2
    edition.save()
    messy_day(edition)
    digest = services.digest_build(edition_id=edition.pk)
    visible = digest.items.filter(dropped=False).order_by("position", "id")
    sent_headlines = list(visible.values_list("headline", flat=True)[:2])
    reserve = list(visible.values_list("headline", flat=True)[2:])
    assert reserve and all(h in digest.text for h in sent_headlines)
    assert not any(h in digest.text for h in reserve)
    services.digest_approve(digest_id=digest.pk)
    services.digest_mark_sending(digest_id=digest.pk)
    services.digest_mark_sent(digest_id=digest.pk)
    edition.max_stories = later
    edition.save()
    page = client.get("/archive/uk/2026-11-25/").content.decode()
    summary = ET.fromstring(client.get("/archive/uk/feed/").content).find(
        f"{ATOM}entry/{ATOM}summary"
    )
    for shown in (page, summary.text):
        assert all(h in shown for h in sent_headlines)
        assert not any(h in shown for h in reserve)


def test_the_feed_is_in_the_editions_language(client: Client) -> None:
    # The archive pages say lang="fr" for a French edition; the feed said xml:lang="en" (the
    # site's own language) whatever the edition's was.
    clock.set_clock(clock.FixedClock(NOON))
    factories.edition(slug="fr", timezone="Europe/Paris", language="fr")
    feed = ET.fromstring(client.get("/archive/fr/feed/").content)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"
    assert 'lang="fr"' in client.get("/archive/fr/").content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
@pytest.mark.parametrize("path", ["/archive/uk/feed/", "/archive/uk/", "/archive/uk/2026-11-25/"])
def test_every_archive_address_answers_another_method_with_405(
    sent: Digest, client: Client, method: str, path: str
) -> None:
    # The feed answered a POST, PUT or DELETE with the CSRF page's "reload and press again",
    # and an OPTIONS with the whole feed, where the archive's pages answer 405.
    response = getattr(client, method)(path)
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_the_edition_archive_reaches_every_published_digest(client: Client) -> None:
    # The page listed the newest 366 and linked nothing older: after a year of daily digests,
    # the older ones were on no page of the archive.
    import datetime as dt

    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(slug="uk", timezone="Europe/London")
    first = dt.date(2025, 1, 1)
    Digest.objects.bulk_create(
        Digest(
            edition=edition,
            date=first + dt.timedelta(days=n),
            state=Digest.State.SENT,
            subject=f"Day {n}",
        )
        for n in range(400)
    )
    newest = client.get("/archive/uk/").content.decode()
    assert "/archive/uk/2026-02-04/" in newest and "/archive/uk/2025-01-01/" not in newest
    assert 'href="?page=2"' in newest
    older = client.get("/archive/uk/?page=2").content.decode()
    assert "/archive/uk/2025-01-01/" in older and "/archive/uk/2026-02-04/" not in older
    assert 'href="/archive/uk/"' in older and "?page=3" not in older
    for page in ("3", "0", "-1", "abc", "1.5", "9" * 5000):
        assert client.get("/archive/uk/", {"page": page}).status_code == 404


def test_the_archive_list_and_the_sitemap_read_no_rendered_bodies(
    sent: Digest, client: Client
) -> None:
    # A page of a year of digests read each one's HTML and text (about 18 KB) to show a date
    # and a subject.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path in ("/archive/uk/", "/archive/sitemap.xml"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        listed = [q["sql"] for q in queries if 'FROM "digests_digest"' in q["sql"]]
        assert listed, path
        assert not [sql for sql in listed if '"digests_digest"."html"' in sql], path
        assert not [sql for sql in listed if '"digests_digest"."text"' in sql], path
    assert sent.subject in client.get("/archive/uk/").content.decode()
