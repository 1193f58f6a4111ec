"""Reads on subscribers, subscriptions and suppressions: the public face other apps call."""

from __future__ import annotations

from django.db.models import QuerySet

from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import Subscription, Suppression


def is_suppressed(*, email: str) -> bool:
    return Suppression.objects.filter(email_hash=email_hash(email)).exists()


def subscriptions_confirmed(*, edition_id: int) -> QuerySet[Subscription]:
    """Every confirmed subscription of an edition, with its subscriber, in id order."""
    return (
        Subscription.objects.filter(edition_id=edition_id, status=Subscription.Status.CONFIRMED)
        .select_related("subscriber", "edition")
        .order_by("id")
    )
