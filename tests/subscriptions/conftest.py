"""Fixtures for the sign-up tests: editions, readers and the emails they were sent."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client

from headlines.core.models import Edition, OutboxMessage
from tests import factories


@pytest.fixture
def edition(db: None) -> Edition:
    return factories.edition(
        slug="us",
        name="US Evening Headlines",
        timezone="America/New_York",
        privacy_url="https://news.example/privacy",
        privacy_version="2026-01",
    )


@pytest.fixture
def uk(db: None) -> Edition:
    return factories.edition(slug="uk", name="UK Evening Headlines", timezone="Europe/London")


def outbox(address: str) -> list[EmailMessage]:
    """Every message the built-in outbox holds for `address`, oldest first."""
    messages = []
    for row in OutboxMessage.objects.filter(recipients=address).order_by("created_at", "id"):
        parsed = message_from_bytes(bytes(row.raw), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


def body(message: EmailMessage, kind: str = "plain") -> str:
    part = message.get_body(preferencelist=(kind,))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage, kind: str) -> str:
    """The first link of `kind` (confirm, unsubscribe, preferences) in the text part."""
    match = re.search(rf"https?://\S+/{kind}/[^\s/]+/", body(message))
    assert match, f"no {kind} link in:\n{body(message)}"
    return match.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def mail_now(
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> Iterator[Callable[..., Any]]:
    """Run the jobs a request queues on commit (the test's transaction never commits)."""

    def run(action: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    yield run


@pytest.fixture
def client_ip() -> Client:
    return Client(REMOTE_ADDR="203.0.113.9")


def rows_naming(address: str) -> list[str]:
    """Every row of every table that holds `address` in any column, as "model.field"."""
    from django.apps import apps

    found = []
    needle = address.lower()
    for model in apps.get_models():
        for row in model.objects.all().values():
            for field, value in row.items():
                text = (
                    bytes(value).decode("utf-8", "replace")
                    if isinstance(value, bytes | memoryview)
                    else str(value)
                )
                if needle in text.lower():
                    found.append(f"{model.__name__}.{field}")
    return found
