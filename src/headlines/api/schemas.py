"""The API's request and response shapes (pydantic, through django-ninja): the OpenAPI schema."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from headlines.intake.models import FETCH_INTERVAL_MAX_MINUTES

# `format: email` tells a client (and a schema-driven fuzzer) that "000" is no address: the
# server checks it as the sign-up form does, and answers 422 for one that is not.
Email = Field(
    ...,
    min_length=3,
    max_length=320,
    examples=["reader@example.com"],
    json_schema_extra={"format": "email"},
)

# One edition's or topic's slug in a list: no slug is longer (the models' max_length). Unbounded,
# a 2 MB "topic" was refused as "unknown topic xxx…", the whole of it repeated in the answer.
SlugItem = Annotated[str, Field(max_length=50)]


class In(Schema):
    """A request body. No text in it may hold a NUL character: no reader, slug or URL has one,
    and PostgreSQL refuses to store or even compare it (a 500 instead of a clear 422).

    A field the body does not take is refused, not ignored: a script's typo (`marketting`,
    `topic`) was answered 202 while the reader's consent or topics were silently dropped."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and "\x00" in t for t in texts):
            raise ValueError("must not contain a NUL character")
        return value


class Error(Schema):
    """A refusal: `detail` is a sentence, or for 422 one entry per offending field."""

    detail: str | list[dict[str, Any]]


class EditionOut(Schema):
    slug: str
    name: str
    language: str
    timezone: str
    send_at: str
    enabled: bool
    privacy_url: str
    privacy_version: str


IMPORT_ONLY_HELP = (
    "Only with confirmed: true; refused (422) in a double opt-in, which does not store it."
)


class SignupIn(In):
    email: str = Email
    edition: str = Field(..., min_length=1, max_length=50, description="Edition slug.")
    marketing: bool = False
    topics: list[SlugItem] = Field(default_factory=list, max_length=50)
    source: str = Field(
        "", max_length=200, description="Where the caller got the sign-up (kept in the audit)."
    )
    confirmed: bool = Field(
        False,
        description="True: the reader already consented elsewhere and is imported confirmed, "
        "as by the CSV import (needs consent_source and consent_at). False: double opt-in.",
    )
    consent_source: str = Field("", max_length=200, description=IMPORT_ONLY_HELP)
    consent_at: dt.datetime | None = Field(None, description=IMPORT_ONLY_HELP)
    name: str = Field("", max_length=200, description=IMPORT_ONLY_HELP)
    timezone: str = Field("", max_length=64, description=IMPORT_ONLY_HELP)


class Accepted(Schema):
    status: Literal["accepted"]
    message: str


class SubscriptionOut(Schema):
    edition: str
    status: str
    timezone: str
    send_hour: int | None
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    unsubscribed_at: dt.datetime | None


class SubscriberOut(Schema):
    email: str
    name: str
    marketing: bool
    created_at: dt.datetime
    subscriptions: list[SubscriptionOut]


class EmailIn(In):
    email: str = Email


class UnsubscribeIn(In):
    email: str = Email
    edition: str = Field(..., min_length=1, max_length=50)


class Done(Schema):
    status: str
    message: str


class DigestSummary(Schema):
    id: int
    edition: str
    date: dt.date
    state: str
    subject: str
    approved_at: dt.datetime | None
    sent_at: dt.datetime | None


class DigestItemOut(Schema):
    position: int
    headline: str
    summary: str
    url: str
    sources: list[str]
    story_id: int | None
    dropped: bool
    pinned: bool


class DigestOut(DigestSummary):
    preheader: str
    web_url: str
    items: list[DigestItemOut]


class SendStarted(Schema):
    status: Literal["sending"]
    digest_id: int
    message: str


class StoryArticleOut(Schema):
    url: str
    title: str
    source: str
    published: dt.datetime | None


class StoryOut(Schema):
    id: int
    headline: str
    summary: str
    topics: list[str]
    rank: int | None
    articles: list[StoryArticleOut]


class StoriesOut(Schema):
    edition: str
    date: dt.date
    stories: list[StoryOut]


class SourceOut(Schema):
    slug: str
    name: str
    kind: str
    url: str = Field(..., description="A password in it (Basic auth) is shown as ***.")
    editions: list[str]
    language: str
    weight: float
    fetch_interval_minutes: int
    enabled: bool
    health: str
    last_error: str


class SourceIn(In):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Literal["feed", "sitemap", "page"] = "feed"
    url: str = Field(
        ...,
        min_length=1,
        max_length=2000,
        description="An http(s) URL on a public host (a private or loopback one is refused).",
        json_schema_extra={"format": "uri"},
    )
    editions: list[SlugItem] = Field(default_factory=list, max_length=50)
    language: str = Field("", max_length=16)
    weight: float = Field(1.0, ge=0, le=100)
    fetch_interval_minutes: int = Field(30, ge=1, le=FETCH_INTERVAL_MAX_MINUTES)
    slug: str = Field("", max_length=80)


class StoryClicksOut(Schema):
    position: int
    headline: str
    clicks: int


class DigestClicksOut(Schema):
    digest_id: int
    total: int
    stories: list[StoryClicksOut]
