"""The transactional emails of sign-up: confirm, welcome, already subscribed.

Each is a plain-text part and a simple HTML part rendered from templates; every reader-supplied
value is escaped in the HTML by Django's autoescaping, and every header goes through
`core.mail.build_message`, which refuses line breaks.
"""

from __future__ import annotations

import logging
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from headlines.core.mail import (
    SendResult,
    build_message,
    format_address,
    send_message,
    sender_address,
)
from headlines.core.models import Edition
from headlines.subscriptions import links, wording
from headlines.subscriptions.hashing import without_addresses
from headlines.subscriptions.models import Subscription
from headlines.subscriptions.selectors import is_suppressed, subscription_next_digest_at

log = logging.getLogger(__name__)


def sender_of(edition: Edition) -> str:
    """The From of the edition's digests (delivery.message): its sender name at its address,
    else HEADLINES_MAIL_FROM's address. The whole HEADLINES_MAIL_FROM was used, so an edition
    without an address of its own had its confirmation come from the installation's name
    ("Evening Headlines") and its digests from the edition's ("US Evening Headlines")."""
    return format_address(edition.from_name or edition.name, sender_address(edition))


def _send(
    subscription: Subscription,
    *,
    template: str,
    subject: str,
    context: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> SendResult | None:
    email = subscription.subscriber.email
    if is_suppressed(email=email):
        log.info("not sending %s to a suppressed address", template)
        return None
    edition = subscription.edition
    context = {"edition": edition, "email": email, "wording": wording, **context}
    message = build_message(
        from_addr=sender_of(edition),
        to=email,
        subject=subject,
        text=render_to_string(f"subscriptions/email/{template}.txt", context),
        html=render_to_string(f"subscriptions/email/{template}.html", context),
        reply_to=edition.reply_to or None,
        headers=headers,
    )
    # Delivery imports this app: imported here, not at the top, to keep the import one-way.
    from headlines.delivery.message import transactional_envelope

    envelope = transactional_envelope(
        subscription_id=subscription.pk, from_address=parseaddr(str(message["From"]))[1]
    )
    result = send_message(message, envelope_from=envelope)
    if not result.accepted:
        # The relay's words often name the address: the log says which subscription instead.
        reply = without_addresses(f"{result.code} {result.reply}")
        log.warning("%s to subscription %s refused: %s", template, subscription.pk, reply)
        _bounce_if_about_the_reader(email, result)
    return result


def _bounce_if_about_the_reader(email: str, result: SendResult) -> None:
    """A 5xx at send time about the reader (no such user) is a hard bounce, as a digest's is:
    it was only logged, and a mistyped address was mailed again at each sign-up. A full
    mailbox is a soft one, as a digest's is."""
    from headlines.delivery.bounces import bounce_note
    from headlines.delivery.channels import Verdict, judge

    verdict = judge(result).verdict
    kinds = {Verdict.REFUSED_READER: "hard", Verdict.SOFT_BOUNCE: "soft"}
    if verdict in kinds:
        reply = f"{result.code} {result.reply}"
        bounce_note(email=email, kind=kinds[verdict], delivery_id=None, detail=reply)


def send_confirmation(subscription: Subscription) -> SendResult | None:
    days = settings.CONFIG["HEADLINES_CONFIRM_MAX_AGE_DAYS"]
    return _send(
        subscription,
        template="confirm",
        subject=f"Please confirm your {subscription.edition.name} email",
        context={"confirm_url": links.confirm_url(subscription.pk), "days": days},
    )


def _list_headers(subscription: Subscription, unsubscribe: str) -> dict[str, str]:
    """What a confirmed reader's mail carries (RFC 2369, RFC 8058), so the mail app's own
    "Unsubscribe" works: the welcome and the "already subscribed" email alike."""
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if subscription.edition.list_id:
        headers["List-Id"] = f"<{subscription.edition.list_id}>"
    return headers


def send_welcome(subscription: Subscription) -> SendResult | None:
    unsubscribe = links.unsubscribe_url(subscription.pk)
    return _send(
        subscription,
        template="welcome",
        subject=f"Welcome to {subscription.edition.name}",
        context={
            "unsubscribe_url": unsubscribe,
            "preferences_url": links.preferences_url(subscription.pk),
            # The real moment, by delivery's own rule, in the reader's zone: "this evening"
            # was wrong for a reader who confirms after the send hour.
            "first_digest": wording.first_digest(
                subscription_next_digest_at(subscription=subscription),
                subscription.timezone or subscription.edition.timezone,
            ),
        },
        headers=_list_headers(subscription, unsubscribe),
    )


def send_already_subscribed(subscription: Subscription) -> SendResult | None:
    unsubscribe = links.unsubscribe_url(subscription.pk)
    return _send(
        subscription,
        template="already",
        subject=f"You are already subscribed to {subscription.edition.name}",
        context={
            "unsubscribe_url": unsubscribe,
            "preferences_url": links.preferences_url(subscription.pk),
        },
        headers=_list_headers(subscription, unsubscribe),
    )
