from __future__ import annotations

import datetime as dt

from django.db import models

from headlines.core.fields import ClockDateTimeField
from headlines.core.urls import masked_url


class Endpoint(models.Model):
    """A receiver of signed webhooks, and the events it wants."""

    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="Event types this endpoint receives.")
    secret = models.CharField(
        max_length=100, help_text="Standard Webhooks signing secret (whsec_…)."
    )
    # After a rotation the secret it replaced still signs each message beside the new one (a
    # second `v1,…` in webhook-signature) until `previous_secret_until`, so a receiver can take
    # the new secret at its own pace without refusing a single event.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(
        "old secret also signs until",
        null=True,
        blank=True,
        help_text="Messages carry the old secret's signature too until then.",
    )
    description = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.TextField(blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = ClockDateTimeField(auto_now_add=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.shown_url}"

    @property
    def shown_url(self) -> str:
        """The URL as lists and logs show it, its password masked."""
        return masked_url(self.url)

    def secrets_at(self, at: dt.datetime) -> list[str]:
        """The secrets that sign a message sent at `at`: the current one, and the one it
        replaced while its overlap lasts."""
        until = self.previous_secret_until
        if self.previous_secret and until is not None and at < until:
            return [self.secret, self.previous_secret]
        return [self.secret]


class Message(models.Model):
    """One event for one endpoint: the webhook ledger, written with the change it reports."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending (leased)"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (gave up)"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="messages")
    msg_id = models.CharField(max_length=64, unique=True, help_text="The webhook-id header.")
    event_type = models.CharField(max_length=64)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = ClockDateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            # The runner's claim: each enabled endpoint's due messages, past the backlog that a
            # disabled endpoint keeps queued (runner._due_ids).
            models.Index(
                fields=["state", "endpoint", "next_attempt_at"], name="webhook_message_due"
            ),
            # The admin's filter by event type: one probe a type (IndexedValuesFilter).
            models.Index(fields=["event_type"], name="webhook_message_event_type"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.state})"
