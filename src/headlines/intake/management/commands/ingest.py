from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from headlines.core.command import HeadlinesCommand
from headlines.intake import selectors, services
from headlines.intake.management.console import console_for, progress_for, report_table


class Command(HeadlinesCommand):
    help = "Fetch the configured sources now (all enabled ones, or --source SLUG)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--source", default=None, help="Only this source (by slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        console = console_for(self.stdout)
        # `--source ""` (an unset shell variable) names no source: not all of them.
        if options["source"] is not None:
            sources = [selectors.source_get(slug=options["source"])]
        else:
            sources = [s for s in selectors.source_list() if s.enabled]
        if not sources:
            self.stdout.write("No enabled sources. Add one with `headlines source add`.")
            return
        with progress_for(console) as progress:
            if options["source"] is not None:  # the one asked for: another process's is an error
                reports = [services.source_ingest(source_id=sources[0].pk, progress=progress)]
            else:
                ids = [source.pk for source in sources]
                reports = services.sources_ingest(
                    source_ids=ids, progress=progress, report_busy=True
                )
        console.print(report_table(reports))
        failed = [f"{r.source}: {r.error}" for r in reports if r.error]
        failed += [f"{r.source}: {f.input}: {f.reason}" for r in reports for f in r.failed]
        self.finish(done=sum(1 for r in reports if r.ok), failed=failed)
