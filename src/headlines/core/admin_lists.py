"""Admin lists that grow with readers count at most a capped number of rows, never all of them."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Max, Min, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
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


class OwnFilterNames(admin.ModelAdmin):
    """A list whose own filters (`SimpleListFilter`s in `list_filter`) keep the parameter name of
    the Django filter they replace, a relation's path (`?digest__id__exact=7`), so links and
    bookmarks keep working: Django checks every parameter against `lookup_allowed` before any
    filter takes its own, and would refuse those paths."""

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        own = {
            f.parameter_name
            for f in self.list_filter
            if isinstance(f, type) and issubclass(f, admin.SimpleListFilter)
        }
        return lookup in own or super().lookup_allowed(lookup, value, request)


class ProbedDates(admin.ModelAdmin):
    """A `date_hierarchy` drill-down whose years, months or days are found by one EXISTS a
    period over the field's index (`ProbedChangeList`), where Django's reads the date of every
    row listed (`SELECT DISTINCT DATE_TRUNC(…)`: a scan of the table on every page load)."""

    change_list_template = "admin/probed_dates_change_list.html"


class _ProbedQuerySet:
    """What Django's date_hierarchy asks of `cl.queryset`, answered by probes."""

    def __init__(self, queryset: QuerySet[Any]) -> None:
        self._queryset = queryset

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._queryset.aggregate(*args, **kwargs)  # MIN and MAX: an index's two ends

    def dates(self, field: str, kind: str) -> list[dt.date]:
        return [start.date() for start in self._periods(field, kind, aware=False)]

    def datetimes(self, field: str, kind: str) -> list[dt.datetime]:
        return self._periods(field, kind, aware=True)

    def _periods(self, field: str, kind: str, *, aware: bool) -> list[dt.datetime]:
        """The starts of the periods (naive, or in the current time zone) holding a row."""
        ends = self._queryset.aggregate(first=Min(field), last=Max(field))
        if ends["first"] is None:
            return []
        first, last = (_local(ends[k]) if aware else ends[k] for k in ("first", "last"))
        start = dt.datetime(first.year, first.month if kind != "year" else 1, 1)
        if kind == "day":
            start = start.replace(day=first.day)
        last_day = last.date() if aware else last
        found = []
        while start.date() <= last_day:
            end = _next(start, kind)
            low: Any = timezone.make_aware(start) if aware else start.date()
            high: Any = timezone.make_aware(end) if aware else end.date()
            if self._queryset.filter(**{f"{field}__gte": low, f"{field}__lt": high}).exists():
                found.append(timezone.make_aware(start) if aware else start)
            start = end
        return found


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _next(start: dt.datetime, kind: str) -> dt.datetime:
    if kind == "year":
        return start.replace(year=start.year + 1)
    if kind == "month":
        return start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start + dt.timedelta(days=1)


class ProbedChangeList:
    """A change list as Django's date_hierarchy tag sees it, its dates found by probes while
    the list is past the cap; a list the cap counted exactly (10,000 rows at most, a filter's
    or a search's) is read as Django does, which costs no more than its count did."""

    def __init__(self, cl: Any) -> None:
        self._cl = cl
        capped = getattr(cl.paginator, "capped", True)
        self.queryset = _ProbedQuerySet(cl.queryset) if capped else cl.queryset

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cl, name)


# VALUES_SQL: the distinct values of one column, read as a skip scan of an index that leads with
# it: one probe a value (a few dozen), where Django's filter asked for DISTINCT over the table
# (0.1-0.2 s at a million rows, for each such filter on every page load). Portable: SQLite and
# PostgreSQL both answer MIN over an index with one probe. Names come from the model, quoted.
VALUES_SQL = """
WITH RECURSIVE found(value) AS (
    SELECT MIN({column}) FROM {table}
    UNION ALL
    SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > found.value)
    FROM found WHERE found.value IS NOT NULL
)
SELECT value FROM found WHERE value IS NOT NULL
"""


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """Django's filter by each value a column holds, the values read by a skip scan of an
    index leading with the column (which the model must have) instead of DISTINCT over every
    row. For a column without NULLs, of a list whose admin shows every row of its table."""

    def __init__(self, field: Any, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().__init__(field, request, *args, **kwargs)  # its choices: a query not yet run
        quote = connection.ops.quote_name
        sql = VALUES_SQL.format(column=quote(field.column), table=quote(field.model._meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(sql)
            # A list where Django holds a queryset: the filter only iterates it.
            self.lookup_choices = [value for (value,) in cursor.fetchall()]  # type: ignore[assignment]
