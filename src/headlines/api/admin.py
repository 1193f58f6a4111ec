"""Tokens and the audit trail in the admin. A token is created here too; shown once."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from headlines.api import services
from headlines.api.models import ApiToken, AuditEntry
from headlines.core.admin_lists import CappedCount, IndexedValuesFilter, ProbedDates


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("name",)
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the audit trail keeps naming the token

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        token, raw = services.api_token_create(name=obj.name)
        obj.pk = token.pk
        obj.refresh_from_db()
        messages.warning(
            request, f"Token for {token.name}: {raw} — copy it now, it is not shown again."
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.api_token_revoke(name=token.name)
        messages.success(request, f"Revoked {queryset.count()} token(s).")


@admin.register(AuditEntry)
class AuditEntryAdmin(ProbedDates, CappedCount):
    """Every write made through the API. Read-only: it is a record."""

    list_display = ("created_at", "token_name", "action", "method", "path", "status", "target")
    list_filter = (
        ("action", IndexedValuesFilter),
        ("status", IndexedValuesFilter),
        ("token_name", IndexedValuesFilter),
    )
    search_fields = ("path", "target", "token_name")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
