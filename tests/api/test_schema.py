"""Schemathesis against the schema the app serves: no 5xx, every response as documented.

Bounded (a dozen examples per operation) so it stays well under a minute in the normal suite;
a deeper run: `SCHEMATHESIS_EXAMPLES=150 pytest tests/api/test_schema.py` (about two minutes).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from headlines.api.services import api_token_create
from tests import factories
from tests.api import factories as newsroom

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def bearer(db: None) -> dict[str, str]:
    if not factories.Edition.objects.filter(slug="us").exists():
        edition = factories.edition(slug="us", name="US Evening Headlines")
        newsroom.digest(edition)
    return {"Authorization": f"Bearer {api_token_create(name='schemathesis')[1]}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_honours_its_schema(case, bearer, settings_rate) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS)


@pytest.fixture
def settings_rate(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # Hypothesis sends far more than a client would in a minute; the limit is tested elsewhere.
    monkeypatch.setitem(django_settings.CONFIG, "HEADLINES_API_RATE_PER_MINUTE", 1_000_000)
    # The WSGI handler closes the connection after each request, and with it the test's
    # transaction; Django's own test client unhooks the same signal for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_schema_says_what_the_server_refuses(client, db) -> None:
    # A client generated from the schema learns that an unknown field is refused, an address
    # is an email, and a story day has bounds, instead of finding out from 422s.
    served = client.get("/api/v1/openapi.json").json()
    bodies = ["SignupIn", "EmailIn", "UnsubscribeIn", "SourceIn"]
    for name in bodies:
        assert served["components"]["schemas"][name]["additionalProperties"] is False, name
    assert served["components"]["schemas"]["SignupIn"]["properties"]["email"]["format"] == "email"
    [day] = [
        p for p in served["paths"]["/api/v1/stories"]["get"]["parameters"] if p["name"] == "date"
    ]
    assert "1970-01-01 to 9000-01-01" in day["description"]
    # A source's url said only "a string": a generated client sent "0" and learnt from 422s.
    url = served["components"]["schemas"]["SourceIn"]["properties"]["url"]
    assert url["format"] == "uri" and "http(s)" in url["description"]


def test_each_operation_is_named_by_what_it_does_not_where_its_code_lives(client, db) -> None:
    # operationIds were the module path (headlines_api_routes_catalogue_digests_list): a client
    # generated from the schema named its methods after our files, and renamed them whenever a
    # view moved module.
    served = client.get("/api/v1/openapi.json").json()
    ids = [op["operationId"] for ops in served["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert "subscribers_create" in ids and "digests_list" in ids and "sources_add" in ids
    assert not [i for i in ids if "headlines" in i or "routes" in i]
