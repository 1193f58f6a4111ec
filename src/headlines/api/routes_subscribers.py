"""Subscribers: sign up (double opt-in or a confirmed import), read, unsubscribe, export, erase.

Every route calls the same services as the sign-up form, the CSV import and the preferences
page; the consent ledger records the API as the source.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.decorators import decorate_view
from ninja.errors import ValidationError

from headlines.api.edge import ERRORS, audited, note_target
from headlines.api.schemas import (
    Accepted,
    Done,
    EmailIn,
    Error,
    SignupIn,
    SubscriberOut,
    UnsubscribeIn,
)
from headlines.core.errors import InvalidInput
from headlines.core.selectors import edition_get
from headlines.subscriptions import preferences, selectors, services
from headlines.subscriptions.hashing import email_hash
from headlines.subscriptions.models import ConsentEvent, Subscriber

router = Router(tags=["subscribers"])
API = ConsentEvent.Source.API
ACCEPTED = (
    "If the address can receive mail, a confirmation email is on its way; the reader is "
    "subscribed once they confirm."
)

# Only a confirmed import stores these; a double opt-in sent with them dropped them and answered
# 202 (a reader's zone, sent along by a CMS, was never kept). Refused instead, as a typo is.
IMPORT_ONLY = ("consent_source", "consent_at", "name", "timezone")


def _target(email: str) -> str:
    # The audit trail keeps the address's keyed hash, not the address: erasure must not leave it.
    return f"subscriber {email_hash(email)[:16]}"


def _subscriber_out(subscriber: Subscriber) -> dict[str, Any]:
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "marketing": subscriber.marketing,
        "created_at": subscriber.created_at,
        "subscriptions": [
            {
                "edition": s.edition.slug,
                "status": s.status,
                "timezone": s.timezone,
                "send_hour": s.send_hour,
                "created_at": s.created_at,
                "confirmed_at": s.confirmed_at,
                "unsubscribed_at": s.unsubscribed_at,
            }
            for s in subscriber.subscriptions.select_related("edition").order_by("id")
        ],
    }


@router.post("/subscribers", response={202: Accepted, 201: SubscriberOut, ERRORS: Error})
@decorate_view(audited("subscriber.create"))
def subscribers_create(request: HttpRequest, payload: SignupIn) -> Status[Any]:
    """Without `confirmed`: double opt-in, exactly as the sign-up form (the same answer whatever
    the address's history). With `confirmed: true`: a reader who consented elsewhere, imported
    confirmed as by the CSV import."""
    note_target(
        request, _target(payload.email) + (f" via {payload.source}" if payload.source else "")
    )
    edition = edition_get(slug=payload.edition)
    if not payload.confirmed:
        _refuse_import_only(payload)
        services.subscription_request(
            email=payload.email,
            edition_id=edition.pk,
            marketing=payload.marketing,
            source=API,
            topics=payload.topics,
        )
        return Status(202, {"status": "accepted", "message": ACCEPTED})
    if payload.consent_at is None:
        raise InvalidInput("a confirmed import needs consent_at", field="consent_at")
    subscription = services.subscription_import_confirmed(
        email=payload.email,
        edition_id=edition.pk,
        consent_source=payload.consent_source,
        consent_at=payload.consent_at,
        marketing=payload.marketing,
        timezone=payload.timezone,
        name=payload.name,
        topics=payload.topics,
    )
    return Status(201, _subscriber_out(subscription.subscriber))


def _refuse_import_only(payload: SignupIn) -> None:
    given = [name for name in IMPORT_ONLY if getattr(payload, name)]
    if given:
        raise ValidationError(
            [
                {
                    "loc": ["body", name],
                    "msg": f"{name} is taken only with confirmed: true (a reader who consented "
                    "elsewhere); a double opt-in does not store it",
                    "type": "invalid",
                }
                for name in given
            ]
        )


@router.get("/subscribers", response={200: SubscriberOut, ERRORS: Error})
def subscribers_read(
    request: HttpRequest,
    email: str = Query(..., min_length=3, max_length=320, description="The reader's address."),
) -> dict[str, Any]:
    """One reader and their subscriptions, by address."""
    return _subscriber_out(selectors.subscriber_find(email=email))


@router.post("/subscribers/unsubscribe", response={200: Done, ERRORS: Error})
@decorate_view(audited("subscriber.unsubscribe"))
def subscribers_unsubscribe(request: HttpRequest, payload: UnsubscribeIn) -> dict[str, str]:
    note_target(request, _target(payload.email))
    edition = edition_get(slug=payload.edition)
    subscription = selectors.subscription_find(email=payload.email, edition_id=edition.pk)
    services.subscription_unsubscribe(subscription_id=subscription.pk, source=API)
    return {"status": "unsubscribed", "message": f"No more {edition.name} for this reader."}


@router.post("/subscribers/export", response={200: dict[str, Any], ERRORS: Error})
@decorate_view(audited("subscriber.export"))
def subscribers_export(request: HttpRequest, payload: EmailIn) -> dict[str, Any]:
    """Everything held about one reader (what the preferences page's export gives them)."""
    note_target(request, _target(payload.email))
    subscriber = selectors.subscriber_find(email=payload.email)
    return selectors.subscriber_export(subscriber_id=subscriber.pk)


@router.post("/subscribers/erase", response={200: Done, ERRORS: Error})
@decorate_view(audited("subscriber.erase"))
def subscribers_erase(request: HttpRequest, payload: EmailIn) -> dict[str, str]:
    """Delete the reader; a hashed suppression and the consent ledger (hash only) remain."""
    note_target(request, _target(payload.email))
    subscriber = selectors.subscriber_find(email=payload.email)
    preferences.subscriber_erase(subscriber_id=subscriber.pk, source=API)
    return {"status": "erased", "message": "The reader's data is erased."}
