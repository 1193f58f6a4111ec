"""The subscriber CSV import and export of PRODUCT.md, shared by the admin and the CLI.

Import: columns `email`, `consent_source`, `consent_at`, optional `marketing`, `timezone`,
`name`, `topics` (the edition's topic slugs separated by `;`; empty: the whole digest). Every
row is checked first; every bad row is reported with its line number and reason; the good
rows are then imported in one transaction, each row whole or not at all.

A row is one line. No column may hold a line break, so a quoted field that runs past the end
of its line can only be a quote left open: that line is reported and the next line is read
afresh, instead of the csv module's habit of swallowing the rest of the file into one field.
Every non-blank data line therefore ends up counted as new, changed, already there, or bad.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TextIO

from django.db import IntegrityError, transaction

from headlines.core.errors import DomainError, InvalidInput
from headlines.core.selectors import edition_get
from headlines.core.untrusted import csv_error
from headlines.stories.topics import topics_of
from headlines.subscriptions import selectors, services, wording
from headlines.subscriptions.choices import subscriptions_topics_import
from headlines.subscriptions.hashing import email_hash

REQUIRED = ("email", "consent_source", "consent_at")
OPTIONAL = ("marketing", "timezone", "name", "topics")
YES = {"yes", "y", "true", "1", "on"}
NO = {"no", "n", "false", "0", "off", ""}
MAX_BYTES = 200 * 1024 * 1024
BATCH = 500


@dataclass
class ImportReport:
    rows: int = 0  # non-blank data lines read
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def imported(self) -> int:
        return self.new + self.changed + self.unchanged

    def summary(self) -> str:
        """One sentence a person can check against the file: every row is in one count."""
        return (
            f"{self.rows} row(s) read: {self.new} new, {self.changed} changed, "
            f"{self.unchanged} already there, {len(self.bad)} not imported."
        )

    def count(self, outcome: services.ImportOutcome) -> None:
        if outcome is services.ImportOutcome.NEW:
            self.new += 1
        elif outcome is services.ImportOutcome.CHANGED:
            self.changed += 1
        else:
            self.unchanged += 1


@dataclass(frozen=True)
class Row:
    line: int
    reader: services.ImportedReader
    email_hash: str
    topics: tuple[str, ...] | None = None  # None: the file has no topics column


def decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise InvalidInput("the file is larger than 200 MB; split it")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Where a person can find it: its line, as the bad rows are named, and the character.
        line = raw.count(b"\n", 0, exc.start) + 1
        before = raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8-sig")
        column = len(before) + 1  # characters, not bytes: what came before it is UTF-8
        raise InvalidInput(
            f"the file is not UTF-8 text: line {line}, character {column} (byte "
            f"0x{raw[exc.start]:02x}); save it as UTF-8 (CSV UTF-8 in a spreadsheet) and "
            "import it again; nothing was imported"
        ) from None


def subscribers_import_csv(*, text: str, edition_slug: str) -> ImportReport:
    """Check every row, then import the good ones; the report lists each bad row's reason."""
    edition = edition_get(slug=edition_slug)
    report = ImportReport()
    known = [t.slug for t in topics_of(edition_id=edition.pk)]
    rows = _parse(text, report, known)
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            _import_batch(rows[start : start + BATCH], edition.pk, report)
    report.bad.sort()
    return report


def _import_batch(rows: list[Row], edition_id: int, report: ImportReport) -> None:
    """Unknown addresses in bulk; readers confirmed already whom the row changes in nothing are
    counted without a write (a list imported again is mostly them: 50,000 rows took 85 s one
    by one on SQLite and 123 s on PostgreSQL, where the first import took 12 and 19); the other
    known ones (and a failed bulk batch) one by one; topics written only where they change."""
    standing = selectors.import_standing(edition_id=edition_id, hashes=[r.email_hash for r in rows])
    held = standing.held
    fresh = [r for r in rows if r.email_hash not in standing.known]
    one_by_one = [r for r in rows if r.email_hash in standing.known]
    failed: set[int] = set()
    if fresh:
        try:
            with transaction.atomic():
                readers = [r.reader for r in fresh]
                report.new += services.subscribers_import_new(
                    edition_id=edition_id, readers=readers
                )
        except (IntegrityError, DomainError):
            one_by_one += fresh
    for row in sorted(one_by_one, key=lambda r: r.line):
        reader = held.get(row.email_hash)
        if reader is not None and not services.import_changes(row.reader, reader):
            outcome = services.ImportOutcome.UNCHANGED
        else:
            try:
                _, outcome = services.subscription_import(edition_id=edition_id, reader=row.reader)
            except DomainError as exc:
                report.bad.append((row.line, str(exc)))
                failed.add(row.line)
                continue
        if outcome is services.ImportOutcome.UNCHANGED and _new_topics(row, held):
            outcome = services.ImportOutcome.CHANGED  # the topics are written below
        report.count(outcome)
    chosen = [
        (r.email_hash, r.topics) for r in rows if r.line not in failed and _new_topics(r, held)
    ]
    subscriptions_topics_import(edition_id=edition_id, chosen=chosen)


def _new_topics(row: Row, held: dict[str, selectors.Held]) -> bool:
    """The row gives topics (a topics column) other than the reader holds, or a new reader's."""
    if row.topics is None:
        return False
    reader = held.get(row.email_hash)
    return reader is None or set(row.topics) != reader.topics


