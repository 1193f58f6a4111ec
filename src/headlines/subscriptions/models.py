from __future__ import annotations

from typing import Any

from django.db import models

from headlines.core.fields import ClockDateTimeField
from headlines.core.models import Edition


class Subscriber(models.Model):
    """A person, known by one email address. Erasing them deletes this row (see Suppression)."""

    email = models.EmailField(
        max_length=320, unique=True, help_text="Normalised: domain lower-cased."
    )
    email_hash = models.CharField(
        max_length=64, unique=True, help_text="Keyed hash of the address."
    )
    name = models.CharField(max_length=200, blank=True)
    marketing = models.BooleanField(
        default=False, help_text="Current marketing consent; the ledger holds its history."
    )
    created_at = ClockDateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.email


class Subscription(models.Model):
    """A subscriber's membership of one edition."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    timezone = models.CharField(
        max_length=64, blank=True, help_text="Delivery time zone; blank means the edition's."
    )
    send_hour = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Local delivery hour 0-23; empty means the edition's send time.",
    )
    created_at = ClockDateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Marketing ticked on an unconfirmed sign-up only takes effect once the address is confirmed.
    marketing_requested = models.BooleanField(default=False)
    # The slugs of the edition's topics the reader chose (see stories.Topic); empty means the
    # whole digest. Slugs, not rows: readers on the same set share one rendered email.
    topics = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "edition"], name="one_subscription_per_edition"
            )
        ]
        indexes = [
            # An edition's readers in a state; with the zone and hour, the scheduler's distinct
            # (zone, hour) of confirmed readers is a skip scan of a few dozen probes, not a
            # read of every reader (subscriptions.audience.ZONES_SQL).
            models.Index(
                fields=["edition", "status", "timezone", "send_hour"], name="subscription_audience"
            ),
            # A send under way looks for its late readers every scheduler tick: those who joined
            # (an import) or were confirmed since it started (subscriptions.audience._confirmed).
            # Without these it read the whole edition each time (13 s at a million readers).
            models.Index(fields=["edition", "created_at"], name="subscription_joined"),
            models.Index(fields=["edition", "confirmed_at"], name="subscription_confirmed"),
            # The staff dashboard's unsubscribes over 7 and 30 days and the leaves of its
            # readers' series: a range as long as the month's leaves, not a read of every
            # reader (0.05-0.06 s each at a million readers without it).
            models.Index(fields=["edition", "unsubscribed_at"], name="subscription_left"),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} · {self.edition.slug} · {self.status}"


class ConsentEvent(models.Model):
    """One recorded yes or no to one purpose. Append-only: never updated, never deleted by staff."""

    class Purpose(models.TextChoices):
        NEWSLETTER = "newsletter", "Edition newsletter"
        MARKETING = "marketing", "Offers, events and updates"
        ENGAGEMENT = "engagement", "Opens and clicks counted per reader"

    class Source(models.TextChoices):
        FORM = "form", "Landing page form"
        WIDGET = "widget", "Embedded widget"
        IMPORT = "import", "CSV import"
        ADMIN = "admin", "Staff admin"
        PREFERENCES = "preferences", "Preferences page"
        UNSUBSCRIBE_LINK = "unsubscribe_link", "Unsubscribe link"
        ONE_CLICK = "one_click", "One-click unsubscribe (RFC 8058)"
        CONFIRMATION = "confirmation", "Confirmation link"
        BOUNCE = "bounce", "Bounce or complaint"
        API = "api", "JSON API"

    # Kept after erasure (subscriber set to NULL) as proof of what was agreed, without the address.
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )
    email_hash = models.CharField(max_length=64, db_index=True)
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, null=True, blank=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    granted = models.BooleanField()
    wording = models.TextField(help_text="The exact words the reader was shown.")
    privacy_version = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=24, choices=Source.choices)
    ip_hash = models.CharField(
        max_length=64, blank=True, help_text="Keyed hash; the IP itself is never stored."
    )
    created_at = ClockDateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{'grant' if self.granted else 'withdraw'} {self.purpose} ({self.source})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The ledger is evidence: a row, once written, is never rewritten.
        if self.pk is not None:
            raise ValueError("consent events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("consent events are append-only")


class Suppression(models.Model):
    """An address we must not mail, kept only as a keyed hash."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", "Hard bounce"
        SOFT_BOUNCES = "soft_bounces", "Repeated soft bounces"
        COMPLAINT = "complaint", "Spam complaint"
        ERASED = "erased", "Reader erased their data"
        MANUAL = "manual", "Added by staff"

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    detail = models.TextField(blank=True)
    created_at = ClockDateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.email_hash[:12]}… ({self.reason})"


class SignupAttempt(models.Model):
    """One accepted sign-up request, kept for an hour to enforce the rate limits.

    In the database (not the cache) because the limits must hold across processes and machines,
    and the cache table is not guaranteed to exist. `key` is a keyed hash, never an IP or address.
    """

    key = models.CharField(max_length=80)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "created_at"])]

    def __str__(self) -> str:
        return f"{self.key[:20]}… at {self.created_at:%H:%M:%S}"
