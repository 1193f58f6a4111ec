"""An address holding a NUL character is refused with 400 before any view runs: PostgreSQL
refuses NUL in a query, so an admin filter such as `?language=%00` was a server error there."""

import pytest

pytestmark = pytest.mark.django_db

NUL_ADDRESSES = [
    "/admin/subscriptions/subscriber/?email__exact=%00",  # a 500 on PostgreSQL before
    "/admin/intake/article/?language=%00",  # a 500 on PostgreSQL before
    "/admin/subscriptions/subscriber/?q=a%00b",
    "/admin/intake/article/?source__id__exact=%00",
    "/admin/subscriptions/subscriber/%00/change/",
    "/archive/us/%00/",
    "/signup/us/?next=%00",
    "/admin/login/?next=%00",
]


@pytest.mark.parametrize("path", NUL_ADDRESSES)
def test_an_address_with_a_nul_is_a_bad_request(admin_client, path) -> None:
    response = admin_client.get(path)
    assert response.status_code == 400
    assert b"NUL" in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/admin/intake/article/?language=en",
        "/admin/subscriptions/subscriber/?q=%2500",  # a percent sign and two zeros: no NUL
        "/healthz",
    ],
)
def test_addresses_without_one_are_served(admin_client, path) -> None:
    assert admin_client.get(path).status_code == 200


def test_the_api_refuses_it_as_it_answers_every_error(client) -> None:
    response = client.get("/api/v1/stories?date=%00")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "NUL" in response.json()["detail"]
