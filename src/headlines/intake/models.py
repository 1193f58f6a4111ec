from __future__ import annotations

from django.db import models

from headlines.core.fields import ClockDateTimeField
from headlines.core.languages import validate_language
from headlines.core.models import Edition
from headlines.core.names import controls_escaped
from headlines.core.urls import masked_url

# The longest wait between two fetches a source may ask for: a week. A newsroom polls its
# sources at least weekly, and the scheduler's back-off after failures never shortens an
# interval (intake.selectors.source_next_fetch), so each interval in range means what it says.
FETCH_INTERVAL_MAX_MINUTES = 7 * 24 * 60


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
    language = models.CharField(max_length=16, blank=True, validators=[validate_language])
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
    created_at = ClockDateTimeField(auto_now_add=True)
    # Added by intake (0002): totals for the admin, the last run's report, and a lease so that
    # two schedulers never ingest the same source at once.
    failures_total = models.PositiveIntegerField(default=0)
    runs_total = models.PositiveIntegerField(default=0)
    last_report = models.JSONField(default=dict, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_url(self) -> str:
        """The URL as lists, errors and the API show it: a feed's password masked."""
        return masked_url(self.url)

    @property
    def shown_error(self) -> str:
        """The last error as every page and the API show it: its control characters escaped.
        Errors are escaped when recorded (IngestReport.as_dict, intake.services), but one recorded
        before that holds them raw (ESC, BEL, C1, characters XML 1.0 forbids) until the
        source's next run, and any other writer might store one too."""
        return controls_escaped(self.last_error)

    @property
    def brief_error(self) -> str:
        """The last error without the source's own URL in front, which lists show already."""
        return self.shown_error.removeprefix(f"{self.shown_url}: ")

    @property
    def health(self) -> str:
        if not self.enabled:
            return "disabled"
        if self.last_fetched_at is None:
            return "never fetched"
        if self.consecutive_failures:
            return f"failing ({self.consecutive_failures} in a row)"
        return "ok"


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
    created_at = ClockDateTimeField(auto_now_add=True, db_index=True)
    # Added by intake (0002): why this is a duplicate, the MinHash signature the near-duplicate
    # index is rebuilt from, and where the text came from (a file path or URL).
    duplicate_reason = models.CharField(max_length=16, blank=True)
    minhash = models.BinaryField(default=b"", blank=True)
    input = models.CharField(max_length=2000, blank=True)
    # Added by intake (0004): the outlet a record or feed entry names for itself (a mixed dump,
    # an aggregator's feed; empty = the source's own), and its sections, a list of labels.
    outlet = models.CharField(max_length=200, blank=True)
    sections = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        # The admin's filters by language and by duplicate reason: one probe a value each
        # (core.admin_lists.IndexedValuesFilter), not DISTINCT over every article.
        indexes = [
            models.Index(fields=["language"], name="article_language"),
            models.Index(fields=["duplicate_reason"], name="article_duplicate_reason"),
            # A window's undated articles (stored in it, no date: `selectors.articles_in_window`)
            # by their storing time; by `published_at` alone every undated article ever stored
            # was read for each window.
            models.Index(fields=["published_at", "created_at"], name="article_window"),
        ]
        constraints = [
            # Re-fetching a feed must never store the same page twice for one source.
            models.UniqueConstraint(
                fields=["source", "canonical_url"],
                condition=~models.Q(canonical_url=""),
                name="intake_article_unique_url_per_source",
            )
        ]

    def __str__(self) -> str:
        return self.title or self.text[:80]


class RepeatedLine(models.Model):
    """How often a normalised line has appeared in one source's articles (scrubbing learns)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="repeated_lines")
    line_hash = models.CharField(max_length=32)
    example = models.CharField(max_length=300)
    seen = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "line_hash"], name="intake_line_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.example} x{self.seen}"
