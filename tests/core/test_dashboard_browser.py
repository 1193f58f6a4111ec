"""The staff dashboard in Chromium at a newsroom's widths: a source's last error is read whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from headlines.intake.models import Source
from tests import factories
from tests.admin_pages import (
    WIDTHS,
    assert_no_page_overflow,
    assert_not_clipped,
    assert_on_screen,
    staff_login,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ERROR = (
    "HTTP 503 from https://feeds.partner-agency.example/world/rss.xml?format=full&region=all: "
    "Service Unavailable; the server said: upstream connect error or disconnect/reset before "
    "headers. reset reason: connection termination"
)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_last_error_of_a_failing_source_is_not_clipped(
    page, live_server, tmp_path: Path, width: int
) -> None:
    for slug in ("us", "uk"):
        edition = factories.edition(slug=slug, name=f"{slug.upper()} Evening Headlines")
        broken = Source.objects.create(
            name=f"Partner Agency {slug}",
            slug=f"agency-{slug}",
            consecutive_failures=4,
            last_error=ERROR,
        )
        broken.editions.set([edition])
    staff_login(page, live_server, width=width)
    assert_no_page_overflow(page, width)
    panels = page.locator("#staff-dashboard .panel")
    assert panels.count() == 2
    assert_not_clipped(panels, "edition panel")
    errors = page.locator("#staff-dashboard td.error")
    assert_on_screen(errors, width, "last error")
    assert_not_clipped(errors, "last error")
    for i in range(errors.count()):
        assert ERROR in errors.nth(i).inner_text()
        panel = panels.nth(i).bounding_box()
        box = errors.nth(i).bounding_box()
        assert panel and box and box["x"] + box["width"] <= panel["x"] + panel["width"] + 0.5
    page.screenshot(path=str(tmp_path / f"dashboard-{width}.png"), full_page=True)
