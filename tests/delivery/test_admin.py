from __future__ import annotations

import pytest
from django.test import Client

from headlines.delivery import services
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
