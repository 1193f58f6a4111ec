"""Writes on digests. The state machine is draft → approved → sending → sent."""

from __future__ import annotations

from django.db import transaction

from headlines.core import clock
from headlines.core.errors import Conflict, NotFound
from headlines.digests.models import Digest

State = Digest.State


def _locked(digest_id: int) -> Digest:
    try:
        return Digest.objects.select_for_update().get(pk=digest_id)
    except Digest.DoesNotExist:
        raise NotFound(f"no digest {digest_id}") from None


@transaction.atomic
def digest_approve(*, digest_id: int, by: str = "") -> Digest:
    """Approve a draft for sending. Approving an approved digest changes nothing."""
    digest = _locked(digest_id)
    if digest.state == State.APPROVED:
        return digest
    if digest.state != State.DRAFT:
        raise Conflict(
            f"{digest} is {digest.get_state_display().lower()}; only a draft is approved"
        )
    if not digest.html or not digest.text:
        raise Conflict(f"{digest} has not been rendered; build it before approving")
    digest.state = State.APPROVED
    digest.approved_at = clock.now()
    digest.approved_by = by[:150]
    digest.save(update_fields=["state", "approved_at", "approved_by"])
    return digest


@transaction.atomic
def digest_mark_sending(*, digest_id: int) -> Digest:
    """Freeze an approved digest: from here on its content no longer changes."""
    digest = _locked(digest_id)
    if digest.state in (State.SENDING, State.SENT):
        return digest
    if digest.state != State.APPROVED:
        raise Conflict(f"{digest} must be approved before it is sent")
    digest.state = State.SENDING
    digest.sending_started_at = clock.now()
    digest.save(update_fields=["state", "sending_started_at"])
    return digest


@transaction.atomic
def digest_mark_sent(*, digest_id: int) -> Digest:
    digest = _locked(digest_id)
    if digest.state == State.SENT:
        return digest
    if digest.state != State.SENDING:
        raise Conflict(f"{digest} is not sending")
    digest.state = State.SENT
    digest.sent_at = clock.now()
    digest.save(update_fields=["state", "sent_at"])
    return digest
