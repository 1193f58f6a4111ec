"""Each reader gets exactly the stories of their topics; readers of one topic set share a body."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from headlines.delivery import services
from headlines.delivery.segments import Segments
from headlines.digests.selectors import digest_get
from headlines.engagement.services import edition_tracking_set, reader_tracking_choose
from headlines.subscriptions.audience import audience_recipients
from headlines.subscriptions.models import Subscription
from tests.conftest import SMTPPeer
from tests.delivery import factories
from tests.delivery.topics import SETS, expected, got, seed_topics, topics_line

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_reader_gets_exactly_their_topics_stories(smtp_messenger: SMTPPeer) -> None:
    ed = factories.edition()
    ids = factories.readers(ed, 30)
    digest = factories.digest(ed)
    seed_topics(ed, digest, ids)
    topics_of = {
        s.subscriber.email: tuple(s.topics)
        for s in Subscription.objects.select_related("subscriber").filter(pk__in=ids)
    }
    assert set(topics_of.values()) == set(SETS)

    totals = services.delivery_send_now(digest_id=digest.pk)

    assert totals.sent == 30
    for address, topics in topics_of.items():
        (mail,) = smtp_messenger.to(address)
        text = mail.text()
        assert got(text) == expected(topics), (address, topics)
        assert topics_line(topics) in text if topics else "Your topics" not in text
        assert "[[" not in text + mail.html()
        assert any(got(text)), "nobody gets an empty email"
        first = (expected(topics)[0] or expected(topics)[1])[0]
        assert mail.message["Subject"] == f"{ed.name}: {first}"


def test_readers_of_one_topic_set_share_one_rendered_body() -> None:
    ed = factories.edition()
    ids = factories.readers(ed, 12)
    digest = factories.digest(ed)
    seed_topics(ed, digest, ids)
    segments = Segments(digest_get(digest_id=digest.pk))
    # Order and removed topics do not make a new segment.
    first = segments.template(("money", "world"))
    assert segments.template(("world", "money")) is first
    assert segments.template(("world", "money", "gone")) is first
    assert segments.template(("gone",)) is segments.whole
    assert len(segments.templates) == 2


def test_per_reader_parts_hold_in_every_segment_and_the_ledger_is_read_once() -> None:
    """Only readers who said yes get the open pixel, whatever their topics; who they are is
    read once a send (per topic set, it was the edition's whole engagement ledger again:
    1 s a segment at 500,000 readers)."""
    ed = factories.edition(privacy_url="https://news.example/privacy", privacy_version="2")
    ids = factories.readers(ed, 12)
    digest = factories.digest(ed)
    seed_topics(ed, digest, ids)
    edition_tracking_set(edition_id=ed.pk, per_reader=True, privacy_version="2")
    said_yes = set(ids[::2])
    for subscription_id in said_yes:
        reader_tracking_choose(subscription_id=subscription_id, yes=True)
    recipients = audience_recipients(subscription_ids=ids)
    segments = Segments(digest_get(digest_id=digest.pk))

    with CaptureQueriesContext(connection) as queries:
        bodies = {i: segments.template(r.topics).render(r).raw for i, r in recipients.items()}

    assert len(segments.templates) == len(SETS)
    assert not [q for q in queries if "consentevent" in q["sql"]]
    htmls = {
        i: message_from_bytes(raw, policy=policy.default).get_body(("html",)).get_content()  # type: ignore[union-attr]
        for i, raw in bodies.items()
    }
    assert {i for i, html in htmls.items() if "/r/open/" in html} == said_yes
