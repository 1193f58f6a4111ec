from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.test import Client

from headlines.delivery import services
from headlines.delivery.models import Delivery
from tests.conftest import SMTPPeer
from tests.delivery import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_see_each_digests_progress(admin_client: Client, smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition()
    factories.readers(ed, 4)
    gone = factories.reader(ed, email="gone@example.org")
    digest = factories.digest(ed)
    smtp_messenger.reply_for = lambda rcpt: (
        "550 5.1.1 unknown" if rcpt == "gone@example.org" else None
    )
    services.delivery_send_now(digest_id=digest.pk)

    page = admin_client.get("/admin/delivery/digestdelivery/").content.decode()
    assert str(digest) in page
    for column in ("Sent", "Deferred", "Failed", "Rate /s", "Time left"):
        assert column in page
    assert '<td class="field-sent">4</td>' in page
    assert '<td class="field-failed">1</td>' in page

    rows = admin_client.get("/admin/delivery/delivery/?state=failed").content.decode()
    assert "550 5.1.1 unknown" in rows and gone.subscriber.email in rows


def test_digest_deliveries_show_what_deferred_readers_wait_on(admin_client: Client) -> None:
    # A relay refusing us pauses the send: its reply, addresses taken out, is on the digest's
    # line and its own page; a digest with nobody deferred shows "—".
    from headlines.core import clock

    ed = factories.edition()
    held, done = factories.reader(ed), factories.reader(ed)
    digest = factories.digest(ed)
    factories.ledger_row(digest, done, state="sent")
    factories.ledger_row(
        digest,
        held,
        state="deferred",
        next_attempt_at=clock.now() + dt.timedelta(minutes=5),
        last_code=554,
        last_reply=f"554 5.7.1 <{held.subscriber.email}>: Relay access denied",
    )
    other = factories.digest(ed, day=digest.date - dt.timedelta(days=1))
    factories.ledger_row(other, done, state="sent")

    page = admin_client.get("/admin/delivery/digestdelivery/").content.decode()
    reply = "554 5.7.1 &lt;(address)&gt;: Relay access denied"
    assert f'<td class="field-held_back">{reply}</td>' in page
    assert '<td class="field-held_back">—</td>' in page
    assert held.subscriber.email not in page
    own = admin_client.get(f"/admin/delivery/digestdelivery/{digest.pk}/change/").content.decode()
    assert reply in own
    # A long reply is cut on the digest's line (the list fits a 1280 px screen), whole on its page.
    long = "554 5.7.1 Message rejected: " + "policy " * 30
    Delivery.objects.filter(digest=digest, state="deferred").update(last_reply=long)
    page = admin_client.get("/admin/delivery/digestdelivery/").content.decode()
    assert f'<td class="field-held_back">{long[:60]}…</td>' in page
    own = admin_client.get(f"/admin/delivery/digestdelivery/{digest.pk}/change/").content.decode()
    assert long.strip() in own


def test_the_ledger_cannot_be_edited_from_the_admin(admin_client: Client) -> None:
    assert admin_client.get("/admin/delivery/delivery/add/").status_code == 403
    assert admin_client.get("/admin/delivery/digestdelivery/add/").status_code == 403


def test_the_admin_pages_need_staff(client: Client) -> None:
    response = client.get("/admin/delivery/digestdelivery/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_deliveries_page_counts_at_most_a_capped_number_of_rows(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A million-row ledger is not counted whole on every page load: past the cap the page
    says "more than", still pages through the rows, and a filter gives an exact count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from headlines.core.admin_lists import CappedPaginator
    from headlines.delivery import ledger

    monkeypatch.setattr(CappedPaginator, "CAP", 5)
    monkeypatch.setattr(admin.site.get_model_admin(Delivery), "list_per_page", 2)
    ed = factories.edition()
    factories.readers(ed, 8)
    first = factories.digest(ed)
    second = factories.digest(ed, day=first.date + dt.timedelta(days=1))
    ledger.fill(digest=first, now=first.built_at, send_now=True)
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get("/admin/delivery/delivery/").content.decode()
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT 6" in sql for sql in counts)
    assert "more than 5 deliveries" in page
    assert admin_client.get("/admin/delivery/delivery/?p=3").status_code == 200
    ledger.fill(digest=second, now=second.built_at, send_now=True)
    Delivery.objects.filter(digest=second).exclude(
        subscription_id__in=Delivery.objects.filter(digest=second).values("subscription_id")[:3]
    ).delete()
    page = admin_client.get(f"/admin/delivery/delivery/?digest__id__exact={second.pk}")
    text = page.content.decode()
    assert "3 deliveries" in text and "more than" not in text


def test_digest_deliveries_count_each_state_up_to_the_cap_and_the_digest_exactly(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page of digests does not count a million-row ledger whole, digest by digest: each
    state is counted up to the cap ("3+" past it, the time left a lower bound then); the
    digest's own page counts every row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from headlines.core import clock
    from headlines.core.admin_lists import CappedPaginator
    from headlines.delivery import ledger

    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    ed = factories.edition()
    factories.readers(ed, 8)
    digest = factories.digest(ed)
    ledger.fill(digest=digest, now=digest.built_at, send_now=True)
    sent = Delivery.objects.filter(digest=digest).order_by("id")[:4].values("id")
    Delivery.objects.filter(id__in=sent).update(state=Delivery.State.SENT, sent_at=clock.now())
    queued = Delivery.objects.filter(digest=digest, state=Delivery.State.QUEUED)
    queued.filter(id=queued.order_by("id")[0].id).update(state=Delivery.State.FAILED)

    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get("/admin/delivery/digestdelivery/").content.decode()
    ledger_reads = [q["sql"] for q in queries if '"delivery_delivery"' in q["sql"]]
    # Each state up to the cap, and the last minute's sends (the rate) exactly.
    assert all("LIMIT 4" in sql or "sent_at" in sql for sql in ledger_reads), ledger_reads
    assert '<td class="field-sent">3+</td>' in page
    assert '<td class="field-queued">3</td>' in page  # 3 left: exact
    assert '<td class="field-failed">1</td>' in page
    assert '<td class="field-rate">0.1</td>' in page  # 4 sent in the last minute
    assert '<td class="field-time_left">0:00:45</td>' in page  # 3 left at 4 a minute

    Delivery.objects.filter(digest=digest, state=Delivery.State.FAILED).update(
        state=Delivery.State.QUEUED
    )
    page = admin_client.get("/admin/delivery/digestdelivery/").content.decode()
    assert '<td class="field-queued">3+</td>' in page
    assert '<td class="field-time_left">0:00:45+</td>' in page  # at least: 4 are left

    own = admin_client.get(f"/admin/delivery/digestdelivery/{digest.pk}/change/")
    assert "queued 4 · sending 0 · sent 4" in own.content.decode()
    assert "total 8" in own.content.decode()


def test_the_deliveries_filter_by_digest_offers_recent_digests_in_statements_that_do_not_grow(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Django's filter by digest listed every digest ever made and read each one's edition for
    its name: a digest a day an edition made the page 400 statements after a year. The latest
    are offered, their editions read with them; an older digest is still one link away."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from headlines.delivery import ledger
    from headlines.delivery.admin import ByDigest

    monkeypatch.setattr(ByDigest, "RECENT", 3)
    ed = factories.edition()
    factories.readers(ed, 2)
    first = factories.digest(ed)
    ledger.fill(digest=first, now=first.built_at, send_now=True)

    def statements() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get("/admin/delivery/delivery/").content.decode()
        return len(queries), page

    few, _ = statements()
    later = [factories.digest(ed, day=first.date + dt.timedelta(days=n)) for n in range(1, 9)]
    many, page = statements()
    assert many == few
    offered = page.split('id="changelist-filter"')[1]
    assert str(later[-1]) in offered and str(first) not in offered  # the latest three only
    linked = admin_client.get(f"/admin/delivery/delivery/?digest__id__exact={first.pk}")
    text = linked.content.decode()
    assert linked.status_code == 200 and "2 deliveries" in text
    assert str(first) in text.split('id="changelist-filter"')[1]  # shown as the chosen one
    bad = admin_client.get("/admin/delivery/delivery/?digest__id__exact=x")
    assert bad.status_code == 302 and "e=1" in bad["Location"]


def test_staff_find_an_address_bounces_by_the_whole_address(admin_client: Client) -> None:
    from headlines.delivery.bounces import bounce_note
    from headlines.subscriptions.hashing import email_hash

    bounce_note(email="full@example.org", kind="soft", delivery_id=None, detail="452 full")
    bounce_note(email="other@example.org", kind="hard", delivery_id=None, detail="550 gone")
    page = admin_client.get("/admin/delivery/bounceevent/", {"q": "FULL@example.org"})
    assert email_hash("full@example.org") in page.content.decode()
    assert email_hash("other@example.org") not in page.content.decode()
