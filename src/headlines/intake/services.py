"""Writes on sources and articles. Keyword-only arguments; the domain raises core.errors.

Ingesting is many short transactions (one per article) rather than one long one: SQLite must not
be locked for a whole run, and a failure half-way keeps what was already stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.text import slugify

from headlines.core import clock, urls
from headlines.core.errors import Conflict, InvalidInput, NotFound, invalid_input_from
from headlines.core.languages import language_tag
from headlines.core.names import controls_escaped
from headlines.core.selectors import edition_get
from headlines.core.storable import storable
from headlines.intake import selectors
from headlines.intake.fetching.http import Fetcher, FetchOptions, HttpFetcher
from headlines.intake.models import FETCH_INTERVAL_MAX_MINUTES, Source
from headlines.intake.pipeline.reports import IngestReport, NoProgress, Progress
from headlines.intake.reading.paths import NO_SUCH, NOT_A_FILE, missing_reason
from headlines.intake.storing.line_memory import repeated_lines_prune

LEASE = dt.timedelta(minutes=15)
FORGET_SINGLE_LINES_DAYS = 30


def source_create(
    *,
    name: str,
    kind: str,
    url: str = "",
    path: str = "",
    editions: list[str] | None = None,
    language: str = "",
    weight: float = 1.0,
    is_local: bool = False,
    fetch_interval_minutes: int = 30,
    slug: str = "",
    enabled: bool = True,
    piped: bool = False,
) -> Source:
    """A new source. `piped`: a dump source that `headlines import -` fills from standard
    input, with no file or folder to read again (and so no path)."""
    name = source_name_clean(name)
    language = language_tag(language, blank=True)
    if kind not in Source.Kind.values:
        known = ", ".join(Source.Kind.values)
        raise InvalidInput(f"kind {kind!r} is not one of {known}", field="kind")
    if not (piped and kind == Source.Kind.DUMP and not path.strip()):
        url, path = _where(kind, url.strip(), path.strip())
    source_fetching_check(weight=weight, fetch_interval_minutes=fetch_interval_minutes)
    slug = slugify(slug or name)[:80]
    if not slug:
        raise InvalidInput("the name gives no usable slug; pass --slug", field="slug")
    edition_objects = [edition_get(slug=s) for s in editions or []]
    source = Source(
        name=name,
        slug=slug,
        kind=kind,
        url=url,
        path=path,
        language=language,
        weight=weight,
        is_local=is_local,
        fetch_interval_minutes=fetch_interval_minutes,
        enabled=enabled,
    )
    try:
        source.full_clean(validate_unique=False, exclude=["editions"])
    except Exception as exc:  # ValidationError: report the first field
        raise invalid_input_from(exc) from None
    try:
        with transaction.atomic():
            source.save()
            source.editions.set(edition_objects)
    except IntegrityError:
        raise Conflict(f"a source with slug {slug!r} already exists") from None
    return source


def source_name_clean(name: str) -> str:
    """A source's name as it is stored (one line), or InvalidInput."""
    name = " ".join(name.split())
    # A name shows in every digest that cites the source: a control character there is a
    # broken line in a plain-text email and a character XML 1.0 (the feed) cannot hold.
    if not name or len(name) > 200 or not name.isprintable():
        raise InvalidInput("name must be 1 to 200 printable characters", field="name")
    return name


def source_fetching_check(*, weight: float, fetch_interval_minutes: int) -> None:
    """InvalidInput unless the weight and the interval are ones ranking and fetching can use."""
    # `nan` passed `weight < 0` and failed the insert as a slug "already" taken; `inf` was
    # stored as a ranking weight no other source can be compared with.
    if not math.isfinite(weight) or weight < 0:
        raise InvalidInput("weight must be a finite number ≥ 0", field="weight")
    fetch_interval_check(fetch_interval_minutes)


