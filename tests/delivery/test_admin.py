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
