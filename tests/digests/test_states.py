import datetime as dt

import pytest

from headlines.core.errors import Conflict
from headlines.digests import services
from headlines.digests.models import Digest
from tests import factories

pytestmark = pytest.mark.django_db


def rendered_digest() -> Digest:
    return Digest.objects.create(
        edition=factories.edition(),
        date=dt.date(2026, 11, 25),
        subject="s",
        html="<p>h</p>",
        text="t",
    )


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
