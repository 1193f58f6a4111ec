"""Staff see each digest's delivery progress and every delivery's last relay reply."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from headlines.core.admin_lists import CappedCount
from headlines.delivery.models import BounceEvent, Delivery, DigestDelivery
from headlines.delivery.selectors import DigestProgress, digest_progress


class ReadOnly(admin.ModelAdmin):
    """The ledger is written by the engine only: staff read it."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnly):
    # Each row counts its digest's ledger (0.25-1 s at a million readers): a page of 20
    # digests, not Django's 100.
    list_per_page = 20
    list_display = [
        "__str__",
        "state",
        "queued",
        "sent",
        "deferred",
        "failed",
        "suppressed",
        "skipped",
        "rate",
        "time_left",
    ]
    list_filter = ["state", "edition"]

    def _progress(self, obj: DigestDelivery) -> DigestProgress:
        cache: dict[int, DigestProgress] = self.__dict__.setdefault("_cache", {})
        if obj.pk not in cache:
            cache[obj.pk] = digest_progress(digest_id=obj.pk)
        return cache[obj.pk]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        self.__dict__["_cache"] = {}  # fresh numbers on every page load
        return super().changelist_view(request, extra_context)

    @admin.display(description="queued")
    def queued(self, obj: DigestDelivery) -> int:
        p = self._progress(obj)
        return int(p.queued + p.sending)

    @admin.display(description="sent")
    def sent(self, obj: DigestDelivery) -> int:
        return int(self._progress(obj).sent)

    @admin.display(description="deferred")
    def deferred(self, obj: DigestDelivery) -> int:
        return int(self._progress(obj).deferred)

    @admin.display(description="failed")
    def failed(self, obj: DigestDelivery) -> int:
        return int(self._progress(obj).failed)

    @admin.display(description="suppressed")
    def suppressed(self, obj: DigestDelivery) -> int:
        return int(self._progress(obj).suppressed)

    @admin.display(description="skipped (late)")
    def skipped(self, obj: DigestDelivery) -> int:
        return int(self._progress(obj).skipped)

    @admin.display(description="rate /s")
    def rate(self, obj: DigestDelivery) -> str:
        return f"{self._progress(obj).rate:.1f}"

    @admin.display(description="time left")
    def time_left(self, obj: DigestDelivery) -> str:
        left = self._progress(obj).time_left
        return "—" if left is None else str(left).split(".")[0]


@admin.register(Delivery)
class DeliveryAdmin(CappedCount, ReadOnly):
    list_display = ["id", "digest", "subscription", "state", "attempts", "last_reply", "sent_at"]
    list_filter = ["state", "digest"]
    raw_id_fields = ["digest", "subscription"]
    list_select_related = ["digest__edition", "subscription__subscriber", "subscription__edition"]
    search_fields = ["message_id"]


@admin.register(BounceEvent)
class BounceEventAdmin(CappedCount, ReadOnly):
    list_display = ["created_at", "kind", "email_hash", "detail"]
    list_filter = ["kind"]
