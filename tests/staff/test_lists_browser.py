"""Every staff list in Chromium at a newsroom's widths, sidebar open: no column past the edge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from headlines.core import clock
from headlines.core.models import Job
from headlines.delivery.services import delivery_send_now
from headlines.digests import services as digest_services
from headlines.intake.models import Source
from headlines.subscriptions.models import Suppression
from headlines.subscriptions.services import suppression_add
from tests import factories
from tests.admin_pages import WIDTHS, assert_no_page_overflow, staff_login
from tests.digests.factories import NOON, messy_day
from tests.subscriptions.factories import confirmed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The lists an editor opens every day; each must have rows in this test.
DAILY = (
    "/admin/digests/digest/",
    "/admin/intake/source/",
    "/admin/intake/article/",
    "/admin/stories/story/",
    "/admin/subscriptions/subscriber/",
    "/admin/subscriptions/subscription/",
    "/admin/subscriptions/consentevent/",
    "/admin/subscriptions/suppression/",
    "/admin/delivery/delivery/",
    "/admin/delivery/digestdelivery/",
    "/admin/core/job/",
)


@pytest.fixture
def newsroom() -> None:
    """A day of news for two editions, a sent digest, readers, a failing source, suppressions."""
    clock.set_clock(clock.FixedClock(NOON))
    us = factories.edition(slug="us", name="US Evening Headlines", timezone="America/New_York")
    uk = factories.edition(slug="uk", name="UK Evening Headlines")
    messy_day(us, hostile=False)
    digest = digest_services.digest_build(edition_id=us.pk)
    for n in range(3):
        for edition in (us, uk):
            confirmed(edition, email=f"a.rather.long.reader.address{n}@newsroom-partner.example")
    digest_services.digest_approve(digest_id=digest.pk, by="editor")
    delivery_send_now(digest_id=digest.pk)
    Source.objects.filter(name="Coast Daily").update(
        consecutive_failures=3,
        last_error="HTTP 503 from https://feeds.coast-daily.example/all.xml: Service Unavailable",
    )
    suppression_add(
        email="bounced@example.org", reason=Suppression.Reason.HARD_BOUNCE, detail="5.1.1"
    )
    Job.objects.create(
        kind="intake.ingest",
        key="intake.ingest:coast-daily",
        payload='{"source_id": 1}',
        status=Job.Status.FAILED,
        attempts=5,
        run_after=NOON,
        last_error="ConnectionResetError: [Errno 104] Connection reset by peer",
    )


def _list_widths(page: Any) -> list[float]:
    return page.evaluate(
        "() => { const r = document.querySelector('.results');"
        " return r ? [r.scrollWidth, r.clientWidth, r.querySelectorAll('tbody tr').length] : [] }"
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_every_list_shows_all_its_columns(
    page, live_server, tmp_path: Path, newsroom: None, width: int
) -> None:
    staff_login(page, live_server, width=width)
    lists = sorted(
        set(
            page.evaluate(
                "() => Array.from(document.querySelectorAll("
                "'#content-main tr[class^=model-] th a'))"
                ".map(a => a.getAttribute('href'))"
                ".filter(h => h && !h.endsWith('/add/'))"
            )
        )
    )
    assert set(DAILY) <= set(lists)
    for url in lists:
        page.goto(f"{live_server.url}{url}")
        assert_no_page_overflow(page, width)
        widths = _list_widths(page)
        if url in DAILY:
            assert widths and widths[2] > 0, f"{url} shows no rows"
        if widths:
            scroll, client, _rows = widths
            assert scroll <= client, f"{url} hides columns at {width}px: {scroll} > {client}"
    page.goto(f"{live_server.url}/admin/intake/source/")
    assert page.locator("#result_list th", has_text="Consecutive failures").is_visible()
    filters = page.locator("#changelist-filter").bounding_box()
    assert filters is not None and filters["x"] + filters["width"] <= width
    page.screenshot(path=str(tmp_path / f"sources-{width}.png"), full_page=True)
