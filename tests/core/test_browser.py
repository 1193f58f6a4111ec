import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_browser_reaches_the_live_service(page, live_server) -> None:
    page.goto(f"{live_server.url}/healthz")
    assert '"status": "ok"' in page.content()
