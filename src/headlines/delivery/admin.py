"""Staff see each digest's delivery progress and every delivery's last relay reply."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from headlines.core.admin_lists import CappedCount, CappedPaginator, OwnFilterNames
from headlines.core.names import escaped_cut
from headlines.delivery.models import BounceEvent, Delivery, DigestDelivery
from headlines.delivery.selectors import (
    WAITING,
    CappedProgress,
    deliveries_held_back,
    digest_progress,
    digest_progress_capped,
)
from headlines.digests.models import Digest
from headlines.subscriptions.admin import AddressHashSearch

# The reply deferred readers wait on, as long as the digests' list shows it (1280 px wide).
HELD_BACK_CHARS = 60

State = Delivery.State


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
    # Each row counts its digest's ledger state by state, up to CappedPaginator.CAP rows a
    # state ("10,000+" past it): exact counts read an index entry a reader, 0.06-0.2 s a
    # digest at a million. The digest's own page counts exactly.
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
        "held_back",
    ]
    list_filter = ["state", "edition"]
    readonly_fields = ["exact_counts", "held_back_reply"]

    def _progress(self, obj: DigestDelivery) -> CappedProgress:
        cache: dict[int, CappedProgress] = self.__dict__.setdefault("_cache", {})
        if obj.pk not in cache:
            cache[obj.pk] = digest_progress_capped(digest_id=obj.pk, cap=CappedPaginator.CAP)
        return cache[obj.pk]

    def _count(self, obj: DigestDelivery, *states: str) -> str:
        p = self._progress(obj)
        return f"{p.count(*states):,}+" if p.over(*states) else str(p.count(*states))

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        self.__dict__["_cache"] = {}  # fresh numbers on every page load
        return super().changelist_view(request, extra_context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        self.__dict__["_cache"] = {}  # the digest's own page: fresh numbers too
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="queued")
    def queued(self, obj: DigestDelivery) -> str:
        return self._count(obj, State.QUEUED, State.SENDING)

    @admin.display(description="sent")
    def sent(self, obj: DigestDelivery) -> str:
        return self._count(obj, State.SENT)

    @admin.display(description="deferred")
    def deferred(self, obj: DigestDelivery) -> str:
        return self._count(obj, State.DEFERRED)

    @admin.display(description="failed")
    def failed(self, obj: DigestDelivery) -> str:
        return self._count(obj, State.FAILED)

    @admin.display(description="suppressed")
    def suppressed(self, obj: DigestDelivery) -> str:
        return self._count(obj, State.SUPPRESSED)

    @admin.display(description="skipped (late)")
    def skipped(self, obj: DigestDelivery) -> str:
        return self._count(obj, State.SKIPPED)

    @admin.display(description="rate /s")
    def rate(self, obj: DigestDelivery) -> str:
        return f"{self._progress(obj).rate:.1f}"

    @admin.display(description="time left")
    def time_left(self, obj: DigestDelivery) -> str:
        p = self._progress(obj)
        if p.time_left is None:
            return "—"
        left = str(p.time_left).split(".")[0]
        return f"{left}+" if p.over(*WAITING) else left

    @admin.display(description="deferred readers wait on")
    def held_back_reply(self, obj: DigestDelivery) -> str:
        """The relay's reply holding its deferred readers back (a relay refusing us shows here
        while the send pauses), "—" when none is deferred."""
        if not self._progress(obj).count(State.DEFERRED):
            return "—"
        return deliveries_held_back(digest_ids=[obj.pk]).get(obj.pk, "—")

    @admin.display(description="held back by")
    def held_back(self, obj: DigestDelivery) -> str:
        """The same on the digest's line, cut to HELD_BACK_CHARS: the list fits a 1280 px
        screen (the whole reply is on the digest's own page)."""
        return escaped_cut(self.held_back_reply(obj), HELD_BACK_CHARS)

    @admin.display(description="deliveries by state (exact)")
    def exact_counts(self, obj: DigestDelivery) -> str:
        p = digest_progress(digest_id=obj.pk)
        return " · ".join(f"{s} {getattr(p, s):,}" for s in State.values) + f" · total {p.total:,}"


class ByDigest(admin.SimpleListFilter):
    """Deliveries of one digest: the latest RECENT digests offered, with their editions read in
    the same query. Django's filter by a foreign key listed every digest ever made, each
    reading its edition for its name (a digest a day an edition: 400 statements a page load
    after a year). Any digest's deliveries stay one link away, under the parameter name
    Django's filter used (`?digest__id__exact=ID`, as Digest deliveries and bookmarks link)."""

    title = "digest"
    parameter_name = "digest__id__exact"
    RECENT = 30

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        digests = Digest.objects.select_related("edition").order_by("-date", "-id")
        offered = list(digests[: self.RECENT])
        chosen = self.value()
        if chosen and chosen.isdigit() and all(str(d.pk) != chosen for d in offered):
            offered += list(digests.filter(pk=int(chosen)))  # an older digest, linked to
        return [(str(d.pk), str(d)) for d in offered]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters(f"no digest {value!r}")
        return queryset.filter(digest_id=int(value))


@admin.register(Delivery)
class DeliveryAdmin(OwnFilterNames, CappedCount, ReadOnly):
    list_display = ["id", "digest", "subscription", "state", "attempts", "last_reply", "sent_at"]
    list_filter = ["state", ByDigest]
    raw_id_fields = ["digest", "subscription"]
    list_select_related = ["digest__edition", "subscription__subscriber", "subscription__edition"]
    search_fields = ["message_id"]


@admin.register(BounceEvent)
class BounceEventAdmin(AddressHashSearch, CappedCount, ReadOnly):
    list_display = ["created_at", "kind", "email_hash", "detail"]
    list_filter = ["kind"]
    search_fields = ["email_hash"]
    search_help_text = "A whole address, or a part of a hash."