def fetch_interval_check(minutes: int) -> int:
    """The minutes between a source's fetches, or InvalidInput. Past a week there was no
    refusal: 2880 was stored and fetched daily (the back-off's cap), and 9999999999 was stored
    on SQLite while PostgreSQL refused it naming the column (an integer out of range)."""
    if not 1 <= minutes <= FETCH_INTERVAL_MAX_MINUTES:
        raise InvalidInput(
            f"the fetch interval (--interval) is 1 to {FETCH_INTERVAL_MAX_MINUTES} minutes "
            f"(a week), not {minutes}",
            field="fetch_interval_minutes",
        )
    return minutes


def _where(kind: str, url: str, path: str) -> tuple[str, str]:
    if kind == Source.Kind.DUMP:
        return url, dump_path_check(path)
    scheme, colon, rest = url.partition(":")
    if colon and scheme.lower() in ("http", "https"):
        # A scheme is case-insensitive (RFC 3986 3.1): HTTPS://… was refused as no http(s)
        # URL. Stored in small letters, as every fetch and comparison expects it.
        url = scheme.lower() + colon + rest
    if not url.startswith(("http://", "https://")):
        raise InvalidInput(f"a {kind} source needs an http(s) URL", field="url")
    longest = Source._meta.get_field("url").max_length or 0
    if len(url) > longest:
        # Django's URL check stops at 2048 characters, before the column's length: a longer
        # one was refused as "Enter a valid URL.", which did not say what was wrong with it.
        raise InvalidInput(
            f"the source URL is {len(url)} characters long; at most {longest} are kept",
            field="url",
        )
    try:
        parts = urls.split(url)
    except ValueError as exc:
        # Django's URL check refuses it too, but its port was read first: the refusal said
        # the port was wrong.
        raise InvalidInput(f"the source URL is {exc}", field="url") from None
    try:
        # Django's URL check takes any five digits: port 99999 was stored, then failed at
        # every fetch with an error that did not say why.
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise InvalidInput("a source URL's port is a number from 1 to 65535", field="url")
    return url, path


def dump_path_check(path: str) -> str:
    """A dump source's file or folder as it is stored: checked, and absolute. Stored as given,
    `../dumps/agency` or `wire.jsonl` named another file, or none, when `ingest` ran from
    another folder or the scheduler from systemd's (/): "no such file or folder"."""
    if not path:
        raise InvalidInput("a dump source needs --path (a file or folder)", field="path")
    if not Path(path).exists():
        raise InvalidInput(_missing_said([path]), field="path")
    if not (Path(path).is_file() or Path(path).is_dir()):
        # /dev/null or a named pipe was added, and every ingest of it then failed.
        raise InvalidInput(f"{path}: {NOT_A_FILE}", field="path")
    path = _absolute(path)
    if path != storable(path):
        # A name in another charset (Latin-1 `caf\xe9.txt`) reaches Python as half
        # characters no database stores, and a path stored any other way is no longer the
        # file's: the insert crashed (UnicodeEncodeError, exit 3).
        raw = os.fsencode(path)
        shown = raw.decode("utf-8", "backslashreplace")
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            said = "is not UTF-8, so a source cannot keep it: rename it"
        else:
            # A UTF-8 name, given where the locale is not UTF-8 (`LC_ALL=C`): stored as
            # text, it would not be found again in this locale.
            said = (
                "is not valid text in this terminal's encoding (LC_ALL=C?), so a source "
                "cannot keep it: set a UTF-8 locale (LC_ALL=C.UTF-8) and run it again"
            )
        raise InvalidInput(f"the path {shown} {said}", field="path")
    return path


def _missing_said(paths: list[str]) -> str:
    """Why these paths, none of which exists, are refused: those that are not there at all
    together, as before, then each link to nothing or loop of links with its own reason."""
    reasons = {p: missing_reason(p) for p in paths}
    absent = [p if p.strip() else repr(p) for p, reason in reasons.items() if reason == NO_SUCH]
    said = [f"{NO_SUCH}: {', '.join(absent)}"] if absent else []
    said += [f"{p}: {reason}" for p, reason in reasons.items() if reason != NO_SUCH]
    return "; ".join(said)


