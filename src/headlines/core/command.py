"""The base of every `headlines` command: domain errors become a clear message and exit code 2."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from headlines.core.errors import DomainError


class HeadlinesCommand(BaseCommand):
    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(str(exc), returncode=2) from exc
