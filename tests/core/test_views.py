import pytest
from django.test import Client, RequestFactory
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_refuses_post() -> None:
    assert Client().post("/healthz").status_code == 405


def test_the_favicon_is_served_to_every_page_including_the_admin() -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and b"</svg>" in response.content
    assert Client().post("/favicon.ico").status_code == 405


@pytest.mark.parametrize(
    "path", ["/archive/nowhere/", "/archive/us/2099-01-01/", "/no-such-page/<script>x</script>"]
)
def test_a_missing_page_says_so_and_offers_a_way_on(path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 404
    page = response.content.decode()
    assert "<title>Page not found · Evening Headlines</title>" in page
    assert '<a href="/archive/">Read past digests</a>' in page and '<a href="/">' in page
    assert "<script>x" not in page


def test_a_fault_gets_a_plain_page_that_needs_nothing_from_the_request() -> None:
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page and "nothing you did caused it" in page
