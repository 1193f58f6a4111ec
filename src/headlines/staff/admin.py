"""Failed staff sign-ins in the admin: who is being guessed at, from where, and the way to let a
colleague back in before the window passes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from headlines.staff.loginlimit import staff_login_unlock
from headlines.staff.models import StaffLoginFailure


@admin.register(StaffLoginFailure)
class StaffLoginFailureAdmin(admin.ModelAdmin):
    list_display = ("created_at", "username", "address")
    search_fields = ("username", "address")
    ordering = ("-created_at",)
    actions = ["unlock_usernames", "unlock_addresses"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the two below say what deleting means
        return actions

    @admin.action(
        description="Lift the pause on the selected usernames (forget all their failures)",
        permissions=["delete"],
    )
    def unlock_usernames(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._unlock(request, queryset, "username", "of {n} username(s)")

    @admin.action(
        description="Lift the pause on the selected addresses (forget all their failures)",
        permissions=["delete"],
    )
    def unlock_addresses(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._unlock(request, queryset, "address", "from {n} address(es)")

    def _unlock(
        self, request: HttpRequest, queryset: QuerySet[Any], field: str, whose: str
    ) -> None:
        values = set(queryset.values_list(field, flat=True))
        forgotten = sum(staff_login_unlock(**{field: value}) for value in values)
        said = whose.format(n=len(values))
        messages.success(request, f"Forgot {forgotten} failed sign-in(s) {said}.")
