import datetime as dt
import socket

from hypothesis import given, settings
from hypothesis import strategies as st

from headlines.core.models import Edition
from headlines.demo import steps
from headlines.demo.content import DAY_HOURS, load_articles
from headlines.stories.selectors import digest_window, edition_today


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_the_newsroom_takes_the_port_after_the_services() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        service_port = holder.getsockname()[1]
    server = steps.newsroom_start(port=service_port)
    try:
        # Unless another program took it meanwhile (then the fallback, tested below, served).
        assert server.port == service_port + 1 or not _bindable(service_port + 1)
    finally:
        server.stop()


def test_the_newsroom_finds_a_free_port_when_the_next_one_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        server = steps.newsroom_start(port=busy - 1)
        try:
            assert server.port != busy and server.port > 0
        finally:
            server.stop()


def test_every_demo_source_names_a_feed_the_newsroom_serves() -> None:
    server = steps.NewsroomServer()
    try:
        urls = server.feed_urls()
        assert all(source.feed in urls for source in steps.DEMO_SOURCES)
        covered = {slug for source in steps.DEMO_SOURCES for slug in source.editions}
        assert covered == {"us", "uk"}
    finally:
        server.stop()


def test_demo_readers_cover_both_editions_with_distinct_addresses() -> None:
    emails = [r.email for r in steps.DEMO_READERS]
    assert len(set(emails)) == len(emails)
    assert {r.edition for r in steps.DEMO_READERS} == {"us", "uk"}


def test_describe_reads_dicts_and_report_objects() -> None:
    from dataclasses import dataclass, field

    @dataclass(frozen=True)
    class Progress:
        digest_id: int
        sent: int
        failed: int
        rate: float

    @dataclass
    class Report:
        source: str
        fetched: int = 12
        new: int = 10
        failed: list[str] = field(default_factory=lambda: ["a page: 404"])
        not_modified: bool = False
        error: str = ""

    assert steps._describe({"sent": 3, "failed": 0}) == "sent 3, failed 0"
    assert steps._describe(Progress(7, 5, 0, 12.5)) == "sent 5, failed 0"
    assert steps._describe(Report("wire")) == "fetched 12, new 10, failed 1"
    assert steps._describe(Report("wire", error="HTTP 500")).endswith("error: HTTP 500")
    assert steps._describe("just words") == "just words"


def test_an_ingest_line_names_the_cap_only_when_it_held_some_back() -> None:
    # The demo's ingest lines read "…, undated 0, held_back 0, cap 0" once the report said what
    # the cap held back: two more tallies, one of them no tally at all.
    from headlines.intake.pipeline.reports import IngestReport

    quiet = steps._describe(IngestReport(source="wire", fetched=14, new=13))
    assert "cap" not in quiet and "held" not in quiet and quiet.startswith("fetched 14, new 13")
    report = IngestReport(source="wire", fetched=100, held_back=20, cap=100)
    capped = steps._describe(report)
    assert capped.endswith(", " + report.held_back_note)  # the words the CLI and the log use
    assert "20 new entries held back" in capped and "cap 100" not in capped


# The demo's editions as `editions_ensure_demo` makes them: 18:00 in New York and in London.
def _editions():
    return [
        Edition(slug="us", name="US", timezone="America/New_York", send_at=dt.time(18)),
        Edition(slug="uk", name="UK", timezone="Europe/London", send_at=dt.time(18)),
    ]


def _held(editions, moment, now):
    """How many of the newsroom's day's articles each edition's digest of today holds when the
    newsroom is dated back from `moment` (today: the edition's date at `now`)."""
    ages = [dt.timedelta(hours=a.age_hours) for a in load_articles() if a.age_hours < DAY_HOURS]
    held = []
    for edition in editions:
        start, end = digest_window(edition=edition, day=edition_today(edition=edition, at=now))
        held.append(sum(start <= moment - age < end for age in ages))
    return held


def test_after_londons_evening_the_newsroom_is_dated_back_into_both_digests() -> None:
    editions = _editions()
    day = sum(1 for a in load_articles() if a.age_hours < DAY_HOURS)
    for hour, minute in ((19, 35), (21, 15), (23, 35)):
        now = dt.datetime(2026, 12, 1, hour, minute, tzinfo=dt.UTC)
        moment = steps.newsroom_moment(editions=editions, now=now)
        assert moment < now
        # The whole day in both: dated from `now`, London's window (closed at 18:00) lost some.
        assert _held(editions, moment, now) == [day, day]
        assert min(_held(editions, now, now)) < day


def test_while_every_window_is_open_the_newsroom_is_dated_from_now() -> None:
    editions = _editions()
    for hour in (8, 11, 16):  # London's send time is 18:00 UTC in winter, 17:00 in summer
        now = dt.datetime(2026, 12, 1, hour, 5, tzinfo=dt.UTC)
        assert steps.newsroom_moment(editions=editions, now=now) == now
        summer = dt.datetime(2026, 7, 1, hour, 5, tzinfo=dt.UTC)
        assert steps.newsroom_moment(editions=editions, now=summer) == summer
        assert steps.newsroom_moment(editions=[], now=now) == now


@settings(max_examples=60, deadline=None)
@given(
    st.datetimes(
        min_value=dt.datetime(2026, 1, 1),
        max_value=dt.datetime(2027, 12, 31),
        timezones=st.just(dt.UTC),
    )
)
def test_the_newsroom_moment_is_never_later_and_never_worse_than_now(now: dt.datetime) -> None:
    editions = _editions()
    moment = steps.newsroom_moment(editions=editions, now=now)
    assert now - dt.timedelta(hours=24) <= moment <= now
    assert min(_held(editions, moment, now)) >= min(_held(editions, now, now))
