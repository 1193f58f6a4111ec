import datetime as dt

import pytest

from headlines.core.errors import Conflict
from headlines.digests import services
from headlines.digests.models import Digest, DigestItem
from tests import factories

pytestmark = pytest.mark.django_db


def rendered_digest(*, stories: int = 1) -> Digest:
    digest = Digest.objects.create(
        edition=factories.edition(),
        date=dt.date(2026, 11, 25),
        subject="s",
        html="<p>h</p>",
        text="t",
    )
    for n in range(stories):
        DigestItem.objects.create(digest=digest, position=n, headline=f"Story {n}")
    return digest


def test_a_digest_goes_draft_approved_sending_sent() -> None:
    digest = rendered_digest()
    assert services.digest_approve(digest_id=digest.pk, by="ed").state == Digest.State.APPROVED
    assert services.digest_mark_sending(digest_id=digest.pk).state == Digest.State.SENDING
    sent = services.digest_mark_sent(digest_id=digest.pk)
    assert sent.state == Digest.State.SENT and sent.sent_at is not None


def test_no_skipping_states() -> None:
    digest = rendered_digest()
    with pytest.raises(Conflict, match="approved"):
        services.digest_mark_sending(digest_id=digest.pk)
    unrendered = Digest.objects.create(edition=digest.edition, date=dt.date(2026, 11, 26))
    with pytest.raises(Conflict, match="rendered"):
        services.digest_approve(digest_id=unrendered.pk)
    digest.refresh_from_db()
    assert digest.state == Digest.State.DRAFT


def test_a_digest_without_a_story_to_send_is_never_approved() -> None:
    empty = rendered_digest(stories=0)
    with pytest.raises(Conflict, match="no stories to send"):
        services.digest_approve(digest_id=empty.pk, by="ed")
    dropped = rendered_digest()
    dropped.items.update(dropped=True)  # the editor dropped every story
    with pytest.raises(Conflict, match="no stories to send"):
        services.digest_approve(digest_id=dropped.pk, by="ed")
    for digest in (empty, dropped):
        digest.refresh_from_db()
        assert digest.state == Digest.State.DRAFT and digest.approved_at is None


def test_a_digest_of_an_edition_that_sends_no_story_is_never_approved() -> None:
    digest = rendered_digest(stories=3)
    # As the admin's Editions page stored it before it asked for at least 1: every story was
    # a reserve one, and the email said "No stories made tonight's digest".
    type(digest.edition).objects.filter(pk=digest.edition_id).update(max_stories=0)
    with pytest.raises(Conflict, match="no stories to send"):
        services.digest_approve(digest_id=digest.pk, by="ed")
    digest.refresh_from_db()
    assert digest.state == Digest.State.DRAFT
