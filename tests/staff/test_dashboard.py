import datetime as dt
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from headlines.core import clock
from headlines.core.models import Edition
from headlines.digests.models import Digest
from headlines.intake.models import Source
from headlines.staff.dashboard import readers_chart, readers_series, staff_dashboard
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import Subscriber, Subscription, Suppression
from headlines.subscriptions.services import suppression_add
from tests import factories
from tests.delivery import factories as delivery_factories

NOW = dt.datetime(2026, 3, 14, 17, 0, tzinfo=dt.UTC)


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


def reader(edition: Edition, email: str, *, confirmed: float | None, left: float | None = None):
    subscriber = Subscriber.objects.create(email=email, email_hash=email_hash(email))
    status = Subscription.Status.PENDING
    if confirmed is not None:
        status = Subscription.Status.UNSUBSCRIBED if left is not None else "confirmed"
    return Subscription.objects.create(
        subscriber=subscriber,
        edition=edition,
        status=status,
        confirmed_at=days_ago(confirmed) if confirmed is not None else None,
        unsubscribed_at=days_ago(left) if left is not None else None,
    )


@pytest.fixture
def newsroom(db):
    """Two editions with readers who joined and left over time, digests, sources, bounces."""
    clock.set_clock(clock.FixedClock(NOW))
    us = factories.edition(slug="us", name="US Evening Headlines", timezone="America/New_York")
    uk = factories.edition(slug="uk", name="UK Evening Headlines", timezone="Europe/London")
    reader(us, "old@example.com", confirmed=90)
    reader(us, "left-long-ago@example.com", confirmed=80, left=60)
    reader(us, "a@example.com", confirmed=20)
    reader(us, "b@example.com", confirmed=10)
    reader(us, "c@example.com", confirmed=10, left=3)
    reader(us, "bounced@example.com", confirmed=5)
    reader(us, "pending@example.com", confirmed=None)
    reader(uk, "uk@example.co.uk", confirmed=2)
    suppression_add(email="bounced@example.com", reason="hard_bounce", detail="550 no such user")
    suppression_add(email="gone@example.org", reason="complaint")
    for day, state, subject in [(1, "sent", "Storm, rates and a comet"), (0, "draft", "")]:
        Digest.objects.create(
            edition=us, date=(NOW - dt.timedelta(days=day)).date(), state=state, subject=subject
        )
    ok = Source.objects.create(name="Harbour Wire", slug="wire", last_success_at=days_ago(0.1))
    bad = Source.objects.create(
        name="Broken Feed",
        slug="broken",
        consecutive_failures=4,
        last_error="<script>alert(1)</script> HTTP 500 from the server",
    )
    ok.editions.set([us, uk])
    bad.editions.set([us])
    return us, uk


def test_readers_over_time_count_joins_and_leaves_day_by_day(newsroom) -> None:
    us, _ = newsroom
    series = dict(readers_series(edition_id=us.pk, today=NOW.date(), days=30))
    assert len(series) == 30
    assert series[days_ago(29).date()] == 1  # only "old" is there a month ago
    assert series[days_ago(20).date()] == 2
    assert series[days_ago(10).date()] == 4
    assert series[days_ago(5).date()] == 5  # "bounced" joins
    assert series[days_ago(3).date()] == 4  # c left
    assert series[NOW.date()] == 4


def test_a_reader_who_left_and_came_back_is_away_only_between(newsroom) -> None:
    """Signing up again keeps the old unsubscribed_at: the series, counted back from today's
    confirmed readers, has them until they left and again from their return."""
    us, _ = newsroom
    back = reader(us, "back@example.com", confirmed=2, left=12)
    back.status = Subscription.Status.CONFIRMED
    back.save(update_fields=["status"])
    series = dict(readers_series(edition_id=us.pk, today=NOW.date(), days=30))
    assert series[days_ago(13).date()] == 3  # old, a and "back", before they left
    assert series[days_ago(12).date()] == 2  # their leaving day counts them out
    assert series[days_ago(3).date()] == 4  # old, a, b, bounced (c left that day)
    assert series[days_ago(2).date()] == 5  # "back" is back
    assert series[NOW.date()] == staff_dashboard().panels[1].readers == 5


