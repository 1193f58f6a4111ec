from __future__ import annotations

from django.db import models

from headlines.core.fields import ClockDateTimeField
from headlines.core.models import Edition

# Per-reader placeholders in `Digest.html` and `Digest.text`. The digest is rendered once; delivery
# replaces these for each reader (cheap substitution, no template engine per message).
UNSUBSCRIBE_PLACEHOLDER = "[[unsubscribe_url]]"
PREFERENCES_PLACEHOLDER = "[[preferences_url]]"
# Per-reader engagement, empty for every reader unless the edition and the reader both opted in
# (engagement): a suffix on each click link, and the open pixel.
READER_PLACEHOLDER = "[[reader]]"
OPEN_PLACEHOLDER = "[[open_pixel]]"


class Digest(models.Model):
    """One edition's issue for one day."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="digests")
    date = models.DateField(help_text="The edition-local day this digest is for.")
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.DRAFT, db_index=True
    )
    subject = models.CharField(max_length=300, blank=True)
    preheader = models.CharField(max_length=300, blank=True)
    html = models.TextField(
        blank=True, help_text="Rendered email HTML, with per-reader placeholders."
    )
    text = models.TextField(blank=True, help_text="Rendered plain-text part, with placeholders.")
    # The edition's max_stories may change after a digest is sent: the archive shows what the
    # email carried, not the reserve items past it (None: never rendered).
    story_count = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="How many stories its email carries: the first items not dropped.",
    )
    built_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.CharField(max_length=150, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = ClockDateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "edition__name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "date"], name="one_digest_per_edition_day")
        ]

    def __str__(self) -> str:
        return f"{self.edition.name} · {self.date:%Y-%m-%d}"


class DigestItem(models.Model):
    """One story as it appears in a digest; the editor edits these, not the story."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    story = models.ForeignKey(
        "stories.Story", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    position = models.PositiveIntegerField(default=0)
    headline = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    url = models.URLField(max_length=2000, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    source_names = models.JSONField(default=list, blank=True)
    topics = models.JSONField(default=list, blank=True, help_text="Topic slugs, in topic order.")
    pinned = models.BooleanField(default=False, help_text="Keep at its position on a rebuild.")
    dropped = models.BooleanField(default=False, help_text="Leave out of the digest.")
    edited = models.BooleanField(
        default=False, help_text="An editor changed the headline or summary; a rebuild keeps it."
    )

    class Meta:
        ordering = ["digest", "position", "id"]

    def __str__(self) -> str:
        return self.headline
