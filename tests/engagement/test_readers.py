"""Per-reader opens and clicks: only where the edition's privacy notice and the reader both say
yes, recorded in the consent ledger, and gone again with a no or an erasure."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy

import pytest
from django.test import Client

from headlines.core import clock
from headlines.core.errors import Conflict, InvalidInput
from headlines.delivery.message import DigestTemplate
from headlines.digests.models import Digest
from headlines.digests.services import digest_render
from headlines.engagement.links import click_token
from headlines.engagement.models import Click, EditionTracking, ReaderEvent
from headlines.engagement.readers import ReaderTracking
from headlines.engagement.services import edition_tracking_set, reader_tracking_choose
from headlines.subscriptions.audience import audience_recipients
from headlines.subscriptions.links import make_token
from headlines.subscriptions.models import ConsentEvent, Subscription
from headlines.subscriptions.preferences import subscriber_erase
from headlines.subscriptions.services import subscription_unsubscribe
from tests import factories
from tests.api import factories as newsroom
from tests.delivery import factories as delivery
from tests.subscriptions import factories as readers

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent() -> Digest:
    edition = factories.edition(
        slug="us", privacy_url="https://news.example/privacy", privacy_version="2026-02"
    )
    digest = digest_render(digest_id=newsroom.digest(edition).pk)
    Digest.objects.filter(pk=digest.pk).update(state="sent")
    digest.refresh_from_db()
    return digest


def html_for(digest: Digest, subscription: Subscription) -> str:
    reader = audience_recipients(subscription_ids=[subscription.pk])[subscription.pk]
    raw = DigestTemplate(digest).render(reader).raw
    part = message_from_bytes(raw, policy=policy.default).get_body(preferencelist=("html",))
    return part.get_content()  # type: ignore[union-attr]


def path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_an_edition_opts_in_only_with_the_privacy_notice_version_that_says_so(sent) -> None:
    with pytest.raises(InvalidInput, match="current version is '2026-02'"):
        edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="1")
    bare = factories.edition(slug="bare")
    with pytest.raises(InvalidInput, match="no privacy notice of its own"):
        edition_tracking_set(edition_id=bare.pk, per_reader=True, privacy_version="1")
    assert not EditionTracking.objects.exists()


def test_a_reader_cannot_say_yes_where_the_edition_has_not(sent) -> None:
    reader = readers.confirmed(sent.edition)
    with pytest.raises(Conflict, match="does not count"):
        reader_tracking_choose(subscription_id=reader.pk, yes=True)
    assert not ConsentEvent.objects.filter(purpose="engagement").exists()


def test_the_edition_alone_saying_yes_changes_nothing_in_the_email(sent) -> None:
    edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="2026-02")
    html = html_for(sent, readers.confirmed(sent.edition))
    assert "<img" not in html and "/r/open/" not in html
    assert all(link.count("/") == 5 for link in re.findall(r'href="([^"]+/r/[^"]+)"', html))


def test_both_yes_then_the_reader_says_no(sent) -> None:
    edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="2026-02")
    reader, other = readers.confirmed(sent.edition), readers.confirmed(sent.edition)
    reader_tracking_choose(subscription_id=reader.pk, yes=True, ip="198.51.100.7")

    html = html_for(sent, reader)
    pixel = re.search(r'<img src="([^"]+/r/open/[^"]+)" width="1" height="1"', html)
    assert pixel is not None
    assert Client().get(path(pixel.group(1)))["Content-Type"] == "image/gif"
    link = re.findall(r'href="([^"]+/r/[^"]+)"', html)[0]
    assert Client().get(path(link)).status_code == 302
    assert list(ReaderEvent.objects.values_list("kind", "subscription_id")) == [
        ("open", reader.pk),
        ("click", reader.pk),
    ]
    assert Click.objects.filter(counted=True).count() == 1  # the story's count goes up too
    assert "<img" not in html_for(sent, other)  # the other reader said nothing

    # The reader changes their mind on the page the preferences page links to.
    token = make_token("preferences", reader.pk)
    prefs = Client().get(f"/preferences/{token}/").content.decode()
    assert 'href="engagement/"' in prefs
    page = Client().get(f"/preferences/{token}/engagement/").content.decode()
    assert 'name="edition-' in page and "checked" in page
    Client().post(f"/preferences/{token}/engagement/", {})
    ledger = ConsentEvent.objects.filter(purpose="engagement").order_by("id")
    assert [(c.granted, c.source, c.privacy_version) for c in ledger] == [
        (True, "preferences", "2026-02"),
        (False, "preferences", "2026-02"),
    ]
    assert "<img" not in html_for(sent, reader)
    Client().get(path(link))  # an old per-reader link still works, counted for the story only
    assert ReaderEvent.objects.count() == 2 and Click.objects.count() == 2


def test_a_link_scanner_opening_a_readers_links_counts_no_click_for_the_reader(sent) -> None:
    """The story's figures leave a scanner's burst out; the reader's own clicks did not: every
    story the scanner opened was in the reader's export as a click of theirs."""
    clock.set_clock(clock.FixedClock(dt.datetime(2026, 11, 25, 23, 0, tzinfo=dt.UTC)))
    edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="2026-02")
    reader = readers.confirmed(sent.edition)
    reader_tracking_choose(subscription_id=reader.pk, yes=True)
    links = list(dict.fromkeys(re.findall(r'href="([^"]+/r/[^"]+)"', html_for(sent, reader))))
    assert len(links) == 3
    for link in [*links, links[0]]:  # the whole email, then once more within the window
        assert Client(REMOTE_ADDR="203.0.113.50").get(path(link)).status_code == 302
        clock.get_clock().advance(seconds=1)  # type: ignore[attr-defined]
    assert Click.objects.filter(counted=True).count() == 0
    assert not ReaderEvent.objects.exists()
    clock.get_clock().advance(minutes=5)  # type: ignore[attr-defined]
    Client(REMOTE_ADDR="198.51.100.7").get(path(links[1]))  # the reader, later
    assert list(ReaderEvent.objects.values_list("kind", "item_id")) == [
        ("click", sent.items.order_by("position", "id")[1].pk)
    ]
    assert Click.objects.filter(counted=True).count() == 1


