from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings

from headlines.core.backups import database_backup
from headlines.core.command import HeadlinesCommand
from headlines.core.errors import InvalidInput


class Command(HeadlinesCommand):
    path_options = frozenset({"path"})
    help = (
        "Copy the embedded tier's SQLite database to PATH, online and consistent, while the "
        "service runs (PostgreSQL: pg_dump)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="The new file to write; never replaced.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["path"].strip():
            # Path("") is the working folder: this said ". exists already".
            raise InvalidInput("an empty argument names no file: give the backup's new file")
        backup = database_backup(path=Path(options["path"]))
        self.stdout.write(f"Backed up the database to {backup.path} ({backup.size:,} bytes).")
        key = Path(settings.DATA_DIR) / "secret_key"
        if not settings.CONFIG["HEADLINES_SECRET_KEY"] and key.exists():
            self.stdout.write(
                f"Keep a copy of {key} too: without it no link in a sent email works."
            )