def test_the_series_ends_at_the_confirmed_readers_and_ignores_other_editions(newsroom) -> None:
    us, uk = newsroom
    for n in range(3):
        reader(uk, f"uk{n}@example.co.uk", confirmed=40 - n * 15, left=None if n else 1)
    reader(uk, "uk-pending@example.co.uk", confirmed=None)
    series = dict(readers_series(edition_id=uk.pk, today=NOW.date(), days=30))
    # uk@ (2 days ago), uk0 (40 days, left yesterday), uk1 (25 days), uk2 (10 days)
    assert series[days_ago(29).date()] == 1
    assert series[days_ago(25).date()] == 2
    assert series[days_ago(10).date()] == 3
    assert series[days_ago(2).date()] == 4
    assert series[days_ago(1).date()] == series[NOW.date()] == 3
    panel = next(p for p in staff_dashboard().panels if p.edition == uk)
    assert (panel.readers, panel.pending) == (3, 1)
    assert dict(panel.series) == series
    assert dict(readers_series(edition_id=us.pk, today=NOW.date(), days=30))[NOW.date()] == 4


def test_unsubscribes_are_counted_over_7_and_30_days(newsroom) -> None:
    us, uk = newsroom
    for n, left in enumerate([6.9, 7.1, 29.9, 30.1]):
        reader(us, f"left{n}@example.com", confirmed=60, left=left)
    reader(uk, "uk-left@example.co.uk", confirmed=60, left=1)
    panel = next(p for p in staff_dashboard().panels if p.edition == us)
    # c (3 days ago) and 6.9 in the week; and 7.1 and 29.9 in the month, not 30.1 or 60
    assert (panel.unsubscribes_7d, panel.unsubscribes_30d) == (2, 4)


def test_each_digest_shows_its_own_ledger(newsroom) -> None:
    us, _ = newsroom
    older = Digest.objects.create(
        edition=us, date=days_ago(2).date(), state="sending", subject="Older"
    )
    sent = Digest.objects.get(edition=us, state="sent")
    readers = list(Subscription.objects.filter(edition=us))
    for digest, states in [
        (sent, ["sent"] * 3 + ["failed", "suppressed"]),
        (older, ["sent", "queued", "queued", "deferred", "skipped", "sending"]),
    ]:
        for subscription, state in zip(readers, states, strict=False):
            delivery_factories.ledger_row(digest, subscription, state=state)
    rows = {row.digest.subject: row.outcome for row in staff_dashboard().panels[1].digests}
    assert rows == {
        "": "—",  # the draft: no ledger yet
        "Storm, rates and a comet": "sent 3 of 5 · failed 1 · suppressed 1",
        "Older": "sent 1 of 6 · queued 2 · sending 1 · deferred 1 · skipped 1",
    }


def test_the_dashboard_gathers_each_editions_figures(newsroom) -> None:
    dashboard = staff_dashboard()
    us = next(p for p in dashboard.panels if p.edition.slug == "us")
    assert (us.readers, us.pending, us.unsubscribes_7d, us.unsubscribes_30d) == (4, 1, 1, 1)
    assert dict(dashboard.suppressions) == {"Hard bounce": 1, "Spam complaint": 1}
    assert [row.source.name for row in us.sources] == ["Broken Feed", "Harbour Wire"]
    assert [row.status for row in us.sources] == ["failing", "ok"]
    assert [row.digest.state for row in us.digests] == ["draft", "sent"]
    uk = next(p for p in dashboard.panels if p.edition.slug == "uk")
    assert uk.readers == 1 and uk.digests == []


@pytest.fixture
def admin_client_logged_in(db) -> Client:
    get_user_model().objects.create_superuser("boss", "boss@example.com", "a long passphrase")
    client = Client()
    assert client.login(username="boss", password="a long passphrase")
    return client


def test_the_admin_home_shows_the_dashboard_to_staff(newsroom, admin_client_logged_in) -> None:
    page = admin_client_logged_in.get("/admin/").content.decode()
    assert 'id="content-main"' in page, "the app list is still there"
    html = page.split('<div id="staff-dashboard"')[1].split('id="content-main"')[0]
    assert "US Evening Headlines" in html and "UK Evening Headlines" in html
    assert '<svg class="readers-chart"' in html and "<script" not in html
    assert "Storm, rates and a comet" in html
    assert "Hard bounce: 1 · Spam complaint: 1" in html
    assert "Broken Feed" in html and "HTTP 500 from the server" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    sent_row = html.split("Storm, rates and a comet")[1].split("</tr>")[0]
    assert "sent " in sent_row


