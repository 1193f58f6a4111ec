"""A script reading the API gets JSON `{"detail": …}` for every refusal, even those Django or
django-ninja write before any API view runs (an unknown path, a wrong method, a server error)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import Api

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_is_a_json_404(api: Api) -> None:
    response = api.get("/editionz")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "/api/v1/docs" in response.json()["detail"]


@pytest.mark.parametrize("method", ["delete", "put", "patch", "options"])
def test_a_method_a_path_does_not_take_is_a_json_405_naming_the_allowed_ones(
    client: Client, token: str, method: str
) -> None:
    response = getattr(client, method)("/api/v1/editions", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Content-Type"].startswith("application/json")
    detail = f"{method.upper()} is not allowed here; allowed: GET, HEAD"
    assert response.json()["detail"] == detail


@pytest.mark.parametrize(
    "path", ["/editions", "/editions/us", "/digests?edition=us", "/sources", "/openapi.json"]
)
def test_head_is_answered_wherever_get_is_with_the_same_status_and_headers(
    client: Client, token: str, edition, path: str
) -> None:
    # RFC 9110 9.3.2: a monitor's or link checker's HEAD of /api/v1/editions got 405.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    get = client.get("/api/v1" + path, **auth)
    head = client.head("/api/v1" + path, **auth)
    assert get.status_code == 200
    assert head.status_code == 200 and head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert head["Content-Length"] == get["Content-Length"]


def test_head_without_a_token_is_refused_as_get_is(client: Client, edition) -> None:
    response = client.head("/api/v1/editions")
    assert response.status_code == 401
    assert "WWW-Authenticate" in response


def test_head_of_a_path_that_only_takes_post_is_still_405(client: Client, token: str) -> None:
    response = client.head("/api/v1/sources/wire/disable", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405
    assert "GET" not in response["Allow"] and "HEAD" not in response["Allow"]


def test_a_request_django_refuses_before_the_api_is_json_too(
    client: Client, token: str, settings
) -> None:
    settings.ALLOWED_HOSTS = ["news.example"]
    response = client.get(
        "/api/v1/editions", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="elsewhere.example"
    )
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Bad Request"}


def test_pages_outside_the_api_keep_their_html(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
