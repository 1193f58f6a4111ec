"""The PostgreSQL connection as the settings make it: values bound and statements prepared."""

from __future__ import annotations

import pytest
from django.db import connection

from headlines.core.models import Edition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL backend only")


def test_a_statement_run_often_is_prepared_once_and_then_reused() -> None:
    Edition.objects.create(slug="us", name="US")
    for _ in range(8):
        assert Edition.objects.filter(slug="us").count() == 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s AND statement LIKE %s",
            ['%FROM "core_edition"%', "%COUNT(*)%"],
        )
        found = cursor.fetchall()
    # psycopg prepares a statement once it has run it five times (prepare_threshold 5): the
    # sixth, seventh and eighth runs are the prepared statement's.
    assert [runs for _, runs in found] == [3], found
    assert "$1" in found[0][0], "the value is bound by the server, not written into the text"
