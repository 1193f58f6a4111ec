"""Reads on webhooks."""

from __future__ import annotations

from django.db.models import QuerySet

from headlines.webhooks.models import Endpoint, Message


def webhook_endpoint_list() -> QuerySet[Endpoint]:
    return Endpoint.objects.order_by("id")


def webhook_messages(*, endpoint_id: int, limit: int = 50) -> QuerySet[Message]:
    return Message.objects.filter(endpoint_id=endpoint_id).order_by("-created_at", "-id")[:limit]