def _absolute(path: str) -> str:
    """`path` from the root, its `..` read against the folders as they are. Its own name is
    kept, not resolved: a link such as `latest`, moved to each new export, is read anew at
    every run rather than pinned to the folder it named the day the source was added."""
    given = Path(path)
    if given.name in ("", ".."):
        return str(given.resolve())
    return str(given.parent.resolve() / given.name)


def source_set_enabled(*, source_id: int, enabled: bool) -> Source:
    updated = Source.objects.filter(pk=source_id).update(enabled=enabled)
    if not updated:
        raise NotFound(f"no source #{source_id}")
    return Source.objects.get(pk=source_id)


def source_delete(*, source_id: int) -> None:
    """Remove a source and its articles (stories built on them lose those links)."""
    deleted, _ = Source.objects.filter(pk=source_id).delete()
    if not deleted:
        raise NotFound(f"no source #{source_id}")


def default_fetcher() -> Fetcher:
    return HttpFetcher(FetchOptions.from_settings())


def source_ingest(
    *,
    source_id: int,
    fetcher: Fetcher | None = None,
    progress: Progress | None = None,
    edition_slugs: list[str] | None = None,
) -> IngestReport:
    """Fetch one source now. Failures are recorded on the source, never raised, except when the
    source does not exist or another process holds its lease."""
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise NotFound(f"no source #{source_id}")
    extra = [edition_get(slug=s).pk for s in edition_slugs or []]
    if not _claim(source):
        raise Conflict(f"source {source.slug} is being ingested by another process")
    own_fetcher = fetcher is None
    fetcher = fetcher or default_fetcher()
    try:
        from headlines.intake.pipeline.ingest import (
            IngestRun,  # extraction and scrubbing: intake only
        )

        run = IngestRun(source, fetcher=fetcher, progress=progress or NoProgress(), extra=extra)
        report = run.ingest()
        _record(source, report)
        return report
    finally:
        Source.objects.filter(pk=source.pk).update(lease_until=None)
        if own_fetcher:
            fetcher.close()


def articles_import(
    *,
    paths: list[str],
    source_name: str = "",
    edition_slug: str = "",
    edition_slugs: Sequence[str] = (),
    progress: Progress | None = None,
    stdin: BinaryIO | None = None,
) -> IngestReport:
    """Store articles from files and folders under a dump source (found or created by name),
    linked also to the editions named (`edition_slug` and `edition_slugs`). A path `-` is
    `stdin`, read as `headlines extract -` reads it (a page or feed, JSONL or text records).
    The source keeps the import's report as its last run, and its fetching state (last
    fetch, success, error, failures) as it was; an import whose every input failed
    (`report.error`) changes nothing stored."""
    if not paths:
        raise InvalidInput("name at least one file or folder to import")
    if paths.count("-") > 1:
        raise InvalidInput("- (standard input) can be read once: name it once", field="paths")
    if "-" in paths and stdin is None:
        raise InvalidInput("- (standard input) is read only by `headlines import`", field="paths")
    # An empty argument is no path, although Path("") is the working folder.
    files = [p for p in paths if p != "-"]
    missing = [p for p in files if not p.strip() or not Path(p).exists()]
    if missing:
        raise InvalidInput(_missing_said(missing), field="paths")
    slugs = dict.fromkeys([*([edition_slug] if edition_slug else []), *edition_slugs])
    extra = [edition_get(slug=slug).pk for slug in slugs]
    # A source first made by an import of standard input alone keeps no path: there is no
    # file to read again; nor does one of devices or pipes alone (each is reported as it is
    # read), and a file or folder named after one is the source's.
    readable = (p for p in files if Path(p).is_file() or Path(p).is_dir())
    source, created = _import_source(source_name or "Imported files", path=next(readable, ""))
    if not _claim(source):
        raise Conflict(f"source {source.slug} is being ingested by another process")
    try:
        from headlines.intake.pipeline.ingest import IngestRun

        run = IngestRun(source, fetcher=None, progress=progress or NoProgress(), extra=extra)
        report = run.import_paths(paths, stdin=stdin)
        if not report.error:
            # Its report is the source's last run (the admin's "Last run"), and that is all:
            # an import is no fetch of the source. Recorded as one (`_record`), it moved a
            # dump source's last success to now, and the next ingest, which reads the files
            # changed since then, never read one that had arrived in between; a failing feed
            # named by --source showed as "ok", and its partly bad file as the feed's error.
            # Refused (every input failed, nothing stored), it records nothing at all: the
            # command says so and exits 2.
            Source.objects.filter(pk=source.pk).update(last_report=report.as_dict())
    finally:
        Source.objects.filter(pk=source.pk).update(lease_until=None)
    if created and not source.articles.exists():
        source.delete()  # an import that stored nothing leaves no empty source behind
    return report


