from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from headlines.core.models import Edition
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    user = User.objects.create_superuser("ed", "ed@newsroom.example", "pw-long-enough-123")
    client.force_login(user)
    return client


def edition_form(**changes: str) -> dict[str, Any]:
    """The admin's edition form as a new edition's page fills it, with `changes` typed in."""
    return {
        "slug": "test",
        "name": "Test Evening Headlines",
        "language": "en",
        "timezone": "UTC",
        "send_at": "18:00",
        "privacy_version": "1",
        "review_window_minutes": "120",
        "max_stories": "10",
        "channel": "",
        **changes,
    }


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        (
            {"timezone": "Europe/Londn"},
            "Unknown time zone &#x27;Europe/Londn&#x27;; use an IANA name such as Europe/London.",
        ),
        ({"timezone": "Europe"}, "Unknown time zone &#x27;Europe&#x27;"),
        (
            {"slug": "news_desk"},
            "Slug &#x27;news_desk&#x27; must be lower-case letters, digits and hyphens",
        ),
        ({"name": "Test\x07 Headlines"}, "Name must be 1 to 120 printable characters."),
        ({"from_name": "The Desk\x1b[2J"}, "From name must be 1 to 120 printable characters."),
        ({"from_name": "Desk\x9b2J"}, "From name must be 1 to 120 printable characters."),
        ({"list_id": "us headlines"}, "must be a List-Id as RFC 2919 has it"),
        ({"list_id": "us.headlines.example.com\nBcc: x@y.example"}, "must be a List-Id"),
        ({"list_id": "headlines"}, "must be a List-Id"),
        ({"list_id": "us.bücher.example"}, "must be a List-Id"),
        ({"list_id": "us." + "a" * 190 + ".example"}, "at most 200 characters"),
    ],
)
def test_an_edition_the_command_line_refuses_is_refused_in_the_admin_too(
    staff: Client, changes: dict[str, str], error: str
) -> None:
    response = staff.post("/admin/core/edition/add/", edition_form(**changes))
    assert response.status_code == 200  # the form again, with the field's error
    assert error in response.content.decode()
    assert not Edition.objects.exists()


def test_a_from_name_and_list_id_the_rules_allow_are_stored(staff: Client) -> None:
    form = edition_form(from_name="  The   Evening Desk ", list_id="<us.news.example.com>")
    assert staff.post("/admin/core/edition/add/", form).status_code == 302
    edition = Edition.objects.get()
    assert (edition.from_name, edition.list_id) == ("The Evening Desk", "us.news.example.com")


def test_a_misspelt_time_zone_is_refused_when_an_edition_is_changed(staff: Client) -> None:
    edition = factories.edition(slug="us", timezone="America/New_York")
    form = edition_form(slug="us", name=edition.name, timezone="America/NewYork")
    response = staff.post(f"/admin/core/edition/{edition.pk}/change/", form)
    assert "Unknown time zone &#x27;America/NewYork&#x27;" in response.content.decode()
    edition.refresh_from_db()
    assert edition.timezone == "America/New_York"


def test_an_edition_added_in_the_admin_is_stored_as_edition_add_stores_it(staff: Client) -> None:
    form = edition_form(slug="Test", name="  Test   Evening Headlines ", timezone=" Europe/Paris")
    response = staff.post("/admin/core/edition/add/", form)
    assert response.status_code == 302
    edition = Edition.objects.get()
    assert (edition.slug, edition.name, edition.timezone) == (
        "test",
        "Test Evening Headlines",
        "Europe/Paris",
    )


def test_an_edition_sends_at_least_one_story(staff: Client) -> None:
    response = staff.post("/admin/core/edition/add/", edition_form(max_stories="0"))
    assert "A digest holds at least 1 story." in response.content.decode()
    assert not Edition.objects.exists()
