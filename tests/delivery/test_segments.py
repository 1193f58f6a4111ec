"""Each reader gets exactly the stories of their topics; readers of one topic set share a body."""

from __future__ import annotations

import pytest

from headlines.delivery import services
from headlines.delivery.segments import Segments
from headlines.digests.selectors import digest_get
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
