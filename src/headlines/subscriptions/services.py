"""Writes on subscribers, subscriptions, consent and suppressions (one transaction each)."""

from __future__ import annotations

from django.db import transaction

from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import Suppression


@transaction.atomic
def suppression_add(*, email: str, reason: str, detail: str = "") -> Suppression:
    """Never mail `email` again. Idempotent: a second call keeps the first reason."""
    if reason not in Suppression.Reason.values:
        raise ValueError(f"unknown suppression reason {reason!r}")
    suppression, _ = Suppression.objects.get_or_create(
        email_hash=email_hash(email), defaults={"reason": reason, "detail": detail[:2000]}
    )
    return suppression
