from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse

from headlines.core.fields import ClockDateTimeField
from headlines.core.languages import text_direction, validate_language


def evening() -> dt.time:
    """An edition's send time unless it names one: 18:00. A function, not the value: Django's
    system check takes a fixed time for a mistake when the server starts within ten seconds of
    it, and printed a warning to whoever ran `headlines run` at 17:59:55."""
    return dt.time(18, 0)


class Edition(models.Model):
    """One newsletter a reader can sign up for (US, UK, …): its audience, voice and schedule."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120, help_text='Shown to readers: "US Evening Headlines".')
    language = models.CharField(max_length=16, default="en", validators=[validate_language])
    timezone = models.CharField(
        max_length=64, default="UTC", help_text="IANA name, e.g. Europe/London."
    )
    send_at = models.TimeField(default=evening, help_text="Local send time of the digest.")
    from_name = models.CharField(max_length=120, blank=True)
    from_address = models.EmailField(blank=True)
    reply_to = models.EmailField(blank=True)
    list_id = models.CharField(
        max_length=200, blank=True, help_text="RFC 2919 List-Id, e.g. us.headlines.example.com"
    )
    privacy_url = models.URLField(
        blank=True, help_text="The publisher's own privacy notice. Empty: the built-in page."
    )
    privacy_version = models.CharField(max_length=32, default="1")
    enabled = models.BooleanField(default=True)
    # How the edition's digest is assembled and reviewed (see digests).
    review_window_minutes = models.PositiveIntegerField(
        default=120, help_text="The digest is built this long before the send time, for review."
    )
    auto_approve = models.BooleanField(
        default=True, help_text="Approve an unreviewed draft automatically at send time."
    )
    # At least 1: 0 made every story a reserve one, and the digest read "No stories made
    # tonight's digest" yet was approved and mailed (every form of the model holds to it).
    max_stories = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1, "A digest holds at least 1 story.")]
    )

    class Channel(models.TextChoices):
        DEFAULT = "", "The installation's (SMTP if HEADLINES_SMTP_URL is set, else the outbox)"
        OUTBOX = "outbox", "Outbox only (nothing leaves; staff read it in the admin)"
        SMTP = "smtp", "SMTP relays (HEADLINES_SMTP_URL)"

    channel = models.CharField(
        max_length=16,
        choices=Channel.choices,
        default="",
        blank=True,
        help_text="How this edition's digests leave (see delivery.channels).",
    )
    created_at = ClockDateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def privacy_link(self) -> str:
        """The privacy notice readers are shown: the publisher's own (`privacy_url`), else the
        built-in page at today's HEADLINES_BASE_URL (read now, not when the edition was made:
        an edition made before the base URL was set kept a localhost link in every email)."""
        if self.privacy_url:
            return self.privacy_url
        return settings.BASE_URL + reverse("subscriptions:privacy")

    @property
    def direction(self) -> str:
        """The `dir` of its pages and emails: "rtl" or "ltr", as its language is written."""
        return text_direction(self.language or "en")


class OutboxMessage(models.Model):
    """An email the built-in outbox received instead of an SMTP relay (embedded default)."""

    created_at = ClockDateTimeField(auto_now_add=True, db_index=True)
    envelope_from = models.CharField(max_length=320)
    recipients = models.TextField(help_text="Envelope recipients, one per line.")
    subject = models.CharField(max_length=998, blank=True)
    to_header = models.CharField(max_length=998, blank=True)
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    raw = models.BinaryField(help_text="The whole message as it would have gone over SMTP.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_header}"


class Job(models.Model):
    """A background job, durable: written in the same transaction as the change that asks for
    it, claimed under a lease by a worker, retried with backoff, kept with its error when it
    keeps failing (see `core.jobs`)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=100, help_text="The registered job, e.g. delivery.send.")
    key = models.CharField(
        max_length=200, blank=True, help_text="Idempotency key: at most one queued job per key."
    )
    payload = models.TextField(default="{}", help_text="The job's keyword arguments, as JSON.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    run_after = models.DateTimeField(help_text="Not claimed before this (enqueue time, backoff).")
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = ClockDateTimeField(auto_now_add=True)
    updated_at = ClockDateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(status="queued") & ~models.Q(key=""),
                name="one_queued_job_per_key",
            )
        ]
        indexes = [
            # Claims: due queued jobs and expired leases, each one index range scan; done jobs
            # (the bulk of the table) are never walked.
            models.Index(fields=["status", "run_after"], name="job_claim"),
            models.Index(fields=["status", "lease_expires_at"], name="job_lease"),
            # The admin's date drill-down: its ends and one probe a period (ProbedDates).
            models.Index(fields=["created_at"], name="job_created"),
            # The admin's filter by kind: one probe a kind (IndexedValuesFilter).
            models.Index(fields=["kind"], name="job_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"
