"""Reader pages in Chromium with the reader's own clock: the browser's time zone is offered."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from headlines.core import clock
from headlines.subscriptions import links
from headlines.subscriptions.models import Subscription
from tests import factories as base_factories
from tests.subscriptions import factories
from tests.subscriptions.conftest import path_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reader_page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page whose browser believes it is in the zone the test is parametrised with."""
    context = browser.new_context(timezone_id=request.param, viewport={"width": 800, "height": 900})
    yield context.new_page()
    context.close()


def _subscription() -> Subscription:
    edition = base_factories.edition(
        slug="us", name="US Evening Headlines", timezone="America/New_York"
    )
    return factories.confirmed(edition)


@pytest.mark.parametrize(
    ("reader_page", "expected"),
    [
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("Europe/Kyiv", "Europe/Kyiv"),
        ("America/Boise", "America/Boise"),
    ],
    indirect=["reader_page"],
)
def test_the_readers_own_zone_is_preselected_and_saved(reader_page, live_server, expected) -> None:
    subscription = _subscription()
    reader_page.goto(live_server.url + path_of(links.preferences_url(subscription.pk)))
    select = reader_page.get_by_label("Delivery time zone")
    assert select.input_value() == expected
    hint = reader_page.locator("#zone-hint")
    assert hint.is_visible() and "your device's time zone" in hint.inner_text()
    assert select.locator("option").count() < 120
    reader_page.get_by_role("button", name="Save my preferences").click()
    reader_page.get_by_text("Your preferences are saved.").wait_for()
    assert Subscription.objects.get().timezone == expected


@pytest.mark.parametrize("reader_page", ["Asia/Tokyo"], indirect=True)
def test_a_zone_the_reader_chose_is_not_replaced(reader_page, live_server) -> None:
    subscription = _subscription()
    subscription.timezone = "Europe/Paris"
    subscription.save()
    reader_page.goto(live_server.url + path_of(links.preferences_url(subscription.pk)))
    assert reader_page.get_by_label("Delivery time zone").input_value() == "Europe/Paris"
    assert not reader_page.locator("#zone-hint").is_visible()


@pytest.mark.parametrize("reader_page", ["America/Los_Angeles"], indirect=True)
def test_the_first_send_time_is_also_given_in_the_readers_clock(reader_page, live_server) -> None:
    clock.set_clock(clock.FixedClock(dt.datetime(2026, 11, 25, 17, 0, tzinfo=dt.UTC)))
    edition = base_factories.edition(
        slug="us", name="US Evening Headlines", timezone="America/New_York"
    )
    subscription = factories.confirmed(edition)
    reader_page.goto(live_server.url + path_of(links.confirm_url(subscription.pk)))
    paragraph = reader_page.locator("#first-digest")
    text = paragraph.inner_text()
    assert "arrives on Wednesday 25 November at 18:00 (New York time)." in text
    # In the browser's own words and clock (its locale decides 15:00 or 3:00 PM).
    assert re.search(r"That is Wednesday, (15:00|0?3:00\sPM) PST where you are\.", text), text


@pytest.mark.parametrize("reader_page", ["Europe/London"], indirect=True)
def test_erase_without_the_box_comes_back_to_the_box_on_a_phone(reader_page, live_server) -> None:
    subscription = _subscription()
    reader_page.set_viewport_size({"width": 375, "height": 700})
    reader_page.goto(live_server.url + path_of(links.preferences_url(subscription.pk)))
    reader_page.get_by_role("button", name="Erase my data").click()
    error = reader_page.locator("#erase-error")
    error.wait_for()
    assert error.inner_text() == "Tick the box to confirm you want your data erased."
    # The browser scrolls to #erase once the page is parsed, which may be a moment after the
    # error is first in the document: wait (a few seconds at most) for it to come into view.
    in_view = (
        "() => { const e = document.getElementById('erase-error');"
        " if (!e) return false; const r = e.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )
    try:
        reader_page.wait_for_function(in_view, timeout=5_000)
    except PlaywrightTimeout:
        pytest.fail("the error is out of sight, at the foot of a long page")
    assert error.is_visible()
    reader_page.get_by_label("Yes, erase my data").check()
    reader_page.get_by_role("button", name="Erase my data").click()
    reader_page.get_by_text("Your data is erased").wait_for()
    assert not Subscription.objects.exists()
