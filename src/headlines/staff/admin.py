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
        names = set(queryset.values_list("username", flat=True))
        forgotten = sum(staff_login_unlock(username=name) for name in names)
        messages.success(
            request, f"Forgot {forgotten} failed sign-in(s) of {len(names)} username(s)."
        )

    @admin.action(
        description="Lift the pause on the selected addresses (forget all their failures)",
        permissions=["delete"],
    )
    def unlock_addresses(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        addresses = set(queryset.values_list("address", flat=True))
        forgotten = sum(staff_login_unlock(address=address) for address in addresses)
        messages.success(
            request, f"Forgot {forgotten} failed sign-in(s) from {len(addresses)} address(es)."
        )
