"""How intake's commands draw: rich progress bars and the closing table."""

from __future__ import annotations

from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from headlines.intake.pipeline.reports import IngestReport


def console_for(stream: IO[str] | Any) -> Console:
    return Console(file=stream, width=120, soft_wrap=False)


class RichProgress:
    """The `Progress` protocol drawn by rich; one bar per stage."""

    def __init__(self, console: Console) -> None:
        self.bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()

    def start(self, label: str, total: int | None) -> None:
        self.task = self.bars.add_task(label, total=total)

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.bars.advance(self.task, amount)


def report_table(reports: list[IngestReport]) -> Table:
    table = Table("source", "fetched", "new", "duplicates", "failed", "reasons", title="Intake")
    for report in reports:
        reasons = [report.error] if report.error else []
        reasons += [f"{f.input}: {f.reason}" for f in report.failed[:5]]
        if len(report.failed) > 5:
            reasons.append(f"… and {len(report.failed) - 5} more")
        if report.not_modified:
            reasons.append("not modified since the last fetch")
        table.add_row(
            report.source,
            str(report.fetched),
            str(report.new),
            str(report.duplicates),
            str(len(report.failed) + (1 if report.error else 0)),
            "\n".join(reasons) or "—",
        )
    return table
