from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from headlines.core import emailpreview
from headlines.core.models import Edition, OutboxMessage


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "send_at", "language", "enabled")
    list_filter = ("enabled", "language")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


def _parsed(obj: OutboxMessage) -> EmailMessage:
    message = message_from_bytes(bytes(obj.raw), policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
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
