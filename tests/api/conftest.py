"""An API client with a real token, and the editions the sign-up tests use."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from headlines.api.services import api_token_create
from headlines.core.models import Edition
from tests import factories


class Api:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, client: Client, token: str, on_commit: Any = None) -> None:
        self.client, self.token, self.on_commit = client, token, on_commit

    def _headers(self, token: str | None) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token if token is None else token}"}

    def get(self, path: str, token: str | None = None, **params: Any) -> Any:
        with self.on_commit(execute=True):
            return self.client.get("/api/v1" + path, params, **self._headers(token))

    def post(self, path: str, body: Any = None, token: str | None = None) -> Any:
        data = body if isinstance(body, str) else json.dumps(body if body is not None else {})
        # The test's transaction never commits: run what the request queued on commit (mail).
        with self.on_commit(execute=True):
            return self.client.post(
                "/api/v1" + path, data, content_type="application/json", **self._headers(token)
            )


@pytest.fixture
def token(db: None) -> str:
    return api_token_create(name="cms")[1]


@pytest.fixture
def api(client: Client, token: str, django_capture_on_commit_callbacks: Any) -> Api:
    return Api(client, token, django_capture_on_commit_callbacks)


@pytest.fixture
def edition(db: None) -> Edition:
    return factories.edition(
        slug="us",
        name="US Evening Headlines",
        timezone="America/New_York",
        privacy_url="https://news.example/privacy",
        privacy_version="2026-01",
    )
