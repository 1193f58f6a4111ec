"""The `headlines` console script: Django's management commands under one name."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headlines.settings")
    from django.core.management import execute_from_command_line

    from headlines.config import ConfigError

    try:
        execute_from_command_line(["headlines", *(sys.argv[1:] if argv is None else argv)])
    except ConfigError as exc:
        sys.stderr.write(f"headlines: configuration error: {exc}\n")
        raise SystemExit(2) from None
