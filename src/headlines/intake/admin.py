"""Staff views of sources (with their health and last error) and articles (with what scrubbing
removed). Thin: actions call services and jobs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join

from headlines.core.admin import URL_FIELDS, checked, refusal
from headlines.core.admin_lists import CappedCount, IndexedValuesFilter, ProbedDates
from headlines.core.errors import InvalidInput
from headlines.core.jobs import enqueue
from headlines.core.names import controls_escaped, escaped_cut
from headlines.intake import selectors, services
from headlines.intake.models import Article, RepeatedLine, Source
from headlines.intake.pipeline.reports import held_back_note

HEALTH_FIELDS = (
    "health",
    "next_fetch",
    "last_fetched_at",
    "last_success_at",
    "shown_error",
    "last_error_at",
    "consecutive_failures",
    "failures_total",
    "runs_total",
    "last_report_table",
    "etag",
    "last_modified",
)


# The last run's counts, as an editor reads them (the report's own keys are for scripts).
LAST_RUN_ROWS = (
    ("fetched", "Fetched"),
    ("new", "New"),
    ("copies", "Stored as copies"),
    ("duplicates", "Already held"),
    ("failed_count", "Failed"),
)


class SourceForm(forms.ModelForm):
    """The admin's form for a source (its fields, and URL_FIELDS, come from SourceAdmin)."""

    def clean_name(self) -> str:
        """One printable line, as `source add` holds it: a control character saved here broke
        the "Reported by" line of every plain-text digest that cited the source."""
        return checked(services.source_name_clean, str(self.cleaned_data.get("name") or ""))

    def clean(self) -> dict[str, Any]:
        """A dump's path checked and stored from the root, as `source add --path` stores it:
        kept as typed, it was read from whatever folder the worker or scheduler ran in. A
        weight below 0, or an interval of 0 minutes (fetched at every scheduler tick) or of
        more than a week, is refused, as `source add` refuses them."""
        cleaned = super().clean() or {}
        weight, interval = cleaned.get("weight"), cleaned.get("fetch_interval_minutes")
        if weight is not None and interval is not None:
            try:
                services.source_fetching_check(weight=weight, fetch_interval_minutes=interval)
            except InvalidInput as exc:
                self.add_error(None, refusal(exc))
        path = cleaned.get("path", "")
        changed = {"path", "kind"} & set(self.changed_data)
        if cleaned.get("kind") == Source.Kind.DUMP and path and changed:
            try:
                cleaned["path"] = services.dump_path_check(path)
            except InvalidInput as exc:
                self.add_error("path", str(exc))
        return cleaned


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    formfield_overrides = URL_FIELDS
    list_display = (
        "name",
        "kind",
        "enabled",
        "health",
        "next_fetch",
        "last_fetched_at",
        "short_error",
        "consecutive_failures",
        "articles",
    )
    list_filter = ("kind", "enabled", "is_local", "editions")
    search_fields = ("name", "slug", "url", "path", "last_error")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("editions",)
    readonly_fields = HEALTH_FIELDS
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "url", "path", "editions", "language")}),
        ("Fetching", {"fields": ("weight", "fetch_interval_minutes", "enabled", "is_local")}),
        ("Health", {"fields": HEALTH_FIELDS}),
    )
    actions = ("ingest_now", "enable", "disable")

    @admin.display(description="Health")
    def health(self, obj: Source) -> str:
        return obj.health

    @admin.display(description="Last error")
    def short_error(self, obj: Source) -> str:
        # Cut on whole escapes: at 120 characters, `\x1b` showed as `\x1`.
        return escaped_cut(obj.last_error, 120)

    @admin.display(description="Last error")
    def shown_error(self, obj: Source) -> str:
        return obj.shown_error

    @admin.display(description="Next fetch")
    def next_fetch(self, obj: Source) -> str:
        # After failures the interval doubles, and a server may have asked for a longer wait:
        # the editor sees when the scheduler comes back, not just that the source is failing.
        if not obj.enabled:
            return "— (disabled)"
        when = selectors.source_next_fetch(obj)
        if when is None:
            return "at the next scheduler tick"
        return str(formats.localize(timezone.localtime(when)))

    @admin.display(description="Articles")
    def articles(self, obj: Source) -> int:
        return obj.articles.count()

    @admin.display(description="Last run")
    def last_report_table(self, obj: Source) -> str:
        report = obj.last_report or {}
        if not report:
            return "—"
        rows = [(label, report.get(key, "—")) for key, label in LAST_RUN_ROWS]
        if report.get("held_back"):
            note = held_back_note(int(report["held_back"]), int(report.get("cap") or 0))
            rows.append(("Held back by the cap", note))
        # A report recorded before its inputs were escaped holds their control characters raw.
        failures = [
            (controls_escaped(str(f["input"])), controls_escaped(str(f["reason"])))
            for f in report.get("failed", [])
        ]
        return format_html(
            "<table>{}</table><ul>{}</ul>",
            format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
            format_html_join("", "<li><code>{}</code>: {}</li>", failures),
        )

    @admin.action(description="Ingest now (in the background)")
    def ingest_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            enqueue("intake.ingest_source", source_id=source.pk)
        self.message_user(request, f"Queued {queryset.count()} source(s).", messages.SUCCESS)

    @admin.action(description="Enable")
    def enable(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            services.source_set_enabled(source_id=source.pk, enabled=True)

    @admin.action(description="Disable")
    def disable(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            services.source_set_enabled(source_id=source.pk, enabled=False)


@admin.register(Article)
class ArticleAdmin(ProbedDates, CappedCount):
    """Every stored article: thousands a day at a large newsroom, millions after a year, so the
    list counts at most CappedPaginator.CAP rows, finds its dates by probes and its languages
    and duplicate reasons by a skip scan of an index on each (DISTINCT read every article)."""

    formfield_overrides = URL_FIELDS
    list_display = (
        "__str__",
        "source",
        "outlet",
        "published_at",
        "language",
        "removed_count",
        "original",
    )
    list_filter = (
        "source",
        ("language", IndexedValuesFilter),
        ("duplicate_reason", IndexedValuesFilter),
        "editions",
    )
    search_fields = ("title", "url", "text", "outlet")
    date_hierarchy = "created_at"
    raw_id_fields = ("duplicate_of",)
    readonly_fields = ("removed_lines", "duplicate_of", "duplicate_reason", "text_hash", "input")
    exclude = ("minhash", "removed")

    @admin.display(description="Removed")
    def removed_count(self, obj: Article) -> int:
        return len(obj.removed or [])

    @admin.display(description="Duplicate of")
    def original(self, obj: Article) -> str:
        if obj.duplicate_of_id is None:
            return ""
        return f"#{obj.duplicate_of_id} ({obj.duplicate_reason})"

    @admin.display(description="What scrubbing removed")
    def removed_lines(self, obj: Article) -> str:
        lines = [(r.get("reason", ""), r.get("text", "")) for r in obj.removed or []]
        if not lines:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", "<li><b>{}</b>: {}</li>", lines))


@admin.register(RepeatedLine)
class RepeatedLineAdmin(admin.ModelAdmin):
    """What each source repeats under its articles; lines seen often enough are scrubbed."""

    list_display = ("example", "source", "seen", "last_seen_at")
    list_filter = ("source",)
    search_fields = ("example",)
    readonly_fields = ("source", "line_hash", "example", "seen", "last_seen_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
