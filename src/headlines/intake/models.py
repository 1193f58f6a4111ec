from __future__ import annotations

from django.db import models

from headlines.core.models import Edition


class Source(models.Model):
    """Where articles come from: a feed, a news sitemap, a single page, or a dump on disk."""

    class Kind(models.TextChoices):
        FEED = "feed", "RSS or Atom feed"
        SITEMAP = "sitemap", "News sitemap"
        PAGE = "page", "Single page"
        DUMP = "dump", "Dump (folder, JSONL or text records)"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FEED)
    url = models.URLField(max_length=2000, blank=True)
    path = models.CharField(max_length=2000, blank=True, help_text="For dumps: a file or folder.")
    editions = models.ManyToManyField(Edition, related_name="sources", blank=True)
    language = models.CharField(max_length=16, blank=True)
    weight = models.FloatField(default=1.0, help_text="How much this source counts in ranking.")
    fetch_interval_minutes = models.PositiveIntegerField(default=30)
    enabled = models.BooleanField(default=True)
    is_local = models.BooleanField(
        default=False, help_text="Allow private and loopback addresses (refused otherwise: SSRF)."
    )
    # Conditional GET and health.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One cleaned article. A duplicate points at the earliest copy it duplicates."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="articles")
    editions = models.ManyToManyField(Edition, related_name="articles", blank=True)
    url = models.URLField(max_length=2000, blank=True)
    canonical_url = models.CharField(max_length=2000, blank=True, db_index=True)
    title = models.CharField(max_length=1000, blank=True)
    author = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    language = models.CharField(max_length=16, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    text = models.TextField()
    text_hash = models.CharField(max_length=64, db_index=True)
    removed = models.JSONField(
        default=list, blank=True, help_text="Lines scrubbing removed, for review."
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title or self.text[:80]
