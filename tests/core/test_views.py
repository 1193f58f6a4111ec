import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_refuses_post() -> None:
    assert Client().post("/healthz").status_code == 405
