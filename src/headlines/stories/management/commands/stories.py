from __future__ import annotations

import math
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from headlines.core import selectors as core_selectors
from headlines.core.command import HeadlinesCommand, parse_day


def _hours(value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a number of hours") from None
    if not math.isfinite(hours) or hours <= 0:
        raise ArgumentTypeError(f"{value!r}: hours must be a positive number")
    return hours


class Command(HeadlinesCommand):
    help = (
        "Every story of a window, ranked, with its articles: `stories --edition SLUG "
        "[--date YYYY-MM-DD] [--hours H] [--format text|json]`. Stores nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--edition", required=True, help="Edition slug, e.g. us.")
        parser.add_argument("--date", default=None, help="Edition-local day (default: today).")
        parser.add_argument(
            "--hours",
            type=_hours,
            default=None,
            help="Hours of articles before the day's send time (default: the digest's window).",
        )
        parser.add_argument(
            "--format", choices=["text", "json"], default="text", help="Output format."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from headlines.stories import listing  # the clustering's imports load only when used

        day = parse_day(options["date"])
        edition = core_selectors.edition_get(slug=options["edition"])
        window = listing.window_stories(edition=edition, day=day, hours=options["hours"])
        if options["format"] == "json":
            payload = listing.as_json(window.stories)
            self.stdout.write(self.json_text(payload, indent=2))
        else:
            self.stdout.write(listing.as_text(window))
        if not window.stories:
            self.stderr.write(listing.elsewhere(window))
