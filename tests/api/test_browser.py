"""The API docs page in a real browser with every request off this machine refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_works_offline(page, live_server) -> None:
    foreign: list[str] = []

    def only_local(route) -> None:  # type: ignore[no-untyped-def]
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_server.url}/api/v1/docs")
    title = page.locator(".swagger-ui .info .title")
    title.wait_for(timeout=15_000)
    assert "Evening Headlines API" in title.inner_text()
    page.locator(".opblock-tag-section").first.wait_for(timeout=15_000)
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/subscribers" in operations
    assert foreign == [], f"the docs page asked for: {foreign}"
