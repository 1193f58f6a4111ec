from __future__ import annotations

from django.db import models

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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "stories"

    def __str__(self) -> str:
        return self.headline
