from __future__ import annotations

from django.db import models

from headlines.core.fields import ClockDateTimeField


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is kept; the token is shown once."""

    name = models.CharField(max_length=100, unique=True)
    prefix = models.CharField(max_length=12, help_text="The token's first characters, to tell it.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = ClockDateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class RateWindow(models.Model):
    """Requests one token made in one minute: the per-token rate limit, shared by every process."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="windows")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "minute"], name="one_window_per_token_minute")
        ]

    def __str__(self) -> str:
        return f"{self.token} {self.minute:%H:%M} {self.count}"


class AuditEntry(models.Model):
    """One write made through the API: who (token), what, on what, and how it ended."""

    created_at = ClockDateTimeField(auto_now_add=True, db_index=True)
    token = models.ForeignKey(ApiToken, on_delete=models.SET_NULL, null=True, blank=True)
    token_name = models.CharField(max_length=100)
    action = models.CharField(max_length=64)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    target = models.CharField(max_length=300, blank=True, help_text="What the write was about.")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        # The admin's filters: one probe a value each (core.admin_lists.IndexedValuesFilter).
        indexes = [
            models.Index(fields=["action"], name="audit_action"),
            models.Index(fields=["status"], name="audit_status"),
            models.Index(fields=["token_name"], name="audit_token_name"),
        ]

    def __str__(self) -> str:
        return f"{self.token_name} {self.action} → {self.status}"