def test_a_reader_who_unsubscribed_is_no_longer_counted(sent) -> None:
    """Their yes stays in the ledger, but the choice page offers unsubscribed editions nothing
    (it told them none of their newsletters counts): their old email's pixel and links were
    still recorded as theirs."""
    edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="2026-02")
    reader = readers.confirmed(sent.edition)
    reader_tracking_choose(subscription_id=reader.pk, yes=True)
    html = html_for(sent, reader)
    pixel = re.search(r'<img src="([^"]+/r/open/[^"]+)"', html).group(1)  # type: ignore[union-attr]
    link = re.findall(r'href="([^"]+/r/[^"]+)"', html)[0]
    subscription_unsubscribe(subscription_id=reader.pk, source="preferences")
    Client().get(path(pixel))
    assert Client().get(path(link)).status_code == 302
    assert not ReaderEvent.objects.exists()
    assert Click.objects.filter(counted=True).count() == 1  # the story's count, as anyone's
    page = Client().get(f"/preferences/{make_token('preferences', reader.pk)}/engagement/")
    assert "None of your newsletters counts" in page.content.decode()


def test_reader_parts_count_only_for_their_own_digest_once_it_went_out(sent) -> None:
    """An editor who reads the edition (and said yes) gets their own pixel in a test of the
    draft: opening the test was an open of a digest no reader had yet. And a reader part put on
    another digest's link recorded a click of that story under this digest."""
    edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="2026-02")
    reader = readers.confirmed(sent.edition)
    reader_tracking_choose(subscription_id=reader.pk, yes=True)
    html = html_for(sent, reader)
    pixel = path(re.search(r'<img src="([^"]+/r/open/[^"]+)"', html).group(1))  # type: ignore[union-attr]
    link = path(re.findall(r'href="([^"]+/r/[^"]+)"', html)[0])
    Digest.objects.filter(pk=sent.pk).update(state="approved")  # the test of it, before the send
    Client().get(pixel)
    assert not ReaderEvent.objects.exists()

    Digest.objects.filter(pk=sent.pk).update(state="sent")
    later = delivery.digest(sent.edition, day=sent.date + dt.timedelta(days=1), state="sent")
    story = later.items.create(position=1, headline="Later", url="https://news.example/later")
    reader_part = link.rstrip("/").rsplit("/", 1)[1]
    spliced = f"/r/{click_token(digest_id=later.pk, item_id=story.pk)}/{reader_part}/"
    assert Client().get(spliced)["Location"] == "https://news.example/later"
    assert not ReaderEvent.objects.exists()
    assert Click.objects.filter(item=story).count() == 1  # the story's count, as anyone's

    Client().get(pixel)
    Client().get(link)
    assert sorted(ReaderEvent.objects.values_list("kind", flat=True)) == ["click", "open"]


