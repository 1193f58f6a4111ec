import unicodedata

import pytest
from django.contrib.auth.models import User
from django.test import Client

from headlines.intake import services
from headlines.intake.models import Article, Source

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff() -> Client:
    User.objects.create_superuser("editor", "editor@example.test", "pw")
    client = Client()
    client.login(username="editor", password="pw")
    return client


def test_sources_show_health_and_the_readable_error(staff: Client) -> None:
    source = factories.source(url="http://127.0.0.1:9/feed")
    Source.objects.filter(pk=source.pk).update(
        last_error="http://127.0.0.1:9/feed: connection failed (refused)",
        consecutive_failures=2,
        last_fetched_at="2024-03-14T09:00:00Z",
        last_report={
            "fetched": 3,
            "new": 1,
            "copies": 2,
            "duplicates": 1,
            "failed_count": 1,
            "failed": [{"input": "http://127.0.0.1:9/a.html", "reason": "no article text"}],
        },
    )
    listing = staff.get("/admin/intake/source/").content.decode()
    assert "failing (2 in a row)" in listing and "connection failed (refused)" in listing
    page = staff.get(f"/admin/intake/source/{source.pk}/change/").content.decode()
    assert "connection failed (refused)" in page
    counts = (("Fetched", 3), ("New", 1), ("Stored as copies", 2), ("Already held", 1))
    for label, count in (*counts, ("Failed", 1)):
        assert f"<tr><th>{label}</th><td>{count}</td></tr>" in page
    assert "failed_count" not in page
    assert "<code>http://127.0.0.1:9/a.html</code>: no article text" in page


def test_a_source_shows_what_the_cap_held_back_of_its_last_run(
    staff: Client, web, fetcher, settings, monkeypatch
) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_INTAKE_MAX_ITEMS", 2)
    web.serve("/a", factories.page())
    links = [(f"Story {n}", web.url(f"/{n}")) for n in range(5)]
    source = factories.source(url=web.serve("/feed", factories.rss(links)))
    services.source_ingest(source_id=source.pk, fetcher=fetcher)
    page = staff.get(f"/admin/intake/source/{source.pk}/change/").content.decode()
    assert (
        "<tr><th>Held back by the cap</th><td>3 new entries held back by "
        "HEADLINES_INTAKE_MAX_ITEMS (2 a run): the next run fetches them</td></tr>"
    ) in page


def test_a_failing_source_shows_when_it_is_fetched_again(staff: Client) -> None:
    source = factories.source(url="http://127.0.0.1:9/feed", fetch_interval_minutes=30)
    Source.objects.filter(pk=source.pk).update(
        last_error="http://127.0.0.1:9/feed: HTTP 503 Service Unavailable",
        consecutive_failures=3,  # 30 minutes doubled three times: 4 hours after the last try
        last_fetched_at="2024-03-14T09:00:00Z",
    )
    listing = staff.get("/admin/intake/source/").content.decode()
    page = staff.get(f"/admin/intake/source/{source.pk}/change/").content.decode()
    for shown in (listing, page):
        assert "Next fetch" in shown and "March 14, 2024, 1 p.m." in shown


def test_articles_show_what_scrubbing_removed(staff: Client, tmp_path) -> None:
    (tmp_path / "a.txt").write_text(
        "date 2024-03-14 Sign up to our free Morning email. " + factories.BODY + "\n"
    )
    services.articles_import(paths=[str(tmp_path)])
    article = Article.objects.get()
    page = staff.get(f"/admin/intake/article/{article.pk}/change/").content.decode()
    assert "Sign up to our free Morning email." in page and "newsletter" in page


def test_a_dump_added_in_the_admin_keeps_its_path_from_the_root(
    staff: Client, tmp_path, monkeypatch
) -> None:
    (tmp_path / "dumps").mkdir()
    monkeypatch.chdir(tmp_path / "dumps")
    form = {
        "name": "Agency dump",
        "slug": "agency-dump",
        "kind": "dump",
        "url": "",
        "language": "",
        "weight": "1.0",
        "fetch_interval_minutes": "30",
        "enabled": "on",
    }
    missing = staff.post("/admin/intake/source/add/", {**form, "path": "nowhere"})
    assert "no such file or folder: nowhere" in missing.content.decode()
    assert not Source.objects.exists()
    added = staff.post("/admin/intake/source/add/", {**form, "path": "."})
    assert added.status_code == 302, added.content.decode()
    assert Source.objects.get().path == str(tmp_path / "dumps")