def test_a_digest_held_back_by_a_relay_refusing_us_shows_the_relays_reply(
    newsroom, admin_client_logged_in
) -> None:
    # A relay refusing us paused the send: staff see why its readers wait, on the digest's
    # line, the reader's address taken out; a digest with none deferred shows nothing.
    us, _ = newsroom
    sent = Digest.objects.get(edition=us, state="sent")
    waiting = Digest.objects.create(
        edition=us, date=days_ago(2).date(), state="sending", subject="Held"
    )
    ann, bob, *_ = Subscription.objects.filter(edition=us).order_by("id")
    later = clock.now() + dt.timedelta(minutes=5)
    delivery_factories.ledger_row(sent, ann, state="sent")
    delivery_factories.ledger_row(waiting, ann, state="sent")
    delivery_factories.ledger_row(
        waiting,
        bob,
        state="deferred",
        next_attempt_at=later,
        last_code=554,
        last_reply="554 5.7.1 <bob@example.com>: Relay access denied",
    )
    rows = {row.digest.subject: row.held_back for row in staff_dashboard().panels[1].digests}
    assert rows["Held"] == "554 5.7.1 <(address)>: Relay access denied"
    assert rows["Storm, rates and a comet"] == ""
    page = admin_client_logged_in.get("/admin/").content.decode()
    assert (
        '<span class="label">Deferred readers wait on:</span> '
        "554 5.7.1 &lt;(address)&gt;: Relay access denied"
    ) in page
    assert "bob@example.com" not in page


def test_a_sources_error_recorded_raw_is_shown_escaped_on_the_dashboard(
    newsroom, admin_client_logged_in
) -> None:
    # Recorded before errors were escaped; the panel cut it at 300 characters, an escape too.
    Source.objects.filter(slug="broken").update(last_error="y" * 298 + "\x1b[2J evil\x07\x9b.html")
    page = admin_client_logged_in.get("/admin/").content.decode()
    html = page.split('<div id="staff-dashboard"')[1].split('id="content-main"')[0]
    assert "y" * 298 + "…" in html and "\\x1…" not in html
    assert not [ch for ch in html if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"]


def test_the_dashboard_is_staff_only(newsroom, client) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    user = get_user_model().objects.create_user("reader", password="not staff at all")
    client.force_login(user)
    assert "Broken Feed" not in client.get("/admin/", follow=True).content.decode()


def test_an_empty_installation_gets_a_hint_not_an_error(admin_client_logged_in) -> None:
    assert not Edition.objects.exists()
    html = admin_client_logged_in.get("/admin/").content.decode()
    assert "No editions yet" in html


def test_the_chart_escapes_its_label_and_copes_with_no_readers() -> None:
    day = dt.date(2026, 1, 1)
    svg = str(readers_chart([(day, 0), (day + dt.timedelta(days=1), 0)], label='<b>"x"</b>'))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "nan" not in svg
    assert "No readers yet" in str(readers_chart([], label="x"))


def test_suppressions_are_counted_once_for_every_edition_without_matching_readers(
    newsroom, admin_client_logged_in
) -> None:
    """A suppression holds for every edition and keeps no edition: the dashboard counts them
    by reason once, from the suppressions alone, never by matching their hashes against an
    edition's readers (a join of the two, 0.3-0.8 s at a million readers)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        page = admin_client_logged_in.get("/admin/").content.decode()
    html = page.split('<div id="staff-dashboard"')[1].split('id="content-main"')[0]
    block = html.split('id="all-suppressions"')[1]
    assert block.count("Hard bounce: 1 · Spam complaint: 1") == 1
    assert 'href="/admin/subscriptions/suppression/"' in block
    assert (
        "None among this edition" not in html
        and "Hard bounce" not in html.split('id="all-suppressions"')[0]
    )
    read = [q["sql"] for q in queries.captured_queries if "subscriptions_suppression" in q["sql"]]
    assert len(read) == 1 and "subscriptions_subscriber" not in read[0]


def test_suppression_reasons_are_labelled_by_the_model(newsroom) -> None:
    suppression_add(email="erased@example.com", reason=Suppression.Reason.ERASED)
    assert ("Reader erased their data", 1) in staff_dashboard().suppressions


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_staff_member_sees_the_dashboard_in_chromium(newsroom, page, live_server, tmp_path):
    get_user_model().objects.create_superuser("boss", "boss@example.com", "a long passphrase")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "a long passphrase")
    page.click("input[type=submit]")
    page.wait_for_selector("#staff-dashboard")
    chart = page.locator("svg.readers-chart").first
    assert chart.is_visible() and chart.bounding_box()["width"] > 200
    assert page.locator("#staff-dashboard .panel").count() == 2
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the dashboard must fit the window"
    cramped = page.evaluate(
        "[...document.querySelectorAll('#staff-dashboard .panel')]"
        ".filter(p => p.scrollWidth > p.clientWidth + 1).length"
    )
    assert cramped == 0, "every table fits inside its edition's panel"
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000
