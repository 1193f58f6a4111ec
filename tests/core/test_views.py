import pytest
from django.test import Client

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
