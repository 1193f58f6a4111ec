"""Readers choose topics: on the preferences page and in the CSV import."""

from __future__ import annotations

import pytest
from django.test import Client

from headlines.core.errors import InvalidInput
from headlines.stories.topics import topic_add
from headlines.subscriptions import choices, csvfiles, links
from headlines.subscriptions.models import Subscription
from tests.subscriptions import factories
from tests.subscriptions.conftest import path_of

pytestmark = pytest.mark.django_db
HEADER = "email,consent_source,consent_at,topics\n"


@pytest.fixture
def topics(edition) -> None:
    topic_add(edition=edition.slug, slug="world", name="World")
    topic_add(edition=edition.slug, slug="money", name="Money")


def test_the_preferences_page_offers_and_saves_topics(client: Client, edition, topics) -> None:
    subscription = factories.confirmed(edition)
    url = path_of(links.preferences_url(subscription.pk))
    page = client.get(url).content.decode()
    assert "US Evening Headlines: World" in page and "US Evening Headlines: Money" in page
    response = client.post(
        url,
        {
            "action": "save",
            "editions": [str(edition.pk)],
            "topics": [f"{edition.pk}:money", f"{edition.pk}:world"],
        },
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.topics == ["world", "money"]  # the editor's order
    # Unticking every topic means the whole digest again.
    client.post(url, {"action": "save", "editions": [str(edition.pk)]})
    subscription.refresh_from_db()
    assert subscription.topics == []


@pytest.mark.parametrize("value", ["999:world", "{pk}:weather", "world", "{pk}:", "<script>"])
def test_a_forged_topic_is_refused_and_nothing_changes(
    client: Client, edition, topics, value: str
) -> None:
    subscription = factories.confirmed(edition)
    choices.subscription_topics_set(subscription_id=subscription.pk, topics=["money"])
    url = path_of(links.preferences_url(subscription.pk))
    response = client.post(
        url,
        {"action": "save", "editions": [str(edition.pk)], "topics": [value.format(pk=edition.pk)]},
    )
    assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.topics == ["money"]


def test_a_topic_of_a_newsletter_the_reader_does_not_get_is_not_saved_as_if_it_were(
    client: Client, edition, uk
) -> None:
    # The page lists every newsletter's topics: a US reader who ticks "UK …: Sport" without the
    # UK email was told "Your preferences are saved." and found the box empty again.
    topic_add(edition=uk.slug, slug="sport", name="Sport")
    subscription = factories.confirmed(edition)
    url = path_of(links.preferences_url(subscription.pk))
    response = client.post(
        url,
        {
            "action": "save",
            "editions": [str(edition.pk)],
            "timezone": "Europe/Paris",
            "topics": [f"{uk.pk}:sport"],
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Your preferences are saved." not in page
    assert "tick “Send me the UK Evening Headlines email.” too" in page
    subscription.refresh_from_db()
    assert (subscription.timezone, subscription.topics) == ("", [])  # nothing changed
    assert not Subscription.objects.filter(edition=uk).exists()
    # Ticked with its newsletter, the topic is kept.
    client.post(
        url,
        {"action": "save", "editions": [str(edition.pk), str(uk.pk)], "topics": [f"{uk.pk}:sport"]},
    )
    assert Subscription.objects.get(edition=uk).topics == ["sport"]


def test_the_service_refuses_unknown_topics(edition, topics) -> None:
    subscription = factories.confirmed(edition)
    with pytest.raises(InvalidInput, match="unknown topic weather"):
        choices.subscription_topics_set(subscription_id=subscription.pk, topics=["weather"])


def test_the_import_reads_a_topics_column(edition, topics) -> None:
    known = factories.confirmed(edition)
    text = (
        HEADER
        + "ann@example.com,website,2024-05-01T09:30:00Z,money;world\n"  # 2
        + "bob@example.com,website,2024-05-01T09:30:00Z,\n"  # 3: the whole digest
        + "cat@example.com,website,2024-05-01T09:30:00Z,weather\n"  # 4: unknown
        + "dan@example.com,website,2024-05-01T09:30:00Z, MONEY ; \n"  # 5
        + f"{known.subscriber.email},website,2024-05-01T09:30:00Z,world\n"  # 6: known reader
    )
    report = csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    assert report.imported == 4
    assert [(line, "weather" in reason) for line, reason in report.bad] == [(4, True)]
    chosen = dict(
        Subscription.objects.filter(edition=edition).values_list("subscriber__email", "topics")
    )
    assert chosen == {
        "ann@example.com": ["world", "money"],
        "bob@example.com": [],
        "dan@example.com": ["money"],
        known.subscriber.email: ["world"],
    }


def test_an_import_without_the_column_leaves_choices_alone(edition, topics) -> None:
    known = factories.confirmed(edition)
    choices.subscription_topics_set(subscription_id=known.pk, topics=["money"])
    text = (
        "email,consent_source,consent_at\n" + f"{known.subscriber.email},web,2024-05-01T09:30:00Z\n"
    )
    csvfiles.subscribers_import_csv(text=text, edition_slug="us")
    known.refresh_from_db()
    assert known.topics == ["money"]
