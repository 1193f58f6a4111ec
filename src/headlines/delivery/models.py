"""The delivery ledger: one row per (digest, subscription), advanced only on the relay's reply."""

from __future__ import annotations

from django.db import models

from headlines.core.fields import ClockDateTimeField
from headlines.digests.models import Digest


class Delivery(models.Model):
    """One digest to one subscription.

    queued → sending (claimed under a lease) → sent | deferred (4xx, retried) | failed (5xx or
    retries past the deadline) | suppressed (suppressed address or no longer subscribed) |
    skipped (the reader's window passed before it could go out).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DEFERRED = "deferred", "Deferred"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Suppressed"
        SKIPPED = "skipped", "Skipped (outside the window)"

    # No index of its own: the unique (digest, subscription) and the claim index lead with it.
    digest = models.ForeignKey(
        Digest, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    subscription = models.ForeignKey(
        "subscriptions.Subscription", on_delete=models.CASCADE, related_name="deliveries"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    next_attempt_at = models.DateTimeField(help_text="Not claimed before this (due time, backoff).")
    deadline = models.DateTimeField(help_text="Not sent after this: skipped or failed instead.")
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_owner = models.CharField(
        max_length=64, blank=True, help_text="The sender holding it, or that last held it."
    )
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_reply = models.TextField(blank=True)
    relay = models.CharField(max_length=200, blank=True)
    message_id = models.CharField(max_length=250, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = ClockDateTimeField(auto_now_add=True)
    updated_at = ClockDateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["digest", "subscription"], name="one_delivery_per_digest_subscription"
            )
        ]
        indexes = [
            # Claims: a digest's rows in one state that are due, as an index range scan (a
            # million sent rows are never walked to find the next queued one).
            models.Index(fields=["digest", "state", "next_attempt_at"], name="delivery_claim"),
            # Progress: the send rate over the last minute.
            models.Index(fields=["digest", "state", "sent_at"], name="delivery_rate"),
        ]

    def __str__(self) -> str:
        return f"digest {self.digest_id} → subscription {self.subscription_id}: {self.state}"


class BounceEvent(models.Model):
    """A bounce or complaint received for an address (kept as a keyed hash)."""

    class Kind(models.TextChoices):
        HARD = "hard", "Hard bounce"
        SOFT = "soft", "Soft bounce"
        COMPLAINT = "complaint", "Complaint"

    email_hash = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    delivery = models.ForeignKey(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="bounces"
    )
    detail = models.TextField(blank=True)
    created_at = ClockDateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.email_hash[:12]}…"


class DigestDelivery(Digest):
    """A digest as the delivery desk sees it: its progress (admin only; no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "digest delivery"
        verbose_name_plural = "digest deliveries"