def test_an_open_or_a_click_reads_the_readers_own_answer_not_the_whole_ledger(sent) -> None:
    """Each open and click read every engagement answer of the edition to find this reader's:
    145 ms an open at 100,000 answers, inside the click's transaction. Now one row of theirs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="2026-02")
    reader = readers.confirmed(sent.edition)
    for other in [readers.confirmed(sent.edition) for _ in range(3)]:
        reader_tracking_choose(subscription_id=other.pk, yes=True)
    reader_tracking_choose(subscription_id=reader.pk, yes=True)
    html = html_for(sent, reader)
    pixel = path(re.search(r'<img src="([^"]+/r/open/[^"]+)"', html).group(1))  # type: ignore[union-attr]
    link = path(re.findall(r'href="([^"]+/r/[^"]+)"', html)[0])
    for url in (pixel, link):
        with CaptureQueriesContext(connection) as queries:
            Client().get(url)
        ledger = [q["sql"] for q in queries if 'FROM "subscriptions_consentevent"' in q["sql"]]
        assert len(ledger) == 1
        assert f'"subscriber_id" = {reader.subscriber_id}' in ledger[0]
        assert ledger[0].endswith("LIMIT 1")
    assert ReaderEvent.objects.count() == 2
    reader_tracking_choose(subscription_id=reader.pk, yes=False)
    Client().get(pixel)
    assert ReaderEvent.objects.count() == 2


def test_a_send_finds_its_tracked_readers_whatever_their_number(sent) -> None:
    """The readers who said yes went to SQLite as one variable each (`IN (…)`): past its limit
    (32,766 or 250,000 by build) every send of the edition failed. Here the limit is 10."""
    from django.db import connection

    edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="2026-02")
    yes = [readers.confirmed(sent.edition) for _ in range(12)]
    for subscription in yes:
        reader_tracking_choose(subscription_id=subscription.pk, yes=True)
    reader_tracking_choose(subscription_id=yes[0].pk, yes=False)
    readers.confirmed(sent.edition)  # said nothing
    if connection.vendor != "sqlite":
        assert ReaderTracking.for_digest(sent).tracked == {s.pk for s in yes[1:]}
        return
    import sqlite3

    connection.ensure_connection()
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 10)
    try:
        tracked = ReaderTracking.for_digest(sent).tracked
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    assert tracked == {s.pk for s in yes[1:]}


def test_a_new_privacy_notice_version_switches_it_off(sent) -> None:
    edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="2026-02")
    reader = readers.confirmed(sent.edition)
    reader_tracking_choose(subscription_id=reader.pk, yes=True)
    assert "<img" in html_for(sent, reader)
    sent.edition.privacy_version = "2026-03"
    sent.edition.save()
    assert "<img" not in html_for(sent, reader)


def test_erasing_the_reader_erases_their_events(sent) -> None:
    edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="2026-02")
    reader = readers.confirmed(sent.edition)
    reader_tracking_choose(subscription_id=reader.pk, yes=True)
    pixel = re.search(r'<img src="([^"]+)"', html_for(sent, reader))
    Client().get(path(pixel.group(1)))  # type: ignore[union-attr]
    assert ReaderEvent.objects.count() == 1
    subscriber_erase(subscriber_id=reader.subscriber_id)
    assert not ReaderEvent.objects.exists()
    # The ledger outlives the reader: its last engagement word for them is the erasure's no
    # (it was the yes, as if it still stood).
    ledger = ConsentEvent.objects.filter(purpose="engagement").order_by("id")
    assert [(c.granted, c.edition_id, c.subscriber_id) for c in ledger] == [
        (True, sent.edition_id, None),
        (False, sent.edition_id, None),
    ]
    assert ledger.last().wording == "Reader asked for their data to be erased."  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "token", ["nope", "1.2.3", "1.2.deadbeefdeadbeef", "x" * 300, "1.2.%C3%A9", "%C2%B2.2.abc"]
)
def test_forged_reader_parts_record_nothing(sent, token) -> None:
    assert Client().get(f"/r/open/{token}/")["Content-Type"] == "image/gif"
    assert Client().get(f"/preferences/{token}/engagement/").status_code == 404
    assert not ReaderEvent.objects.exists()


def test_staff_switch_it_on_in_the_admin_only_with_the_current_notice_version(
    sent, admin_client
) -> None:
    url = "/admin/engagement/editiontracking/add/"
    refused = admin_client.post(
        url, {"edition": sent.edition_id, "per_reader": "on", "privacy_version": "1"}
    )
    assert "current version is" in refused.content.decode()
    assert not EditionTracking.objects.exists()
    admin_client.post(
        url, {"edition": sent.edition_id, "per_reader": "on", "privacy_version": "2026-02"}
    )
    assert EditionTracking.objects.get().active


def test_staff_cannot_move_an_editions_opt_in_to_another_edition(sent, admin_client) -> None:
    """Choosing another edition on a row's change page opted that one in as a second row and
    left the first on, while the page said the row was changed."""
    edition_tracking_set(edition_id=sent.edition_id, per_reader=True, privacy_version="2026-02")
    other = factories.edition(slug="uk", privacy_url="https://news.example/uk", privacy_version="9")
    url = f"/admin/engagement/editiontracking/{EditionTracking.objects.get().pk}/change/"
    assert 'name="edition"' not in admin_client.get(url).content.decode()
    # Checked against the row's own edition, whose notice is at another version: refused.
    refused = admin_client.post(
        url, {"edition": other.pk, "per_reader": "on", "privacy_version": "9"}
    )
    assert "current version is &#x27;2026-02&#x27;" in refused.content.decode()
    assert list(EditionTracking.objects.values_list("edition", "per_reader")) == [
        (sent.edition_id, True)
    ]
    admin_client.post(url, {"edition": other.pk, "privacy_version": "2026-02"})
    assert list(EditionTracking.objects.values_list("edition", "per_reader")) == [
        (sent.edition_id, False)
    ]
