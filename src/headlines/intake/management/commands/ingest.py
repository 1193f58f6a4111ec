from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from headlines.core.command import HeadlinesCommand
from headlines.intake import selectors, services
from headlines.intake.management.console import console_for, progress_for, report_table


class Command(HeadlinesCommand):
    help = "Fetch the configured sources now (all enabled ones, or --source SLUG)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--source", default="", help="Only this source (by slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        console = console_for(self.stdout)
        if options["source"]:
            sources = [selectors.source_get(slug=options["source"])]
        else:
            sources = [s for s in selectors.source_list() if s.enabled]
        if not sources:
            self.stdout.write("No enabled sources. Add one with `headlines source add`.")
            return
        reports = []
        with progress_for(console) as progress:
            for source in sources:
                reports.append(services.source_ingest(source_id=source.pk, progress=progress))
        console.print(report_table(reports))