def _parse(text: str, report: ImportReport, topics: list[str]) -> list[Row]:
    # Lines as the csv module counts them (\n, \r\n or a lone \r), so numbers agree.
    lines = io.StringIO(text, newline="").readlines()
    try:
        header = [h.strip().lower() for h in _fields(lines[0] if lines else "")]
    except InvalidInput as exc:
        raise InvalidInput(f"line 1, the header: {exc}") from None
    _header_check(header, lines[0] if lines else "")
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, physical in enumerate(lines[1:], start=2):
        try:
            values = _fields(physical)
            if not any(v.strip() for v in values):
                continue  # blank lines are not rows
            row = _row(line, header, values, topics)
            first = seen.setdefault(row.email_hash, line)
            if first != line:
                raise InvalidInput(f"the address already appears on line {first}")
        except InvalidInput as exc:
            report.bad.append((line, str(exc)))
        else:
            rows.append(row)
        report.rows += 1
    return rows


def _header_check(header: list[str], first_line: str) -> None:
    """The header names every required column, and each known column once."""
    if not first_line.strip():
        raise InvalidInput(
            f"line 1: the file has no header; its first line names the columns, at least "
            f"{', '.join(REQUIRED)}"
        )
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        said = f"line 1: the header lacks the column(s) {', '.join(missing)}"
        split = [h.strip().lower() for h in first_line.split(";")]
        if all(c in split for c in REQUIRED):
            # A spreadsheet set to a comma-decimal locale saves "CSV" with semicolons.
            said += " (its columns are separated by ';': save it as comma-separated CSV)"
        raise InvalidInput(said)
    # `email,email`: the csv module keeps the last, and the row imports an address nobody saw.
    twice = sorted({h for h in header if h in REQUIRED + OPTIONAL and header.count(h) > 1})
    if twice:
        raise InvalidInput(f"line 1: the header names the column(s) {', '.join(twice)} twice")


def _fields(physical: str) -> list[str]:
    """One line's fields; InvalidInput when the line cannot be read as CSV on its own."""
    if "\x00" in physical:
        # NUL is the one character Python's csv module refuses outright.
        raise InvalidInput("contains a NUL character")
    try:
        return next(csv.reader([physical], strict=True), [])
    except csv.Error as exc:
        raise InvalidInput(f"cannot be read as CSV: {csv_error(exc)} on this line") from None


def _topics(value: str, known: list[str]) -> tuple[str, ...]:
    wanted = [v.strip().lower() for v in value.split(";") if v.strip()]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        choices = ", ".join(known) or "none yet"
        raise InvalidInput(f"topic {_shown(unknown[0])} is not one of the edition's: {choices}")
    return tuple(k for k in known if k in wanted)


# Between a row's problems (a problem's own words may hold "; ").
PROBLEMS_APART = " | "


def _row(line: int, header: list[str], values: list[str], known: list[str]) -> Row:
    """The row's reader, or InvalidInput naming every problem of the row, not only its first:
    a list is mended in one pass."""
    if len(values) != len(header):
        raise InvalidInput(f"has {len(values)} fields; the header has {len(header)}")
    data = dict(zip(header, values, strict=True))
    problems: list[str] = []
    marketing = data.get("marketing", "").strip().lower()
    if marketing not in YES | NO:
        problems.append(f"marketing {_shown(marketing)} must be yes or no")
    try:
        consent_at = _when(data["consent_at"])
    except InvalidInput as exc:
        problems.append(str(exc))
        consent_at = None
    reader = services.ImportedReader(
        email=data["email"],
        consent_source=data["consent_source"],
        # A time that cannot be read is reported above; the reader's other fields are checked
        # all the same, at the earliest time that passes (the row is refused whatever they say).
        consent_at=services.CONSENT_FLOOR if consent_at is None else consent_at,
        marketing=marketing in YES,
        timezone=data.get("timezone", ""),
        name=data.get("name", ""),
    )
    cleaned, wrong = reader.checked()
    for problem in wrong:
        if problem.field != "email":
            problems.append(str(problem))
        elif str(problem) == wording.INTERNATIONAL_EMAIL:  # valid, but not every relay takes it
            problems.append(
                f"email {_shown(data['email'])} has accented or non-Latin letters before the @, "
                "which not every mail relay delivers to"
            )
        else:
            problems.append(f"email {_shown(data['email'])} is not a valid address")
    topics = None
    if "topics" in data:
        try:
            topics = _topics(data["topics"], known)
        except InvalidInput as exc:
            problems.append(str(exc))
    if problems or cleaned is None:
        raise InvalidInput(PROBLEMS_APART.join(problems))
    return Row(line=line, reader=cleaned, email_hash=email_hash(cleaned.email), topics=topics)


def _when(value: str) -> dt.datetime:
    if not value.strip():
        raise InvalidInput("consent_at is empty: give the time the reader consented")
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"consent_at {_shown(value)} is not an ISO 8601 time, e.g. 2024-05-01T09:30:00Z"
        ) from None
    if when.tzinfo is None:
        raise InvalidInput(
            "consent_at needs a time zone, e.g. 2024-05-01T09:30:00Z", field="consent_at"
        )
    return when


def _shown(value: str) -> str:
    """A bad value quoted for a report: short, and with control characters made visible."""
    return repr(value[:60] + ("…" if len(value) > 60 else ""))


def _cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet: defuse it (OWASP CSV injection).
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


def subscriptions_export_csv(*, out: TextIO, edition_slug: str | None = None) -> int:
    """Write one CSV row per subscription with its status; returns the number of rows."""
    # None is every edition; "" (`--edition "$UNSET"`) is an edition that does not exist.
    edition_id = edition_get(slug=edition_slug).pk if edition_slug is not None else None
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(selectors.EXPORT_COLUMNS)
    count = 0
    rows: Iterable[dict[str, str]] = selectors.subscriptions_export_rows(edition_id=edition_id)
    for row in rows:
        writer.writerow([_cell(row[c]) for c in selectors.EXPORT_COLUMNS])
        count += 1
    return count
