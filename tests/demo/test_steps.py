import socket

from headlines.demo import steps


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
