"""Readers for tests, made through the services as the import would make them."""

from __future__ import annotations

import datetime as dt
import itertools

from headlines.core.models import Edition
from headlines.subscriptions.models import Subscription
from headlines.subscriptions.services import subscription_import_confirmed

_seq = itertools.count(1)


def confirmed(edition: Edition, *, email: str = "", marketing: bool = False) -> Subscription:
    return subscription_import_confirmed(
        email=email or f"reader{next(_seq)}@example.com",
        edition_id=edition.pk,
        consent_source="test list",
        consent_at=dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC),
        marketing=marketing,
    )
