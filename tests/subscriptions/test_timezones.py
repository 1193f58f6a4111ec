import datetime as dt

import pytest

from headlines.core import clock
from headlines.subscriptions import links, timezones
from headlines.subscriptions.models import Subscription
from tests.subscriptions import factories
from tests.subscriptions.conftest import path_of

pytestmark = pytest.mark.django_db
WINTER = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def test_the_choice_is_a_short_list_of_places_by_region_with_their_offsets() -> None:
    clock.set_clock(clock.FixedClock(WINTER))
    choices = timezones.zone_choices(empty_label="The newsletter's own")
    groups = dict(choices[1:])
    assert list(groups) == [
        "Americas",
        "Europe",
        "Africa",
        "Asia",
        "Australia and Pacific",
        "Universal",
    ]
    options = dict(option for group in groups.values() for option in group)
    assert 50 < len(options) < 120  # not ~600 raw names
    assert not any(zone.startswith("Etc/") for zone in options)
    assert options["America/New_York"] == "New York (UTC\N{MINUS SIGN}5)"
    assert options["Asia/Kolkata"] == "Kolkata (UTC+5:30)"
    assert options["Australia/Sydney"] == "Sydney (UTC+11)"  # summer there in December
    americas = [zone for zone, _ in groups["Americas"]]
    assert americas.index("America/Los_Angeles") < americas.index("America/New_York")


def test_the_offsets_shown_change_on_the_minute_the_clocks_do() -> None:
    # The labelled list is made once a minute: one made before New York's clocks went back
    # must not be shown after (2026-11-01, 06:00 UTC).
    change = dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC)

    def new_york(at: dt.datetime) -> str:
        clock.set_clock(clock.FixedClock(at))
        groups = dict(timezones.zone_choices(empty_label="")[1:])
        return dict(groups["Americas"])["America/New_York"]

    assert new_york(change - dt.timedelta(seconds=1)) == "New York (UTC\N{MINUS SIGN}4)"
    assert new_york(change) == "New York (UTC\N{MINUS SIGN}5)"
    assert new_york(change - dt.timedelta(seconds=30)) == "New York (UTC\N{MINUS SIGN}4)"
    later = change + dt.timedelta(seconds=59)
    assert new_york(later) == "New York (UTC\N{MINUS SIGN}5)"
    assert timezones.zone_choices(empty_label="") == timezones.zone_choices(empty_label="")


def test_a_zone_outside_the_list_is_kept_and_shown(client, edition) -> None:
    subscription = factories.confirmed(edition)
    url = path_of(links.preferences_url(subscription.pk))
    data = {"action": "save", "editions": [edition.pk], "timezone": "America/Boise"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert Subscription.objects.get().timezone == "America/Boise"
    page = client.get(url).content.decode()
    assert '<optgroup label="Your current choice">' in page
    assert '<option value="America/Boise" selected>' in page


@pytest.mark.parametrize("zone", ["Etc/GMT+5", "Europe/London"])
def test_every_valid_zone_is_accepted(client, edition, zone) -> None:
    subscription = factories.confirmed(edition)
    url = path_of(links.preferences_url(subscription.pk))
    client.post(url, {"action": "save", "editions": [edition.pk], "timezone": zone})
    assert Subscription.objects.get().timezone == zone


@pytest.mark.parametrize("zone", ["Factory", "localtime", "right/Europe/London"])
def test_a_zone_that_is_no_place_is_refused_and_the_choice_kept(client, edition, zone) -> None:
    subscription = factories.confirmed(edition)
    Subscription.objects.filter(pk=subscription.pk).update(timezone="Europe/London")
    url = path_of(links.preferences_url(subscription.pk))
    response = client.post(url, {"action": "save", "editions": [edition.pk], "timezone": zone})
    # Refused as an unknown zone is: the form again, with the field's error.
    assert response.status_code == 400
    assert f"{zone} is not one of the available choices" in response.content.decode()
    assert Subscription.objects.get().timezone == "Europe/London"
