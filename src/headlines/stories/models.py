from __future__ import annotations

from django.db import models

from headlines.core.fields import ClockDateTimeField
from headlines.core.models import Edition
from headlines.intake.models import Article


class Story(models.Model):
    """One event, told by one or more articles (from one or more sources)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="stories")
    articles = models.ManyToManyField(Article, related_name="stories")
    headline = models.CharField(max_length=300)
    summary = models.TextField(blank=True)
    score = models.FloatField(default=0.0)
    continues = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="continuations"
    )
    created_at = ClockDateTimeField(auto_now_add=True)
    # Added by the stories work (0002): which digest day the story was built for, and the
    # numbers ranking and the editor look at.
    day = models.DateField(null=True, blank=True, db_index=True)
    source_count = models.PositiveIntegerField(default=0)
    article_count = models.PositiveIntegerField(default=0)
    latest_at = models.DateTimeField(null=True, blank=True)
    rank = models.PositiveIntegerField(
        default=0, help_text="Place in the day's order: score, then diversity."
    )
    developed = models.BooleanField(
        default=True,
        help_text="False when it only repeats the earlier story it continues (no new articles, "
        "sources or information): such a story is not put in the digest again.",
    )
    elsewhere = models.BooleanField(
        default=False,
        help_text="Only about another edition's country and told by none of this edition's own "
        "sources: the digest carries it only when nothing else is left (an editor can pull it in).",
    )
    url = models.URLField(max_length=2000, blank=True, help_text="The lead article's link.")
    image_url = models.URLField(max_length=2000, blank=True)
    source_names = models.JSONField(default=list, blank=True)
    # The slugs of the edition's topics this story belongs to (see Topic), in topic order.
    topics = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name_plural = "stories"
        ordering = ["-day", "rank"]
        # The days a build reads earlier stories from (`selectors.previous_stories`): a range of
        # days of one edition. With the edition's and the day's indexes apart, SQLite read every
        # story the edition ever had to keep three days of them.
        indexes = [models.Index(fields=["edition", "day"], name="story_edition_day")]

    def __str__(self) -> str:
        return self.headline


class RelevanceTerm(models.Model):
    """A place or section word that makes a story matter more to one edition ("Ohio", "Budget")."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="relevance_terms")
    term = models.CharField(max_length=100)
    weight = models.FloatField(default=1.0)

    class Meta:
        ordering = ["edition", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "term"], name="one_relevance_term_per_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.weight:g})"


class Topic(models.Model):
    """A part of an edition readers can choose ("World", "Business"), in the editor's order.

    `sections` are the article sections and feed categories the editor maps to it
    (lower-cased); stories whose articles carry none of them are classified from the text.
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField(max_length=50)
    name = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)
    sections = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["edition", "order", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "slug"], name="one_topic_slug_per_edition")
        ]

    def __str__(self) -> str:
        return self.name


class TitleVector(models.Model):
    """The sentence vector of an article's title as the clustering reads it (`stories.vectors`):
    made once, when the article is imported or first clustered in a window of headlines, and
    read by every later build. `key` names the text and the model it was made from; a vector
    whose key no longer matches (the title, its cleaning or the model changed) is made again."""

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="title_vector"
    )
    key = models.CharField(max_length=64)
    vector = models.BinaryField()  # float16, embedding.DIMENSIONS wide

    def __str__(self) -> str:
        return f"title vector of article {self.article_id}"
