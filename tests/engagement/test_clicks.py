"""Clicks per story and digest through a signed redirect; never per reader, never open."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy

import pytest
from django.test import Client

from headlines.core import clock
from headlines.delivery.message import DigestTemplate
from headlines.digests import rendering
from headlines.digests.models import Digest
from headlines.digests.services import digest_render
from headlines.engagement.links import click_token
from headlines.engagement.models import Click
from headlines.engagement.selectors import clicks_per_story, clicks_trend
from headlines.subscriptions.audience import audience_recipients
from tests import factories
from tests.api import factories as newsroom
from tests.subscriptions import factories as readers

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC)


@pytest.fixture
def sent() -> Digest:
    clock.set_clock(clock.FixedClock(T0))
    edition = factories.edition(slug="us", name="US Evening Headlines")
    digest = newsroom.digest(edition)
    digest = digest_render(digest_id=digest.pk)
    Digest.objects.filter(pk=digest.pk).update(state="sent")
    digest.refresh_from_db()
    return digest


def as_read(digest: Digest) -> str:
    """The HTML a reader gets who (like the edition, by default) said no per-reader counting."""
    return rendering.personalise(digest.html, unsubscribe_url="u", preferences_url="p")


def links(digest: Digest) -> list[str]:
    """The digest's redirect links, once each (a story's headline and "Read" share one)."""
    return list(dict.fromkeys(re.findall(r'href="([^"]+/r/[^"]+)"', as_read(digest))))


def visit(url: str, ip: str, method: str = "get") -> object:
    path = "/" + url.split("/", 3)[3]
    return getattr(Client(REMOTE_ADDR=ip), method)(path)


def test_the_email_links_go_through_the_redirect_and_carry_nothing_per_reader(sent) -> None:
    found = links(sent)
    assert len(set(found)) == 3
    assert "https://news.example/1" not in sent.html and "https://news.example/1" not in sent.text
    assert "/r/" in sent.text
    # What two readers get, as delivery renders it: the same links, and no pixel.
    first, second = (readers.confirmed(sent.edition) for _ in range(2))
    template = DigestTemplate(sent)
    found_readers = audience_recipients(subscription_ids=[first.pk, second.pk])
    bodies = [template.render(found_readers[s.pk]).raw for s in (first, second)]
    mails = [message_from_bytes(raw, policy=policy.default) for raw in bodies]
    htmls = [m.get_body(preferencelist=("html",)).get_content() for m in mails]  # type: ignore[union-attr]
    assert re.findall(r'href="([^"]+/r/[^"]+)"', htmls[0]) == re.findall(
        r'href="([^"]+/r/[^"]+)"', htmls[1]
    )
    assert all("<img" not in h and "[[" not in h for h in htmls)


def test_a_click_redirects_to_the_story_and_counts_for_that_story(sent) -> None:
    first = links(sent)[0]
    response = visit(first, "198.51.100.7")
    assert response.status_code == 302 and response["Location"] == "https://news.example/1"
    assert response["Referrer-Policy"] == "no-referrer"
    assert [r.clicks for r in clicks_per_story(digest_id=sent.pk)] == [1, 0, 0]
    assert visit(first, "198.51.100.7", "head").status_code == 302  # HEAD answers, never counts
    assert Click.objects.count() == 1


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"),
        lambda t: "1.2.deadbeefdeadbeef",
        lambda t: "..",
        lambda t: "x" * 500,
        lambda t: t.split(".")[0] + ".99999." + t.split(".")[2],
        lambda t: "99999999999999999999.1.abcd",
        lambda t: "%00",
        # Not ASCII: hmac.compare_digest raised TypeError on it, a server error.
        lambda t: t.rsplit(".", 1)[0] + ".%C3%A9",
        lambda t: "%C2%B2.%D9%A3." + t.split(".")[2],  # digits int() refuses
    ],
)
def test_forged_or_mangled_links_are_404_and_redirect_nowhere(sent, mangle) -> None:
    token = links(sent)[0].rstrip("/").rsplit("/", 1)[1]
    mangled = mangle(token)
    response = Client().get(f"/r/{mangled}/")
    # A NUL in any address is refused before the view (core.middleware.refuse_nul): 400.
    assert response.status_code == (400 if "%00" in mangled else 404)
    assert "Location" not in response
    assert not Click.objects.exists()


def test_only_urls_in_that_digest_are_ever_redirected_to(sent) -> None:
    other = newsroom.digest(factories.edition(slug="uk"), state="sent", count=1)
    foreign_item = other.items.get()
    # A correctly signed pair, but the item is not in this digest: refused.
    token = click_token(digest_id=sent.pk, item_id=foreign_item.pk)
    assert Client().get(f"/r/{token}/").status_code == 404
    draft = newsroom.digest(factories.edition(slug="de"), state="draft", count=1)
    draft_token = click_token(digest_id=draft.pk, item_id=draft.items.get().pk)
    assert Client().get(f"/r/{draft_token}/").status_code == 404


def test_a_link_scanner_opening_every_link_within_seconds_is_not_counted(sent) -> None:
    scanner, reader = "203.0.113.50", "198.51.100.7"
    for url in links(sent):
        assert visit(url, scanner).status_code == 302  # the scanner still gets its answer
        clock.get_clock().advance(seconds=1)  # type: ignore[attr-defined]
    visit(links(sent)[1], reader)
    assert [r.clicks for r in clicks_per_story(digest_id=sent.pk)] == [0, 1, 0]
    assert Click.objects.filter(counted=False).count() == 3


def test_a_reader_reading_several_stories_over_minutes_counts_fully(sent) -> None:
    for url in links(sent):
        visit(url, "198.51.100.7")
        clock.get_clock().advance(minutes=2)  # type: ignore[attr-defined]
    assert [r.clicks for r in clicks_per_story(digest_id=sent.pk)] == [1, 1, 1]
    # The address hash is kept only for the scanner window.
    visit(links(sent)[0], "198.51.100.8")
    assert Click.objects.exclude(client_hash="").count() == 1


def test_the_dashboard_shows_clicks_per_story_and_the_trend(sent, admin_client) -> None:
    visit(links(sent)[0], "198.51.100.7")
    assert clicks_trend(edition_id=sent.edition_id) == [(sent.date, 1)]
    home = admin_client.get("/admin/").content.decode()
    assert 'class="clicks-trend"' in home and "clicks per digest" in home.lower()
    page = admin_client.get(f"/admin/engagement/click/digest/{sent.pk}/").content.decode()
    assert 'class="clicks-chart"' in page and "Story 1 headline: 1 clicks" in page
    assert '<strong class="total-clicks">1</strong>' in page
    assert admin_client.get("/admin/engagement/click/digest/99999/").status_code == 404


def test_the_dashboard_says_in_words_when_no_reader_has_clicked(sent, admin_client) -> None:
    home = admin_client.get("/admin/").content.decode()
    assert "No clicks yet on the last digest sent." in home
    assert 'class="clicks-trend"' not in home  # no empty bars under a scale of 1
    visit(links(sent)[0], "198.51.100.7")
    home = admin_client.get("/admin/").content.decode()
    assert "No clicks yet" not in home and 'class="clicks-trend"' in home


def test_the_clicks_panel_reads_only_the_last_14_digests_clicks(admin_client) -> None:
    """16 sent digests, the nth with n counted clicks and a scanner's: the chart shows the
    last 14 (3 to 16 clicks, oldest first), the links the last 5; the clicks are counted for
    those 14 digests alone, from the (digest, counted) index, not for every digest sent."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.delivery import factories as delivery

    clock.set_clock(clock.FixedClock(T0))
    edition = factories.edition(slug="us", name="US Evening Headlines")
    for n in range(1, 17):
        digest = delivery.digest(edition, day=dt.date(2026, 11, 1) + dt.timedelta(n), state="sent")
        item = digest.items.create(position=1, headline=f"Story {n}")
        Click.objects.bulk_create(Click(digest=digest, item=item) for _ in range(n))
        Click.objects.create(digest=digest, item=item, counted=False)
    with CaptureQueriesContext(connection) as queries:
        home = admin_client.get("/admin/").content.decode()
    bars = re.findall(r"<title>(2026-11-\d\d): (\d+) clicks</title>", home)
    assert bars == [(f"2026-11-{n + 1:02}", str(n)) for n in range(3, 17)]
    assert re.findall(r"Tue 17 Nov \((\d+)\)", home) == ["16"]
    assert len(re.findall(r"/admin/engagement/click/digest/\d+/", home)) == 5
    counts = [q["sql"] for q in queries.captured_queries if 'FROM "engagement_click"' in q["sql"]]
    assert len(counts) == 1 and 'JOIN "digests_digest"' not in counts[0]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {counts[0]}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX click_digest_counted" in plan


def test_a_link_in_a_test_of_a_draft_says_the_digest_is_not_sent_yet(sent) -> None:
    """An editor's test of the draft has the readers' story links, which open only once it is
    sent: they were answered "This link is not valid.", as a forged one."""
    draft = newsroom.digest(factories.edition(slug="de"), state="draft", count=1)
    token = click_token(digest_id=draft.pk, item_id=draft.items.get().pk)
    response = Client().get(f"/r/{token}/")
    assert response.status_code == 404 and "Location" not in response
    assert "has not been sent yet" in response.content.decode()
    assert not Click.objects.exists()
    Digest.objects.filter(pk=draft.pk).update(state="sent")
    assert Client().get(f"/r/{token}/").status_code == 302
