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

from headlines.core.names import controls_escaped
from headlines.intake.pipeline.reports import IngestReport, NoProgress


class _Unended:
    """Django's OutputWrapper ends every write with a newline; rich writes control codes and
    partial lines, each of which became a stray blank line. This writes them as they are."""

    def __init__(self, out: Any) -> None:
        self.out = out

    def write(self, text: str) -> int:
        self.out.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return bool(self.out.isatty())


def console_for(stream: IO[str] | Any) -> Console:
    out: Any = _Unended(stream) if hasattr(stream, "ending") else stream
    # No markup: a cell holds what came from outside (a record's date "[/x]" in a reason
    # crashed `headlines import` with rich's MarkupError after storing the rest).
    return Console(file=out, width=120, soft_wrap=False, markup=False)


class QuietProgress:
    """No bars when the output is not a terminal (a log, a pipe): only the closing table."""

    def __enter__(self) -> NoProgress:
        return NoProgress()

    def __exit__(self, *exc: object) -> None:
        return None


def progress_for(console: Console) -> RichProgress | QuietProgress:
    return RichProgress(console) if console.is_terminal else QuietProgress()


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
        self.started = False

    def __enter__(self) -> RichProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.started:
            self.bars.stop()

    def start(self, label: str, total: int | None) -> None:
        # Drawn from the first stage on: started empty, rich prints blank lines for it.
        if not self.started:
            self.bars.start()
            self.started = True
        self.task = self.bars.add_task(label, total=total)

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.bars.advance(self.task, amount)


def report_table(reports: list[IngestReport]) -> Table:
    table = Table(
        "source", "fetched", "new", "copies", "duplicates", "failed", "reasons", title="Intake"
    )
    for report in reports:
        reasons = [controls_escaped(report.error)] if report.error else []
        reasons += [controls_escaped(f"{f.input}: {f.reason}") for f in report.failed[:5]]
        if len(report.failed) > 5:
            reasons.append(f"… and {len(report.failed) - 5} more")
        reasons += [controls_escaped(f"undated: {u.input}: {u.reason}") for u in report.undated[:5]]
        if len(report.undated) > 5:
            reasons.append(f"… and {len(report.undated) - 5} more undated")
        if report.held_back:
            reasons.append(report.held_back_note)
        if report.not_modified:
            reasons.append("not modified since the last fetch")
        if report.moved_to:
            reasons.append(f"moved permanently: fetched at {report.moved_to} from now on")
        table.add_row(
            report.source,
            str(report.fetched),
            str(report.new),
            str(report.copies),
            str(report.duplicates),
            str(report.failed_count),
            "\n".join(reasons) or "—",
        )
    return table
