"""Admin lists that grow with readers count at most a capped number of rows, never all of them."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """Counts at most CAP rows (`COUNT(*)` over `LIMIT CAP + 1`): a list with a row per reader
    (or per reader per digest) counted exactly on every page load took 0.1-1 s of PostgreSQL
    at a million readers. Beyond the cap the page says "more than CAP" (the shared
    admin/pagination.html) and its last page is the CAP-th row; a filter or a search narrows
    it to an exact count."""

    CAP = 10_000

    @cached_property
    def _counted(self) -> int:
        rows = cast("QuerySet[Any]", self.object_list)  # the admin pages querysets
        return int(rows[: self.CAP + 1].count())

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.CAP)

    @property
    def capped(self) -> bool:
        return self._counted > self.CAP


class CappedCount(admin.ModelAdmin):
    """A list that grows with readers: a capped count, no full count beside it, no facets'
    counts. "Select all" across pages is offered only when the count is exact: an action
    on "all 10000" would reach every row past the cap too."""

    paginator = CappedPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def response_action(
        self, request: HttpRequest, queryset: QuerySet[Any], *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        if request.POST.get("select_across", "0") not in {"", "0", "False", "false"}:
            capped = CappedPaginator(queryset, 1)
            if capped.capped:
                self.message_user(
                    request,
                    f"More than {capped.CAP} rows match: narrow the list with a filter or a "
                    "search, or select rows on the page. Nothing was done.",
                    messages.WARNING,
                )
                return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, *args, **kwargs)
