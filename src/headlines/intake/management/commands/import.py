from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from headlines.core.command import HeadlinesCommand, standard_input
from headlines.intake import services
from headlines.intake.management.console import console_for, progress_for, report_table
from headlines.stories import services as stories_services


class Command(HeadlinesCommand):
    path_options = frozenset({"paths"})
    help = (
        "Store articles from HTML pages, folders of them, JSONL, JSON and CSV/TSV dumps, text "
        "records (`date 2024-03-14 <text>`) and RSS/Atom/JSON Feed files, compressed (.gz, .bz2, "
        ".xz) or not."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help=(
                "HTML pages, folders or zip archives of them, text, JSONL, JSON or CSV/TSV dumps, "
                "RSS/Atom/JSON Feed files; any of them gzip-, bzip2- or xz-compressed; "
                "- reads standard input."
            ),
        )
        parser.add_argument(
            "--source",
            default="",
            help='Source name (created as a dump source if new; default "Imported files").',
        )
        parser.add_argument(
            "--edition",
            action="append",
            default=[],
            help="Also link the articles to this edition (repeat for several).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = console_for(self.stdout)
        with progress_for(console) as progress:
            report = services.articles_import(
                paths=options["paths"],
                source_name=options["source"],
                edition_slugs=options["edition"],
                progress=progress,
                stdin=standard_input(options["paths"]),
            )
            # A dump of headlines: their title vectors now, not in the evening's build.
            stories_services.title_vectors_fill(source_slug=report.source, progress=progress)
        console.print(report_table([report]))
        failed = [f"{f.input}: {f.reason}" for f in report.failed]
        if report.error and not failed:
            failed = [report.error]
        self.finish(
            done=report.fetched - len(report.failed), failed=failed, summary=report.error or None
        )
