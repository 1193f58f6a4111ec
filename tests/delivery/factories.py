"""Delivery's own test data: editions, confirmed readers and approved digests, made directly."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from headlines.core import clock
from headlines.core.dkim import DKIMKey, load_key
from headlines.core.models import Edition
from headlines.delivery.models import Delivery
from headlines.digests.models import PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, Digest
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import Subscriber, Subscription
from tests import factories

_seq = itertools.count(1)


def edition(**overrides: Any) -> Edition:
    fields: dict[str, Any] = {"from_address": "desk@news.example", "timezone": "Europe/London"}
    fields.update(overrides)
    return factories.edition(**fields)


def reader(
    ed: Edition, *, email: str | None = None, status: str = "confirmed", **fields: Any
) -> Subscription:
    address = email or f"reader{next(_seq)}@example.org"
    subscriber = Subscriber.objects.create(email=address, email_hash=email_hash(address))
    return Subscription.objects.create(
        subscriber=subscriber,
        edition=ed,
        status=status,
        confirmed_at=clock.now() if status == "confirmed" else None,
        **fields,
    )


def readers(ed: Edition, count: int, *, prefix: str = "r") -> list[int]:
    """`count` confirmed readers made in bulk (thousands in a second); returns their ids."""
    tag = next(_seq)
    addresses = [f"{prefix}{tag}-{n}@example.org" for n in range(count)]
    Subscriber.objects.bulk_create(
        [Subscriber(email=a, email_hash=email_hash(a)) for a in addresses], batch_size=2000
    )
    people = Subscriber.objects.filter(email__in=addresses).values_list("id", flat=True)
    Subscription.objects.bulk_create(
        [
            Subscription(subscriber_id=p, edition=ed, status="confirmed", confirmed_at=clock.now())
            for p in people.iterator()
        ],
        batch_size=2000,
    )
    return list(
        Subscription.objects.filter(edition=ed, subscriber__email__in=addresses).values_list(
            "id", flat=True
        )
    )


TEXT = (
    "Tonight's stories.\n\n"
    f"Unsubscribe: {UNSUBSCRIBE_PLACEHOLDER}\nPreferences: {PREFERENCES_PLACEHOLDER}\n"
)
HTML = (
    "<html><body><h1>Evening Headlines</h1><p>Caf\u00e9 talks resume.</p>"
    f'<p><a href="{UNSUBSCRIBE_PLACEHOLDER}">Unsubscribe</a> · '
    f'<a href="{PREFERENCES_PLACEHOLDER}">Preferences</a></p></body></html>'
)


def digest(
    ed: Edition, *, day: dt.date | None = None, state: str = "approved", **fields: Any
) -> Digest:
    values: dict[str, Any] = {
        "subject": f"{ed.name}: tonight's news",
        "text": TEXT,
        "html": HTML,
        "state": state,
        "built_at": clock.now(),
    }
    values.update(fields)
    return Digest.objects.create(edition=ed, date=day or dt.date(2026, 11, 25), **values)


def ledger_row(digest: Digest, subscription: Subscription, **fields: Any) -> Delivery:
    """One delivery in the digest's ledger, queued and due now unless `fields` say otherwise."""
    now = clock.now()
    values: dict[str, Any] = {"next_attempt_at": now, "deadline": now + dt.timedelta(hours=3)}
    values.update(fields)
    return Delivery.objects.create(digest=digest, subscription=subscription, **values)


def dkim_pem(kind: str) -> bytes:
    """A fresh private key of `kind` ("rsa", RSA-2048, or "ed25519") as a key file holds it."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    private = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ed25519.Ed25519PrivateKey.generate()
    )
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def dkim_key(kind: str, *, selector: str = "s1", domain: str = "news.example") -> DKIMKey:
    """A fresh signing key of `kind`, loaded as a configured key file is."""
    return load_key(selector=selector, domain=domain, pem=dkim_pem(kind))
