"""What one ingest or import did, for the closing table, the admin and the job log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from headlines.core.names import controls_escaped

if TYPE_CHECKING:  # the readers of every input kind load with the intake runs, not with this
    from headlines.intake.reading.inputs import Failure


class Progress(Protocol):
    """A progress display (rich in the CLI); services only report, never draw."""

    def start(self, label: str, total: int | None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class NoProgress:
    def start(self, label: str, total: int | None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None


@dataclass
class IngestReport:
    source: str
    fetched: int = 0
    new: int = 0
    # Stored, and linked to an earlier article as its copy (`Article.duplicate_of`): the same
    # or near-same text at another address, another outlet's report of it.
    copies: int = 0
    duplicates: int = 0  # already held: not stored again
    failed: list[Failure] = field(default_factory=list)
    # Read, but undated: the date its record or entry gave was not understood (the reason).
    undated: list[Failure] = field(default_factory=list)
    not_modified: bool = False
    error: str = ""
    skipped: str = ""
    retry_after: float | None = None  # seconds the source's server asked us to wait
    moved_to: str = ""  # the source's new URL, when it moved permanently
    # New entries of a feed or sitemap over HEADLINES_INTAKE_MAX_ITEMS: not fetched by this run,
    # left for the next (`cap`, the setting's value then).
    held_back: int = 0
    cap: int = 0

    @property
    def held_back_note(self) -> str:
        return held_back_note(self.held_back, self.cap)

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def failed_count(self) -> int:
        """Inputs (pages, records, files) that failed; a failure of the source itself, when
        no input got as far as failing, is one."""
        return len(self.failed) or (1 if self.error else 0)

    def as_dict(self) -> dict[str, Any]:
        """The report as the source keeps it (`last_report`), every text from outside with its
        control characters escaped: a file's name in a dump folder or a zip archive may hold
        any (`evil\\x1b[2J.html`), and stored raw it went into the admin's pages (ESC, BEL, DEL
        and C1 bytes in the HTML, characters XML 1.0 forbids). The pages escape what they show
        too (`Source.shown_error`), for what was stored before."""
        return {
            "source": self.source,
            "fetched": self.fetched,
            "new": self.new,
            "copies": self.copies,
            "duplicates": self.duplicates,
            "failed": [_failure(f) for f in self.failed[:50]],
            "failed_count": self.failed_count,
            "undated": [_failure(f) for f in self.undated[:50]],
            "undated_count": len(self.undated),
            "not_modified": self.not_modified,
            "error": controls_escaped(self.error),
            "skipped": self.skipped,
            "retry_after": self.retry_after,
            "moved_to": self.moved_to,
            "held_back": self.held_back,
            "cap": self.cap,
        }


def held_back_note(held_back: int, cap: int) -> str:
    """What the cap held back, in words; "" when it held back nothing."""
    if not held_back:
        return ""
    entries = "entry" if held_back == 1 else "entries"
    return (
        f"{held_back} new {entries} held back by HEADLINES_INTAKE_MAX_ITEMS "
        f"({cap} a run): the next run fetches them"
    )


def _failure(failure: Failure) -> dict[str, str]:
    return {"input": controls_escaped(failure.input), "reason": controls_escaped(failure.reason)}