def test_ingest_now_action_queues_the_source(
    staff: Client, tmp_path, django_capture_on_commit_callbacks
) -> None:
    (tmp_path / "a.txt").write_text("date 2024-03-14 " + factories.BODY + "\n")
    source = factories.source(kind=Source.Kind.DUMP, url="", path=str(tmp_path))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/intake/source/",
            {"action": "ingest_now", "_selected_action": [source.pk]},
        )
    assert response.status_code == 302
    assert Article.objects.filter(source=source).count() == 1


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ({"name": "Harbour\x07Wire"}, "Name must be 1 to 200 printable characters."),
        (
            {"weight": "-5"},
            "Weight must be a finite number ≥ 0.",
        ),
        (
            {"fetch_interval_minutes": "0"},
            "The fetch interval (--interval) is 1 to 10080 minutes (a week), not 0.",
        ),
        (
            {"fetch_interval_minutes": "10081"},
            "The fetch interval (--interval) is 1 to 10080 minutes (a week), not 10081.",
        ),
    ],
)
def test_a_source_the_command_line_refuses_is_refused_in_the_admin_too(
    staff: Client, typed: dict[str, str], error: str
) -> None:
    form = {
        "name": " Harbour\x0bWire ",  # spaces, as `source add` takes them: one line
        "slug": "harbour-wire",
        "kind": "feed",
        "url": "https://wire.example/rss.xml",
        "path": "",
        "language": "",
        "weight": "1.0",
        "fetch_interval_minutes": "30",
        "enabled": "on",
    }
    response = staff.post("/admin/intake/source/add/", {**form, **typed})
    assert error in response.content.decode()
    assert not Source.objects.exists()
    added = staff.post("/admin/intake/source/add/", form)
    assert added.status_code == 302
    assert Source.objects.get().name == "Harbour Wire"


def test_an_error_naming_a_file_with_control_characters_is_shown_escaped(
    staff: Client, tmp_path
) -> None:
    # A dump folder's file may be named with any control character; a failed read of it was
    # recorded raw in the source's last error and last run, and so in the admin's HTML: ESC,
    # BEL, DEL, a C1 CSI and characters XML 1.0 forbids (\x01, \x0b), for a page to show.
    dump = tmp_path / "agency"
    dump.mkdir()
    (dump / "a.txt").write_text("date 2024-03-14 " + factories.BODY + "\n")
    evil = "evil\x1b[2J\x01\x07\x0b\x7f\x9b.html"
    (dump / evil).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01")
    source = factories.source(name="Agency", kind=Source.Kind.DUMP, url="", path=str(dump))
    report = services.source_ingest(source_id=source.pk)
    assert (report.new, len(report.failed)) == (1, 1)
    source.refresh_from_db()
    shown = "evil\\x1b[2J\\x01\\x07\\x0b\\x7f\\x9b.html"
    assert f"1 item(s) failed; first: {dump / shown}: binary data" in source.last_error
    assert source.last_report["failed"][0]["input"] == str(dump / shown)
    listing = staff.get("/admin/intake/source/").content.decode()
    page = staff.get(f"/admin/intake/source/{source.pk}/change/").content.decode()
    assert shown in page  # the list cuts the error at 120 characters, before the name
    for html in (listing, page):
        assert not [ch for ch in html if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"]


def test_an_error_recorded_raw_before_escaping_is_shown_escaped_and_cut_whole(
    staff: Client,
) -> None:
    # Errors and reports recorded before they were escaped hold the control characters of a
    # file's name raw until the source's next run; the admin showed them as they were, and its
    # list cut `\x1b` at 120 characters into `\x1`.
    source = factories.source(name="Agency", kind=Source.Kind.DUMP, url="", path="/")
    raw_name = "/srv/dumps/evil\x1b[2J\x01\x07\x0b\x7f\x9b.html"
    Source.objects.filter(pk=source.pk).update(
        last_error="x" * 118 + "\x1b[2J\x07 then " + raw_name,
        last_report={"failed_count": 1, "failed": [{"input": raw_name, "reason": "binary\x07"}]},
    )
    listing = staff.get("/admin/intake/source/").content.decode()
    page = staff.get(f"/admin/intake/source/{source.pk}/change/").content.decode()
    shown = "/srv/dumps/evil\\x1b[2J\\x01\\x07\\x0b\\x7f\\x9b.html"
    assert "x" * 118 + "…" in listing and "\\x1…" not in listing
    assert "x" * 118 + "\\x1b[2J\\x07 then " + shown in page
    assert f"<code>{shown}</code>: binary\\x07" in page
    for html in (listing, page):
        assert not [ch for ch in html if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r"]
