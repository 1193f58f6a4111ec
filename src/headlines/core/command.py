"""The base of every `headlines` command: domain errors become a clear message and exit code 2."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from headlines.core.errors import DomainError


class HeadlinesCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except DatabaseError as exc:
            # A new data dir or a new release: say what to do instead of a "no such table" trace.
            if _migrations_pending():
                raise CommandError(
                    "the database is not set up for this release yet: run `headlines migrate` "
                    f"first (or `headlines run`, which migrates). ({exc})",
                    returncode=2,
                ) from exc
            raise


def _migrations_pending() -> bool:
    try:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return True
