from __future__ import annotations

from django.db import models

from headlines.core.fields import ClockDateTimeField


class EditionTracking(models.Model):
    """An edition's opt-in to per-reader opens and clicks, tied to the privacy-notice version
    that says so: a new notice version switches it off until staff confirm it again."""

    edition = models.OneToOneField(
        "core.Edition", on_delete=models.CASCADE, related_name="tracking"
    )
    per_reader = models.BooleanField(default=False)
    privacy_version = models.CharField(
        max_length=32, help_text="The privacy-notice version that tells readers about it."
    )
    updated_at = ClockDateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.edition}: per reader {'on' if self.per_reader else 'off'}"

    @property
    def active(self) -> bool:
        from headlines.engagement.readers import own_privacy_notice

        edition = self.edition
        return (
            self.per_reader
            and own_privacy_notice(edition)
            and self.privacy_version == edition.privacy_version
        )


class ReaderEvent(models.Model):
    """An open or a click by one reader who, and whose edition, said yes. Erased with them.

    A click's `click` is the story's count of that same opening: when it turns out to be part
    of a link scanner's burst, the reader's click goes with it (nobody clicked)."""

    class Kind(models.TextChoices):
        OPEN = "open", "Open"
        CLICK = "click", "Click"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    digest = models.ForeignKey("digests.Digest", on_delete=models.CASCADE)
    item = models.ForeignKey("digests.DigestItem", on_delete=models.CASCADE, null=True)
    subscription = models.ForeignKey(
        "subscriptions.Subscription", on_delete=models.CASCADE, related_name="engagement"
    )
    at = ClockDateTimeField(auto_now_add=True)
    click = models.ForeignKey("Click", on_delete=models.SET_NULL, null=True, related_name="+")

    def __str__(self) -> str:
        return f"{self.kind} {self.subscription_id} {self.at:%Y-%m-%d %H:%M}"


class Click(models.Model):
    """One opening of a digest link, about a story and a digest, never a reader.

    `client_hash` (a keyed hash of the address) exists only to spot link scanners, which open
    every link of a digest within seconds; it is blanked once the scanner window has passed.
    """

    digest = models.ForeignKey("digests.Digest", on_delete=models.CASCADE, related_name="clicks")
    item = models.ForeignKey("digests.DigestItem", on_delete=models.CASCADE, related_name="clicks")
    at = ClockDateTimeField(auto_now_add=True, db_index=True)
    client_hash = models.CharField(max_length=64, blank=True)
    counted = models.BooleanField(
        default=True, help_text="False: part of a link scanner's burst, left out of the figures."
    )

    class Meta:
        indexes = [
            models.Index(fields=["digest", "client_hash", "at"]),
            # Few rows have a hash at any time: forgetting them scans only those.
            models.Index(fields=["client_hash", "at"], name="click_hash_age"),
            # The dashboard's clicks per digest: its last 14 digests' counted clicks, a range
            # each read from the index alone (engagement.selectors.last_digests_clicks).
            models.Index(fields=["digest", "counted"], name="click_digest_counted"),
        ]

    def __str__(self) -> str:
        return f"click on {self.item_id} at {self.at:%Y-%m-%d %H:%M:%S}"
