"""Reads of the API app."""

from __future__ import annotations

from django.db.models import QuerySet

from headlines.api.models import ApiToken, AuditEntry


def api_token_list() -> QuerySet[ApiToken]:
    return ApiToken.objects.order_by("name")


def api_audit_list(*, limit: int = 100) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.select_related("token").order_by("-created_at", "-id")[:limit]
