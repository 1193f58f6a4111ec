from __future__ import annotations

from collections.abc import Callable, Mapping
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from headlines.core import clock, emailpreview, services
from headlines.core.admin_lists import CappedCount, IndexedValuesFilter, ProbedDates
from headlines.core.errors import DomainError, InvalidInput
from headlines.core.models import Edition, Job, OutboxMessage
from headlines.core.signals import edition_timing_changed

T = TypeVar("T")
R = TypeVar("R")

# Django 6 changes the default scheme of URL form fields; say it once, for every admin form.
URL_FIELDS: Mapping[type[models.Field[Any, Any]], Mapping[str, Any]] = {
    models.URLField: {"assume_scheme": "https"}
}


def refusal(exc: DomainError) -> str:
    """A service's refusal as an admin form says it: a sentence (capital, full stop)."""
    said = str(exc)
    return f"{said[:1].upper()}{said[1:]}."


def checked(clean: Callable[[T], R], value: T) -> R:
    """`value` through a service's own check (`clean`), its refusal as the field's error: the
    admin's forms hold what they save to the rules the commands and the API hold it to."""
    try:
        return clean(value)
    except InvalidInput as exc:
        raise forms.ValidationError(refusal(exc)) from None


class EditionForm(forms.ModelForm):
    """An edition's slug, name, time zone, From name and List-Id held to `edition add`'s rules
    (core.services): a misspelt zone saved here stopped the digest job of every edition at its
    next tick, and `digest build`, `send` and `stories` crashed on the edition; a List-Id with a
    line break stopped every send of the edition (delivery's header guard refused it)."""

    def clean_slug(self) -> str:
        return checked(services.slug_clean, str(self.cleaned_data.get("slug") or ""))

    def clean_name(self) -> str:
        return checked(services.edition_name_clean, str(self.cleaned_data.get("name") or ""))

    def clean_from_name(self) -> str:
        return checked(services.from_name_clean, str(self.cleaned_data.get("from_name") or ""))

    def clean_list_id(self) -> str:
        return checked(services.list_id_clean, str(self.cleaned_data.get("list_id") or ""))

    def clean_timezone(self) -> str:
        typed = str(self.cleaned_data.get("timezone") or "").strip()
        return checked(services.parse_timezone, typed)


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionForm
    formfield_overrides = URL_FIELDS
    list_display = ("name", "slug", "timezone", "send_at", "language", "enabled")
    list_filter = ("enabled", "language")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request: HttpRequest, obj: Edition, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change or not {"timezone", "send_at"} & set(form.changed_data):
            return
        # The readers who read at the edition's zone or hour (a reader's own preferences page
        # moves theirs the same way): digests waiting for their old evening go at the new one.
        # Delivery does it on the signal: core imports no app above it.
        replies = edition_timing_changed.send(sender=Edition, edition_id=obj.pk, now=clock.now())
        moved = sum(int(count or 0) for _, count in replies)
        if moved:
            self.message_user(
                request,
                f"Waiting deliveries moved to the readers' new evening: {moved}.",
            )


def _parsed(obj: OutboxMessage) -> EmailMessage:
    message = message_from_bytes(bytes(obj.raw), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ProbedDates, CappedCount):
    """The built-in outbox: read-only, because it is a record of what was sent."""

    list_display = ("created_at", "to_header", "subject")
    search_fields = ("to_header", "subject", "recipients", "message_id")
    date_hierarchy = "created_at"
    fields = (
        "created_at",
        "envelope_from",
        "recipients",
        "subject",
        "html_body",
        "text_body",
        "headers",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Headers")
    def headers(self, obj: OutboxMessage) -> str:
        lines = "\n".join(f"{k}: {v}" for k, v in _parsed(obj).items())
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", lines)

    @admin.display(description="Text")
    def text_body(self, obj: OutboxMessage) -> str:
        part = _parsed(obj).get_body(preferencelist=("plain",))
        content = part.get_content() if part is not None else ""
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", content)

    @admin.display(description="HTML")
    def html_body(self, obj: OutboxMessage) -> str:
        part = _parsed(obj).get_body(preferencelist=("html",))
        if part is None:
            return "—"
        return format_html(
            "{}{}",
            emailpreview.email_frame(part.get_content(), label="Desktop"),
            emailpreview.email_frame(part.get_content(), width=emailpreview.PHONE, label="Phone"),
        )

    class Media:
        js = emailpreview.MEDIA_JS


@admin.register(Job)
class JobAdmin(ProbedDates, CappedCount):
    """The job table: what waits, what runs, and what failed with which error. Read-only but
    for the retry action: a job is changed only by its worker."""

    list_display = ("id", "kind", "status", "attempts", "run_after", "lease_owner", "error_line")
    list_filter = ("status", ("kind", IndexedValuesFilter))
    search_fields = ("kind", "key", "payload", "last_error")
    date_hierarchy = "created_at"
    actions = ["retry"]
    readonly_fields = (
        "kind",
        "key",
        "payload",
        "status",
        "attempts",
        "max_attempts",
        "run_after",
        "lease_owner",
        "lease_expires_at",
        "created_at",
        "updated_at",
        "finished_at",
        "error",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description="Last error")
    def error_line(self, obj: Job) -> str:
        lines = obj.last_error.strip().splitlines()
        return lines[-1][:160] if lines else ""

    @admin.display(description="Error")
    def error(self, obj: Job) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", obj.last_error or "—")

    @admin.action(description="Retry the selected failed jobs")
    def retry(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        from headlines.core.services import jobs_retry

        again = jobs_retry(job_ids=list(queryset.values_list("id", flat=True)))
        skipped = queryset.count() - len(again)
        self.message_user(request, f"{len(again)} jobs queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} not retried: only failed jobs can be, and one waiting per key.",
                messages.WARNING,
            )