def sources_ingest(
    *,
    source_ids: Sequence[int],
    fetcher: Fetcher | None = None,
    progress: Progress | None = None,
    report_busy: bool = False,
) -> list[IngestReport]:
    """Fetch these sources now, one after another, through one fetcher: sources on the same host
    share its politeness (the per-host delay and concurrency, one robots.txt read, a host's
    Retry-After). A fetcher per source let twenty section feeds of one newspaper start their
    requests back to back and read its robots.txt twenty times a run. Sources deleted
    meanwhile are passed over, and so are those another process holds, unless `report_busy`:
    then each gets a report with that error (and the others are still fetched)."""
    reports = []
    own_fetcher = fetcher is None
    fetcher = fetcher or default_fetcher()
    try:
        for source_id in source_ids:
            try:
                reports.append(
                    source_ingest(source_id=source_id, fetcher=fetcher, progress=progress)
                )
            except Conflict as exc:
                slug = Source.objects.filter(pk=source_id).values_list("slug", flat=True).first()
                if report_busy and slug:
                    reports.append(IngestReport(source=slug, error=str(exc)))
            except NotFound:
                continue
    finally:
        if own_fetcher:
            fetcher.close()
    return reports


def ingest_due(*, fetcher: Fetcher | None = None) -> list[IngestReport]:
    """The periodic job's body: ingest every enabled source whose interval has passed.
    Sources that keep failing wait longer (interval x 2^failures, at most a day or the
    interval, if that is longer)."""
    due = [source.pk for source in selectors.sources_due(now=clock.now())]
    reports = sources_ingest(source_ids=due, fetcher=fetcher) if due else []
    repeated_lines_prune(older_than_days=FORGET_SINGLE_LINES_DAYS)
    return reports


def _import_source(name: str, *, path: str) -> tuple[Source, bool]:
    """The dump source of that name, and whether this import created it."""
    # A name in another script (`--source 新华社`) slugifies to nothing, and `import` has no
    # --slug: it gets one from the name's hash, the same at every import.
    digest = hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:8]
    slug = slugify(name)[:80] or f"source-{digest}"
    found = Source.objects.filter(Q(slug=slug) | Q(name=name)).first()
    if found is not None:
        return found, False
    created = source_create(
        name=name, kind=Source.Kind.DUMP, path=path, enabled=False, slug=slug, piped=not path
    )
    return created, True


def _claim(source: Source) -> bool:
    """Take the source's lease with one conditional UPDATE, so only one process ingests it."""
    now = clock.now()
    claimed = (
        Source.objects.filter(pk=source.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )
    return bool(claimed)


def _record(source: Source, report: IngestReport) -> None:
    now = clock.now()
    fields: dict[str, object] = {
        "last_fetched_at": now,
        "last_report": report.as_dict(),
        "runs_total": F("runs_total") + 1,
    }
    if report.error:
        fields.update(
            last_error=controls_escaped(report.error),  # as `last_report` holds it
            last_error_at=now,
            consecutive_failures=F("consecutive_failures") + 1,
            failures_total=F("failures_total") + 1,
        )
    else:
        fields.update(last_success_at=now, consecutive_failures=0)
        if report.failed:
            first = report.failed[0]
            fields.update(
                last_error=controls_escaped(
                    f"{len(report.failed)} item(s) failed; first: {first.input}: {first.reason}"
                ),
                last_error_at=now,
            )
    Source.objects.filter(pk=source.pk).update(**fields)
