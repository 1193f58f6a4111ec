"""Helpers for driving the staff admin in a real browser and checking nothing spills over."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

WIDTHS = (1280, 1440)  # a newsroom's laptops and desktop screens, sidebar open
PASSWORD = "a long staff passphrase"


def staff_login(page: Any, live_server: Any, *, width: int) -> None:
    User.objects.create_superuser("editor", "editor@newsroom.example", PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")


def assert_no_page_overflow(page: Any, width: int) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"the page scrolls sideways at {width}px: {scroll} > {client}"


def assert_on_screen(locator: Any, width: int, what: str) -> None:
    """Every element the locator finds is visible and lies within the viewport's width."""
    assert locator.count() > 0, f"no {what}"
    for i in range(locator.count()):
        element = locator.nth(i)
        box = element.bounding_box()
        assert element.is_visible() and box is not None, f"{what} {i} is hidden"
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (what, i, box)


def assert_not_clipped(locator: Any, what: str) -> None:
    """No element the locator finds hides part of its content (sideways or below)."""
    for i in range(locator.count()):
        sizes = locator.nth(i).evaluate(
            "e => [e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight]"
        )
        assert sizes[0] <= sizes[1] and sizes[2] <= sizes[3] + 1, (what, i, sizes)
