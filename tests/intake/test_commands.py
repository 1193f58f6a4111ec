import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
import zipfile
from io import BytesIO, StringIO, TextIOWrapper
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from headlines.core import clock
from headlines.intake.models import Article, RepeatedLine, Source
from tests import factories as core_factories

from . import factories

UNSEEN_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Harbour ferry returns after storm repairs | The Quayside Courier</title>
<meta property="og:title" content="Harbour ferry returns after storm repairs">
<meta name="date" content="2025-02-03T07:15:00+00:00"></head><body>
<header><a href="/">The Quayside Courier</a><ul><li>Local</li><li>Sport</li></ul></header>
<div id="consent">This site uses cookies. By continuing to browse you consent to our use of
cookies. <button>Got it</button></div>
<main><article><h1>Harbour ferry returns after storm repairs</h1>
<p class="byline">By Morag Ellis</p>
<p>The harbour ferry resumed its crossings on Monday after six weeks of repairs to the
landing stage, which was battered by January's storms.</p>
<figure><figcaption>The ferry leaving the quay on Monday. Photograph: Ian Burt/Quayside
Courier</figcaption></figure>
<p>Passengers queued from before dawn for the first sailing, and the operator said timetables
would return to normal by the end of the week.</p>
<div class="promo"><p>Want the Quayside Morning in your inbox? Sign up for our free
newsletter.</p></div>
<p>Repairs cost the harbour trust about £400,000, most of it met by an emergency grant.</p>
<p>Related: Storm damage bill tops £2m across the coast</p>
<div class="share">Share this story: Facebook · X · WhatsApp · Email</div>
</article></main><footer>© 2025 The Quayside Courier. Privacy notice.</footer></body></html>"""

UNSEEN_DUMP = (
    "date 2025-02-04 Never miss a story: get our Daily Digest delivered to your inbox. "
    "Email address Sign up You're all set! The county will reopen the coastal path at "
    "Nethercombe next month after a landslip closed it for most of last year, rangers said "
    "on Tuesday. Work to stabilise the cliff is almost finished. Walkers on the reopened path "
    "near the cove (Photo: Ann Price/Coast News) We use cookies to personalise content. "
    "Manage preferences\n"
)


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_extract_prints_just_the_article_dated(tmp_path: Path) -> None:
    page = tmp_path / "ferry.html"
    page.write_text(UNSEEN_PAGE, encoding="utf-8")
    dump = tmp_path / "records.txt"
    dump.write_text(UNSEEN_DUMP, encoding="utf-8")
    lines = [
        json.loads(line) for line in run("extract", "--json", str(page), str(dump)).splitlines()
    ]
    ferry, path = lines
    assert ferry["title"] == "Harbour ferry returns after storm repairs"
    assert ferry["date"].startswith("2025-02-03")
    assert ferry["language"] == "en"
    assert ferry["text"].startswith("The harbour ferry resumed its crossings on Monday")
    assert ferry["text"].endswith("most of it met by an emergency grant.")
    for furniture in ("cookies", "Photograph", "Sign up", "Related", "Share", "Morag Ellis"):
        assert furniture not in ferry["text"]
    assert path["date"] == "2025-02-04"
    assert path["text"].startswith("The county will reopen the coastal path")
    assert path["text"].endswith("Work to stabilise the cliff is almost finished.")
    assert Article.objects.count() == 0 and Source.objects.count() == 0
    human = run("extract", str(dump))
    assert "2025-02-04" in human and "inbox" not in human


def exit_status(*args: str) -> tuple[int, str]:
    """(exit status, what it said on stderr) of a command, by the convention: 0 done, 1 some
    inputs failed, 2 nothing done."""
    err = StringIO()
    try:
        call_command(*args, stdout=StringIO(), stderr=err)
    except CommandError as exc:
        return exc.returncode, f"{err.getvalue()}{exc}"
    return 0, err.getvalue()


@pytest.mark.django_db
def test_extract_names_each_unreadable_input_and_exits_1_or_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.html"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    missing = tmp_path / "missing.txt"
    good = tmp_path / "good.txt"
    good.write_text(UNSEEN_DUMP)
    status, err = exit_status("extract", str(junk), str(missing))
    assert status == 2  # nothing done
    assert str(junk) in err and str(missing) in err
    status, err = exit_status("extract", str(good), str(junk))
    assert status == 1  # done, one input failed
    assert str(junk) in err and str(good) not in err
    assert exit_status("extract", str(good)) == (0, "")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        # urlsplit's own ValueError ("Invalid IPv6 URL") crashed the command with exit 3.
        ("http://[::1", "not a valid URL (a host in [ ] must be an IPv6 address"),
        ("http://[zz]/", "not a valid URL (a host in [ ] must be an IPv6 address"),
        ("http://news.example:99999/", "the port is not a number from 1 to 65535"),
    ],
)
@pytest.mark.django_db
def test_extract_names_a_url_it_cannot_read_and_exits_2(url: str, reason: str) -> None:
    status, err = exit_status("extract", url)
    assert status == 2
    assert f"failed: {url}: {reason}" in err


@pytest.mark.parametrize("url", ["http://[::1", "http://[zz]/feed", "https://[1.2.3.4]/feed"])
@pytest.mark.django_db
def test_source_add_refuses_a_url_it_cannot_read(url: str) -> None:
    # It was refused for its port ("a source URL's port is a number from 1 to 65535").
    status, err = exit_status("source", "add", "Metro Wire", "--url", url)
    assert status == 2
    assert "the source URL is not a valid URL" in err and "port" not in err
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_record_dated_in_the_future_is_kept_undated_and_named(tmp_path: Path) -> None:
    # Stored with its date, 2031 or 2099, it was in no digest or story list until then, and
    # the import's report said nothing.
    clock.set_clock(clock.FixedClock(dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)))
    texts = {
        "Ferry returns": "The harbour ferry resumed its crossings after six weeks of repairs.",
        "Bridge reopens": "The county reopened the old stone bridge to traffic on Monday.",
        "Pier rebuilt": "Builders finished the north pier a month ahead of the winter storms.",
    }
    dates = {  # hours ahead is a time zone slip or a fast clock, not a wrong year: kept
        "Ferry returns": "2031-01-01T00:00:00Z",
        "Bridge reopens": "2025-06-02",
        "Pier rebuilt": "2025-06-01T23:00",
    }
    dump = tmp_path / "wire.jsonl"
    dump.write_text(
        "".join(json.dumps({"title": t, "text": texts[t], "date": dates[t]}) + "\n" for t in texts)
    )
    text = tmp_path / "records.txt"
    text.write_text("date 2099-01-01 The lighthouse keeper retired after forty years at sea.\n")
    status, err = exit_status("extract", str(dump), str(text))
    assert status == 0
    assert err.splitlines() == [
        f"undated: {dump}:1: its date 2031-01-01T00:00:00+00:00 is in the future",
        f"undated: {text}:1: its date 2099-01-01 is in the future",
    ]
    out = run("import", str(dump), str(text), "--source", "Wire dump")
    assert out.count("undated: ") == 2  # in the closing table
    assert Source.objects.get().last_report["undated"] == [
        {"input": f"{dump}:1", "reason": "its date 2031-01-01T00:00:00+00:00 is in the future"},
        {"input": f"{text}:1", "reason": "its date 2099-01-01 is in the future"},
    ]
    dated = dict(Article.objects.values_list("title", "published_at"))
    assert dated["Ferry returns"] is None
    assert dated["Bridge reopens"] == dt.datetime(2025, 6, 2, 12, tzinfo=dt.UTC)
    assert dated["Pier rebuilt"] == dt.datetime(2025, 6, 1, 23, tzinfo=dt.UTC)
    assert Article.objects.get(input=f"{text}:1").published_at is None


@pytest.mark.django_db
def test_a_record_that_is_no_article_says_what_it_lacks(tmp_path: Path) -> None:
    # Each said "no article text (a record needs a text, or a headline of 3 words or more)",
    # the first although it has three words, and not that its date is no date.
    dump = tmp_path / "records.txt"
    dump.write_text("date 2022-02-30 bad date record\n\ndate 2022-03-01 one\n")
    jsonl = tmp_path / "records.jsonl"
    jsonl.write_text(
        json.dumps({"text": ""})
        + "\n"
        + json.dumps({"text": "Sign up for our newsletter to get the best stories every morning."})
        + "\n"
    )
    status, err = exit_status("import", str(dump), str(jsonl), "--source", "Wire dump")
    assert status == 2 and not Article.objects.exists()
    assert err.splitlines()[:4] == [
        f"failed: {dump}:1: the record's text is too short for an article: 3 words, where an "
        "article has 5 or more (or a headline of 3 words or more); and the record's date "
        "'2022-02-30' is not a real date",
        f"failed: {dump}:3: the record's text is too short for an article: 1 word, where an "
        "article has 5 or more (or a headline of 3 words or more)",
        f"failed: {jsonl}:1: no article text (a record needs a text, or a headline of 3 words "
        "or more)",
        # Words it had, every one of them a site's: said so, not "no article text".
        f"failed: {jsonl}:2: no article text left after removing page furniture (newsletter)",
    ]


@pytest.mark.django_db
def test_import_names_each_failed_input_and_exits_1_or_2(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("date 2024-03-14 " + factories.BODY + "\n")
    junk = tmp_path / "junk.html"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    missing = tmp_path / "missing.txt"
    for bad in ([str(missing), str(good)], [str(junk)]):
        status, err = exit_status("import", *bad, "--source", "Wire dump")
        assert status == 2 and bad[0] in err  # a missing path is refused before anything starts
        assert Article.objects.count() == 0
    status, err = exit_status("import", str(good), str(junk), "--source", "Wire dump")
    assert status == 1 and str(junk) in err and str(good) not in err
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_a_jsonl_record_with_half_a_character_is_reported_and_the_rest_imported(
    tmp_path: Path,
) -> None:
    # JSON can escape half of a UTF-16 pair ("\ud800"), which no database stores: the import
    # crashed on it, losing the records beside it.
    dump = tmp_path / "mixed.jsonl"
    good = {"url": "https://news.example/a", "title": "Ferry returns", "text": factories.BODY}
    dump.write_text(
        json.dumps(good)
        + "\n"
        + '{"url": "https://news.example/b", "title": "Bad \\ud800 title", "text": "x"}\n'
        + '{"url": "https://news.example/c", "title": "Fine", "text": "T\\udfffext"}\n'
    )
    status, err = exit_status("import", str(dump), "--source", "Wire dump")
    assert status == 1
    assert f"{dump}:2" in err and f"{dump}:3" in err and "half of a character" in err
    assert list(Article.objects.values_list("url", flat=True)) == ["https://news.example/a"]


@pytest.mark.django_db
def test_nul_in_a_page_dump_or_record_is_dropped_not_a_crash(tmp_path: Path) -> None:
    # PostgreSQL refuses NUL in text: one NUL anywhere crashed the whole import there.
    body = factories.BODY
    record = tmp_path / "records.jsonl"
    record.write_text(
        json.dumps({"url": "https://news.example/r", "title": "Ferry\u0000 returns", "text": body})
        + "\n"
    )
    dump = tmp_path / "dump.txt"
    dump.write_bytes(UNSEEN_DUMP.replace("coastal", "coas\x00tal").encode())
    page = tmp_path / "page.html"
    page.write_bytes(UNSEEN_PAGE.replace("resumed", "res\x00umed").encode())
    for path in (record, dump, page):
        assert exit_status("import", str(path), "--source", "Wire dump") == (0, "")
    assert Article.objects.count() == 3
    for title, text in Article.objects.values_list("title", "text"):
        assert "\x00" not in title + text
    assert Article.objects.filter(title="Ferry returns").exists()
    assert Article.objects.filter(text__contains="resumed its crossings").exists()
    assert Article.objects.filter(text__contains="reopen the coastal path").exists()


@pytest.mark.django_db
def test_source_add_list_and_ingest_table(web, tmp_path: Path) -> None:
    edition = core_factories.edition()
    web.serve("/a", factories.page())
    feed = web.serve("/feed", factories.rss([("Blaze", web.url("/a"))]))
    out = run("source", "add", "Metro Wire", "--url", feed, "--edition", edition.slug, "--local")
    assert "metro-wire" in out
    assert "never fetched" in run("source", "list")
    table = run("ingest", "--source", "metro-wire")
    assert "metro-wire" in table and "new" in table
    assert Article.objects.count() == 1
    with pytest.raises(CommandError) as raised:
        run("source", "add", "Bad", "--url", "gopher://x")
    assert raised.value.returncode == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("http://127.0.0.1:8733/feed.xml", "127.0.0.1 is a loopback address"),
        ("http://[::1]/feed.xml", "::1 is a loopback address"),
        ("http://10.0.0.7/feed.xml", "10.0.0.7 is a private address"),
        ("http://localhost:8000/feed.xml", "localhost is a loopback address"),
    ],
)
def test_source_add_says_when_its_url_is_one_only_a_local_source_may_fetch(
    web, url: str, said: str
) -> None:
    status, err = exit_status("source", "add", "Lab Feed", "--url", url)
    assert status == 0 and f"note: {said}: its fetches will be refused" in err
    assert "headlines source remove lab-feed" in err and "--local" in err
    ingest_status, ingest_err = exit_status("ingest", "--source", "lab-feed")
    assert ingest_status == 2 and "headlines source add … --local" in " ".join(ingest_err.split())
    status, err = exit_status("source", "add", "Lab Two", "--url", url, "--local")
    assert status == 0 and "note:" not in err
    status, err = exit_status("source", "add", "Public", "--url", "https://news.example/feed")
    assert status == 0 and "note:" not in err  # a name is checked when it is fetched


@pytest.mark.django_db
def test_import_prints_the_closing_table(tmp_path: Path) -> None:
    dump = tmp_path / "d.txt"
    dump.write_text("date 2024-03-14 " + factories.BODY + "\n")
    out = run("import", str(dump), "--source", "Wire dump")
    assert "wire-dump" in out and "1" in out
    with pytest.raises(CommandError) as raised:
        run("import", str(dump), "--edition", "nope")
    assert raised.value.returncode == 2
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_importing_the_same_file_for_another_edition_brings_its_articles_there(
    tmp_path: Path,
) -> None:
    # The operator imported a dump for one edition, then the same dump for a second: the
    # articles, known already and so counted as duplicates, never reached the second edition,
    # whose digest stayed empty.
    us, uk = core_factories.edition(slug="us"), core_factories.edition(slug="uk")
    dump = tmp_path / "d.txt"
    dump.write_text("date 2024-03-14 " + factories.BODY + "\n")
    run("import", str(dump), "--source", "Wire dump", "--edition", "us")
    out = run("import", str(dump), "--source", "Wire dump", "--edition", "uk")
    row = next(line for line in out.splitlines() if "wire-dump" in line)
    assert [c.strip() for c in row.split("\u2502") if c.strip()][:6] == [
        "wire-dump",
        "1",
        "0",
        "0",
        "1",
        "0",
    ]  # fetched, new, copies, duplicates, failed: nothing stored twice
    article = Article.objects.get()
    assert set(article.editions.all()) == {us, uk}
    run("import", str(dump), "--source", "Wire dump", "--edition", "uk")  # again: no change
    assert Article.objects.get().editions.count() == 2


@pytest.mark.django_db
def test_an_import_for_two_editions_reaches_both(tmp_path: Path) -> None:
    # `--edition us --edition uk` kept only the last one, without a word.
    us, uk = core_factories.edition(slug="us"), core_factories.edition(slug="uk")
    dump = tmp_path / "d.txt"
    dump.write_text("date 2024-03-14 " + factories.BODY + "\n")
    run("import", str(dump), "--edition", "us", "--edition", "uk", "--edition", "us")
    assert set(Article.objects.get().editions.all()) == {us, uk}
    status, err = exit_status("import", str(dump), "--edition", "us", "--edition", "")
    assert status == 2 and "no edition ''" in err


@pytest.mark.django_db
def test_a_dump_of_records_with_urls_imported_for_another_edition_reaches_it(
    tmp_path: Path,
) -> None:
    # As above, for records that carry their URL: those were skipped as already held before
    # the edition was added, and the second edition's digest stayed empty.
    us, uk = core_factories.edition(slug="us"), core_factories.edition(slug="uk")
    dump = tmp_path / "articles.jsonl"
    records = [
        {"title": f"Story {n} of the day", "text": f"{n} " + factories.BODY, "url": url}
        for n, url in enumerate(["https://wire.example/a", "https://wire.example/b?utm_source=x"])
    ]
    dump.write_text("".join(json.dumps(r) + "\n" for r in records))
    run("import", str(dump), "--edition", "us")
    out = run("import", str(dump), "--edition", "uk")
    row = next(line for line in out.splitlines() if "imported-files" in line)
    assert [c.strip() for c in row.split("\u2502") if c.strip()][:6] == [
        "imported-files",
        "2",
        "0",
        "0",
        "2",
        "0",
    ]  # nothing stored twice
    assert Article.objects.count() == 2
    assert all(set(a.editions.all()) == {us, uk} for a in Article.objects.all())


def refused_inputs(folder: Path, *, first: tuple[str, str]) -> list[Path]:
    """Inputs `import` can make nothing of: `first` (a name and its text), a picture named as
    a page, and a JSONL file that is no JSON."""
    written = folder / first[0]
    written.write_text(first[1])
    picture = folder / "picture.html"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    broken = folder / "broken.jsonl"
    broken.write_text("{not json\n")
    return [written, picture, broken]


@pytest.mark.django_db
def test_an_import_where_every_input_fails_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    empty, picture, broken = refused_inputs(tmp_path, first=("empty.txt", ""))
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import", str(empty), str(picture), str(broken), stdout=out)
    assert raised.value.returncode == 2  # nothing done (docs/operations.md, exit status)
    assert "all 3 inputs failed" in str(raised.value)
    printed = out.getvalue()
    assert not printed.startswith("\n") and "\n\n" not in printed
    row = next(line for line in printed.splitlines() if "imported-files" in line)
    cells = [c.strip() for c in row.split("\u2502") if c.strip()]
    # fetched, new, copies, duplicates, failed
    assert cells[:6] == ["imported-files", "3", "0", "0", "0", "3"]
    assert not Source.objects.exists()  # the source the import created is not left empty


@pytest.mark.django_db
def test_a_failing_import_into_a_named_source_keeps_that_source(tmp_path: Path) -> None:
    good = tmp_path / "d.txt"
    good.write_text("date 2024-03-14 " + factories.BODY + "\n")
    run("import", str(good), "--source", "Wire dump")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(CommandError):
        run("import", str(empty), "--source", "Wire dump")
    assert Source.objects.filter(slug="wire-dump").exists()
    assert Article.objects.count() == 1


def _stored() -> tuple[list[dict[str, object]], list[tuple[object, ...]], list[int]]:
    return (
        list(Source.objects.order_by("pk").values()),
        list(RepeatedLine.objects.order_by("pk").values_list("line_hash", "seen", "example")),
        list(Article.objects.order_by("pk").values_list("pk", flat=True)),
    )


@pytest.mark.django_db
def test_a_refused_import_into_a_source_changes_nothing_stored(tmp_path: Path) -> None:
    # Each was recorded on the source as its own failure: its last error, a failure in a row
    # (a feed named by --source then waited twice as long to be fetched) and the refused
    # file's lines in its memory of furniture.
    good = tmp_path / "d.txt"
    good.write_text("date 2024-03-14 " + factories.BODY + "\n")
    run("import", str(good), "--source", "Wire dump")
    before = _stored()
    prompt = ("prompt.html", "<html><body><p>Subscribe now</p><p>Short.</p></body></html>")
    for refused in refused_inputs(tmp_path, first=prompt):
        status, err = exit_status("import", str(refused), "--source", "Wire dump")
        assert status == 2 and f"failed: {refused}" in err
        assert _stored() == before
    assert Source.objects.get().health == "disabled"


@pytest.mark.django_db
def test_an_import_into_a_dump_source_leaves_its_next_ingest_every_new_file(
    tmp_path: Path,
) -> None:
    # The import was recorded as the source's fetch: its last success moved to the import's
    # time, and the next ingest, which reads the files changed since then, passed over a
    # file that had arrived in the folder in between; it was never read.
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)
    moment = clock.FixedClock(start)
    clock.set_clock(moment)
    agency = tmp_path / "agency"
    agency.mkdir()
    first = agency / "day1.txt"
    first.write_text("date 2024-03-14 " + factories.BODY + "\n")
    os.utime(first, (start.timestamp() - 3600,) * 2)
    run("source", "add", "Agency", "--kind", "dump", "--path", str(agency))
    run("ingest", "--source", "agency")
    before = Source.objects.values("last_fetched_at", "last_success_at", "runs_total").get()
    second = agency / "day2.txt"
    second.write_text("date 2024-03-15 The harbour ferry resumed its crossings " + UNSEEN_DUMP)
    os.utime(second, (start.timestamp() + 3600,) * 2)  # an hour after that ingest
    moment.advance(hours=2)
    extra = tmp_path / "extra.txt"
    extra.write_text(
        "date 2024-03-15 The city council voted seven to two on Thursday to extend the bus "
        "network to the northern suburbs, a plan years in the making that will cost forty "
        "million pounds.\n"
    )
    run("import", str(extra), "--source", "Agency")
    assert Source.objects.values("last_fetched_at", "last_success_at", "runs_total").get() == (
        before
    )
    assert Source.objects.get().last_report["new"] == 1  # the admin's "Last run" is the import
    moment.advance(minutes=30)
    run("ingest", "--source", "agency")
    assert Article.objects.filter(input=f"{second}:1").exists()


@pytest.mark.django_db
def test_an_empty_argument_reads_nothing_not_the_working_folder(
    tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "here.txt").write_text("date 2024-03-14 " + factories.BODY + "\n")
    monkeypatch.chdir(tmp_path)  # what `headlines import "$UNSET"` would read
    status, err = exit_status("import", "")
    assert status == 2 and "no such file or folder: ''" in err
    status, err = exit_status("extract", "")
    assert status == 2 and "'': an empty argument is no file or folder" in err
    assert Article.objects.count() == 0 and not Source.objects.exists()


@pytest.mark.parametrize(
    "url", ["file:///etc/hostname", "ftp://example.com/a.html", "javascript:x"]
)
def test_extract_of_a_url_it_cannot_fetch_says_which_urls_it_fetches(url: str) -> None:
    status, err = exit_status("extract", url)
    assert status == 2
    assert f"failed: {url}: " in err  # the input as typed, not as a path would mangle it
    assert "only http:// and https:// URLs are fetched" in err


@pytest.mark.django_db
def test_an_import_into_a_source_named_in_another_script_finds_it_again(tmp_path: Path) -> None:
    dump = tmp_path / "wire.txt"
    dump.write_text("date 2024-03-14 " + factories.BODY + "\n")
    run("import", str(dump), "--source", "新华社")
    source = Source.objects.get(name="新华社")
    assert source.slug.startswith("source-") and Article.objects.filter(source=source).exists()
    run("import", str(dump), "--source", "新华社")  # the same source, not a second one
    assert Source.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("weight", ["nan", "inf", "-1"])
def test_source_add_refuses_a_weight_that_is_no_finite_number(weight: str) -> None:
    url = "https://news.example/feed.xml"
    status, err = exit_status("source", "add", "Metro Wire", "--url", url, "--weight", weight)
    assert status == 2 and "weight must be a finite number ≥ 0" in err
    assert "already exists" not in err and not Source.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("interval", ["0", "-5", "10081", "9999999999"])
def test_source_add_refuses_an_interval_past_a_week(interval: str) -> None:
    # 2880 to 10080 were stored and fetched daily (the back-off's cap); 9999999999 was stored
    # on SQLite, and PostgreSQL refused it naming the column fetch_interval_minutes.
    url = "https://news.example/feed.xml"
    status, err = exit_status("source", "add", "Metro Wire", "--url", url, "--interval", interval)
    assert status == 2, err
    assert f"the fetch interval (--interval) is 1 to 10080 minutes (a week), not {interval}" in err
    assert "fetch_interval_minutes" not in err and not Source.objects.exists()
    run("source", "add", "Metro Wire", "--url", url, "--interval", "10080")
    assert Source.objects.get().fetch_interval_minutes == 10080


@pytest.mark.django_db
@pytest.mark.parametrize("length", [2001, 3000])
def test_source_add_says_a_url_is_too_long(length: int) -> None:
    base = "https://news.example/feed?q="
    url = base + "a" * (length - len(base))
    status, err = exit_status("source", "add", "Metro Wire", "--url", url)
    assert status == 2, err
    assert f"the source URL is {length} characters long; at most 2000 are kept" in err
    assert "Enter a valid URL" not in err and not Source.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zz top<script>", "english", "e\x01n"])
def test_source_add_refuses_a_language_that_is_no_code(language: str) -> None:
    url = "https://news.example/feed.xml"
    status, err = exit_status("source", "add", "Metro Wire", "--url", url, "--language", language)
    assert status == 2 and "is not a language code such as en, de or pt-BR" in err
    assert not Source.objects.exists()
    run("source", "add", "Metro Wire", "--url", url, "--language", "pt_br")
    assert Source.objects.get().language == "pt-BR"


@pytest.mark.django_db
def test_ingest_of_an_empty_source_name_ingests_nothing(tmp_path: Path) -> None:
    dump = tmp_path / "wire.txt"
    dump.write_text("date 2024-03-14 " + factories.BODY + "\n")
    run("source", "add", "Wire dump", "--kind", "dump", "--path", str(dump))
    status, err = exit_status("ingest", "--source", "")
    assert status == 2 and "no source ''" in err
    assert Article.objects.count() == 0  # not every enabled source


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_extract_on_a_closed_port_says_the_connection_was_refused() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/story"
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("extract", "--allow-local", url, stdout=StringIO(), stderr=err)
    assert "connection refused" in err.getvalue()
    assert "robots.txt" not in err.getvalue()


def test_extract_of_a_local_address_names_the_flag_that_allows_it() -> None:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("extract", "http://127.0.0.1:9/story", stdout=StringIO(), stderr=err)
    assert "--allow-local" in err.getvalue()


@pytest.mark.django_db
def test_a_real_dump_record_keeps_its_date_and_loses_its_caption(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    record = (
        " date 2022-09-28 Sign up to our free morning newsletter. Enter your email address. "
        "Ministers approved the new coastal defence plan on Wednesday after months of delay, "
        "officials said. Residents gather on the sea wall as the plan was announced (AFP via "
        "Getty Images) The work will start in the spring and last three years."
    )
    dump.write_bytes(b"\xef\xbb\xbf" + record.encode() + b"\r\n")
    article = json.loads(run("extract", "--json", str(dump)).splitlines()[0])
    assert article["date"] == "2022-09-28"
    assert article["text"] == (
        "Ministers approved the new coastal defence plan on Wednesday after months of delay, "
        "officials said. The work will start in the spring and last three years."
    )


@pytest.mark.django_db
def test_extract_prints_the_address_import_stores_and_no_script_link(tmp_path: Path) -> None:
    text = (
        "The harbour board voted on Tuesday to expand the ferry terminal next year, after "
        "months of debate among the town council and the fishermen of the bay."
    )
    rows = [
        {"url": "javascript:alert(1)", "title": "Harbour board votes on ferries", "text": text},
        {
            "url": "HTTPS://news.example/a",
            "title": "Library opens on Sundays",
            "text": "The town library will open on Sundays from next month, the council said, "
            "after a petition signed by more than two thousand residents and pupils.",
        },
        # No address a link can hold: a host in brackets that is no IPv6 address, no host.
        {"url": "http://[::1", "title": "Pier reopens after the storm", "text": text + " Pier."},
        {"url": "https://", "title": "Bus lanes open on the coast road", "text": text + " Bus."},
    ]
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    printed = [json.loads(line)["url"] for line in run("extract", "--json", str(dump)).splitlines()]
    assert printed == ["", "https://news.example/a", "", ""]
    run("import", str(dump))
    stored = dict(Article.objects.values_list("title", "url"))
    assert stored == {
        "Harbour board votes on ferries": "",
        "Library opens on Sundays": "https://news.example/a",
        "Pier reopens after the storm": "",
        "Bus lanes open on the coast road": "",
    }


@pytest.mark.django_db
def test_an_imported_feed_without_a_charset_is_stored_without_mojibake(tmp_path: Path) -> None:
    title = "東京で大雨、交通機関に乱れ"
    body = (
        "気象庁によると、東京都心では午後から激しい雨が降り、鉄道の一部区間で運転を見合わせた。"
        "交通機関の乱れは夜まで続く見通しだ。"
    )
    feed = tmp_path / "feed.xml"
    feed.write_bytes(
        (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>東京新報</title><item>'
            f"<title>{title}</title><link>https://example.test/a</link>"
            f"<description>{body}</description><category>社会</category></item></channel></rss>"
        ).encode("euc_jp")
    )
    run("import", str(feed))
    article = Article.objects.get()
    assert (article.title, article.text) == (title, body)
    assert (article.outlet, article.sections) == ("東京新報", ["社会"])


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_import_on_a_terminal_draws_its_bar_without_blank_lines(tmp_path: Path) -> None:
    import re

    dump = tmp_path / "d.txt"
    dump.write_text("date 2024-03-14 " + factories.BODY + "\n")
    out = Terminal()
    call_command("import", str(dump), stdout=out)
    lines = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue()).split("\n")
    assert any("reading" in line for line in lines)  # the progress bar was drawn
    assert any("Intake" in line for line in lines)  # then the table
    assert [line for line in lines[:-1] if not line.strip("\r ")] == []  # no blank line


@pytest.mark.django_db
def test_a_feeds_password_is_never_shown() -> None:
    url = f"http://reader:s3cret-pw@127.0.0.1:{_closed_port()}/feed.xml"
    run("source", "add", "Partner feed", "--url", url, "--local")
    status, _ = exit_status("ingest", "--source", "partner-feed")
    source = Source.objects.get()
    assert status != 0 and source.url == url  # kept whole: it goes with every request
    assert "connection refused" in source.last_error
    listed = run("source", "list")
    for shown in (listed, source.last_error, json.dumps(source.last_report)):
        assert "s3cret-pw" not in shown
    assert "***" in listed  # the table may wrap the URL, not drop the mask


@pytest.mark.django_db
def test_source_list_shows_why_a_source_fails_and_for_how_long(web) -> None:
    web.serve("/robots.txt", "", status=404)
    feed = web.serve(
        "/feeds/metro-wire/latest-news.xml",
        "slow down",
        status=429,
        headers={"Retry-After": "7200"},
    )
    run("source", "add", "Metro Wire", "--url", feed, "--local")
    exit_status("ingest", "--source", "metro-wire")
    listed = run("source", "list")
    assert "failing (1 in a row)" in listed
    # The reason and the wait (the table may wrap the words, never break them).
    words = listed.replace("│", " ").replace("\n", " ")
    for word in ("HTTP", "429", "Too", "Many", "Requests,", "asked", "wait", "2", "h"):
        assert f" {word} " in words
    # And when it is tried again: the two hours asked for, not the half-hour interval.
    assert " next try in 2 h " in words


@pytest.mark.django_db
def test_ingest_names_a_source_another_process_holds_and_fetches_the_rest(web) -> None:
    import datetime as dt

    from headlines.core import clock

    for name in ("Metro Wire", "Coast News"):
        url = web.serve(f"/{name[:5].lower()}", factories.page(name, f"{name}: {factories.BODY}"))
        run("source", "add", name, "--kind", "page", "--url", url, "--local")
    held_until = clock.now() + dt.timedelta(minutes=10)
    Source.objects.filter(slug="metro-wire").update(lease_until=held_until)
    status, said = exit_status("ingest")
    assert status == 1
    assert "metro-wire: source metro-wire is being ingested by another process" in said
    assert Article.objects.filter(source__slug="coast-news").count() == 1


@pytest.mark.django_db
def test_ingest_says_when_a_source_moved_permanently(web) -> None:
    web.serve("/a", factories.page())
    new = web.serve("/rss/latest.xml", factories.rss([("Blaze", web.url("/a"))]))
    old = web.serve("/feed", "", status=308, headers={"Location": "/rss/latest.xml"})
    run("source", "add", "Metro Wire", "--url", old, "--local")
    table = run("ingest", "--source", "metro-wire")
    assert "moved permanently" in table
    assert Source.objects.get(slug="metro-wire").url == new


@pytest.mark.django_db
def test_ingest_says_how_many_new_entries_the_cap_held_back(web, settings, monkeypatch) -> None:
    # Over HEADLINES_INTAKE_MAX_ITEMS, the table said "1 new" and nothing of the two left
    # for the next run: a feed that lists more than the cap a run looked merely quiet.
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_INTAKE_MAX_ITEMS", 1)
    for path in ("/a", "/b", "/c"):
        web.serve(path, factories.page())
    url = web.serve("/feed", factories.rss([(t, web.url(f"/{t}")) for t in ("a", "b", "c")]))
    run("source", "add", "Metro Wire", "--url", url, "--local")
    table = run("ingest", "--source", "metro-wire")
    # The reasons column, its wrapped lines joined.
    reasons = " ".join(line.split("│")[-2].strip() for line in table.splitlines() if "│" in line)
    said = "2 new entries held back by HEADLINES_INTAKE_MAX_ITEMS (1 a run): the next run fetches"
    assert said in reasons
    report = Source.objects.get(slug="metro-wire").last_report
    assert (report["new"], report["held_back"], report["cap"]) == (1, 2, 1)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_INTAKE_MAX_ITEMS", 5)
    assert "held back" not in run("ingest", "--source", "metro-wire")


CUT_SHORT_FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><title>Fe'
)
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss version="2.0"><channel><title>&b;</title></channel></rss>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title><item><title>&x;</title>
<link>https://example.test/a</link><description>&x; words</description></item></channel></rss>"""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>W</title></channel></rss>',
            "the feed has no entries",
        ),
        (CUT_SHORT_FEED, "not a readable RSS or Atom feed (line 1, column"),
        (LAUGHS, "refused hostile XML"),
        (EXTERNAL, "refused hostile XML"),
    ],
)
def test_a_feed_empty_cut_short_or_hostile_is_named_and_stores_nothing(
    tmp_path: Path, document: bytes, reason: str
) -> None:
    # An empty feed, and a feed cut short (read as an empty one), printed nothing: exit 0.
    good = tmp_path / "d.txt"
    good.write_text("date 2024-03-14 " + factories.BODY + "\n")
    run("import", str(good), "--source", "Wire")
    feed = tmp_path / "feed.xml"
    feed.write_bytes(document)
    status, err = exit_status("import", str(feed), "--source", "Wire")
    assert status == 2 and f"failed: {feed}: {reason}" in err
    assert exit_status("extract", str(feed))[0] == 2
    assert list(Article.objects.values_list("text", flat=True)) == [factories.BODY]


@pytest.mark.django_db
def test_a_pipe_or_a_dangling_link_is_named_for_what_it_is(tmp_path: Path) -> None:
    # Both were "no such file or folder", which they are not; reading a pipe may never end.
    pipe = tmp_path / "feed.xml"
    os.mkfifo(pipe)
    dangling = tmp_path / "latest.jsonl"
    dangling.symlink_to(tmp_path / "gone.jsonl")
    status, err = exit_status("extract", str(pipe), str(dangling))
    assert status == 2
    assert f"failed: {pipe}: not a file or folder (a device, a pipe or a socket" in err
    assert f"failed: {dangling}: a link to nothing" in err


@pytest.mark.django_db
def test_a_loop_of_links_or_a_dangling_link_named_to_import_is_named_for_what_it_is(
    tmp_path: Path,
) -> None:
    # `ln -s loop loop` named on the command line: import and source add said "no such file or
    # folder" of a link that is there (found inside a dump folder, it was named a loop).
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    dangling = tmp_path / "latest.jsonl"
    dangling.symlink_to(tmp_path / "gone.jsonl")
    status, err = exit_status("import", str(loop))
    assert status == 2
    assert f"{loop}: a link that leads back to itself (a loop of links)" in err
    assert "no such file" not in err
    status, err = exit_status("import", str(dangling), str(tmp_path / "absent.txt"))
    assert status == 2
    assert f"no such file or folder: {tmp_path / 'absent.txt'}; " in err
    assert f"{dangling}: a link to nothing: its target is missing" in err
    status, err = exit_status("source", "add", "Agency", "--kind", "dump", "--path", str(loop))
    assert status == 2 and f"{loop}: a link that leads back to itself" in err
    assert not Source.objects.exists()


@pytest.mark.django_db
def test_a_dump_source_of_a_device_or_a_pipe_is_refused_when_added(tmp_path: Path) -> None:
    # `source add --kind dump --path /dev/null` (or a named pipe) was added, exit 0, and every
    # ingest of it failed; an import naming a pipe first gave its source the pipe's path.
    pipe = tmp_path / "feed.jsonl"
    os.mkfifo(pipe)
    for path in (str(pipe), os.devnull):
        status, err = exit_status("source", "add", "Agency", "--kind", "dump", "--path", path)
        assert status == 2
        assert f"{path}: not a file or folder (a device, a pipe or a socket is not read)" in err
    assert not Source.objects.exists()
    good = tmp_path / "d.txt"
    good.write_text("date 2024-03-14 " + factories.BODY + "\n")
    status, err = exit_status("import", str(pipe), str(good), "--source", "Wire dump")
    assert status == 1 and f"failed: {pipe}: not a file or folder" in err
    assert Source.objects.get().path == str(good)


@pytest.mark.django_db
def test_a_file_name_in_another_charset_is_refused_by_name_not_a_crash(tmp_path: Path) -> None:
    # A Latin-1 name (`caf\xe9.txt`) reaches Python as half a character no database stores:
    # `import` and `source add` crashed on the new source's path (UnicodeEncodeError, exit 3).
    latin = os.fsdecode(bytes(tmp_path) + b"/caf\xe9.txt")
    Path(latin).write_text("date 2024-03-14 " + factories.BODY + "\n")
    for args in (["import", latin], ["source", "add", "Cafe", "--kind", "dump", "--path", latin]):
        status, err = exit_status(*args)
        assert status == 2
        assert "caf\\xe9.txt is not UTF-8" in err and "rename it" in err
    assert not Source.objects.exists() and not Article.objects.exists()
    folder = tmp_path / "dump"
    folder.mkdir()
    Path(latin).rename(os.fsdecode(bytes(folder) + b"/caf\xe9.txt"))
    assert exit_status("import", str(folder)) == (0, "")  # inside a folder it is read
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_control_characters_in_a_page_or_record_are_not_printed_or_stored(tmp_path: Path) -> None:
    # A title with an ESC was printed as is by `extract` (ESC [2J clears the terminal, ESC ]0;
    # sets its title) and stored for the digest; one `&#27;` in a paragraph lost the whole page
    # ("no article text found").
    page = tmp_path / "page.html"
    page.write_text(
        UNSEEN_PAGE.replace("Harbour ferry returns", "Harbour \x1b[2J\x1b]0;pwned\x07ferry returns")
        .replace("six weeks", "six &#27;[31mweeks")
        .replace("Morag Ellis", "Morag\x0cEllis")
    )
    record = tmp_path / "records.jsonl"
    record.write_text(
        json.dumps(
            {
                "url": "https://news.example/r",
                "title": "Ferry\x1b[31m returns",
                "author": "Ann\x07 Price",
                "source": "Quay\x1bside Courier",
                "section": "Lo\x9bcal",
                "text": factories.BODY.replace(" ", " \x1b[0m", 1),
            }
        )
        + "\n"
    )
    printed = run("extract", str(page), str(record), "--json")
    articles = [json.loads(line) for line in printed.splitlines()]
    assert [a["title"] for a in articles] == [
        "Harbour [2J]0;pwnedferry returns after storm repairs",
        "Ferry[31m returns",
    ]
    assert "six [31mweeks" in articles[0]["text"]
    assert (articles[1]["author"], articles[1]["outlet"]) == ("Ann Price", "Quayside Courier")
    assert articles[1]["sections"] == ["Local"]
    assert not any(ch in printed for ch in "\x1b\x07\x0c\x9b")
    assert "\\u00" not in printed  # nor escaped in the JSON
    assert exit_status("import", str(page), str(record)) == (0, "")
    stored = "".join(
        "".join(row) for row in Article.objects.values_list("title", "author", "text", "outlet")
    )
    assert Article.objects.count() == 2
    assert not any(ch in stored for ch in "\x1b\x07\x0c\x9b")


@pytest.mark.django_db
def test_a_records_author_is_stored_as_a_name_is_written(tmp_path: Path) -> None:
    # A dump's author field as a wire writes its byline: "By", capitals, the writer's page.
    record = tmp_path / "records.jsonl"
    record.write_text(
        json.dumps(
            {
                "url": "https://news.example/r",
                "title": "Ferry returns",
                "author": "By ANN PRICE (https://news.example/ann)",
                "text": factories.BODY,
            }
        )
        + "\n"
    )
    assert json.loads(run("extract", str(record), "--json"))["author"] == "Ann Price"
    assert exit_status("import", str(record)) == (0, "")
    assert list(Article.objects.values_list("author", flat=True)) == ["Ann Price"]


@pytest.mark.parametrize(
    ("content", "inputs"),
    [
        (UNSEEN_PAGE.encode(), ["-"]),
        (UNSEEN_DUMP.encode(), ["-:1"]),
        (
            gzip.compress(json.dumps({"title": "Ferry returns", "text": factories.BODY}).encode()),
            ["-:1"],
        ),
    ],
)
def test_extract_reads_a_pipe_as_dash(monkeypatch, content: bytes, inputs: list[str]) -> None:
    # `curl … | headlines extract -` said "failed: -: no such file or folder".
    monkeypatch.setattr(sys, "stdin", TextIOWrapper(BytesIO(content)))
    printed = run("extract", "-", "--json")
    assert [json.loads(line)["input"] for line in printed.splitlines()] == inputs


def test_extract_of_a_pipe_of_binary_data_says_so(monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", TextIOWrapper(BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(256))))
    assert exit_status("extract", "-") == (
        2,
        "failed: -: binary data, not a text document\n"
        "every input failed (named above): nothing was done",
    )


@pytest.mark.django_db
def test_extract_reaches_for_standard_input_only_when_dash_names_it(
    monkeypatch, tmp_path: Path, web
) -> None:
    # A cron job or service started with its input closed (`0<&-`) has no sys.stdin: `extract -`
    # crashed on it (AttributeError, exit 3) inside the pipeline, which now reads what the
    # command hands it, as `import -` does.
    records = tmp_path / "records.txt"
    records.write_text(UNSEEN_DUMP)
    page = web.serve("/news/ferry", UNSEEN_PAGE)
    monkeypatch.setattr(sys, "stdin", None)
    printed = run("extract", "--allow-local", "--json", str(records), page)
    inputs = [json.loads(line)["input"] for line in printed.splitlines()]
    assert inputs == [f"{records}:1", page]
    closed = "- names standard input, which is closed: pipe the input in"
    assert exit_status("extract", str(records), "-") == (2, closed)
    assert exit_status("import", "-") == (2, closed)
    assert not Source.objects.exists()
    # `-` named twice read the pipe once and then failed on its emptiness ("the file has no
    # text", exit 1); it is refused as `import - -` is.
    monkeypatch.setattr(sys, "stdin", TextIOWrapper(BytesIO(UNSEEN_DUMP.encode())))
    assert exit_status("extract", "-", "-") == (
        2,
        "- (standard input) can be read once: name it once",
    )


@pytest.mark.django_db
def test_import_reads_a_pipe_as_dash_into_the_source_named(monkeypatch, tmp_path: Path) -> None:
    # `zcat wire.jsonl.gz | headlines import -` said "no such file or folder: -".
    wire = gzip.compress(
        json.dumps({"title": "Ferry returns", "text": factories.BODY}).encode() + b"\n"
    )
    monkeypatch.setattr(sys, "stdin", TextIOWrapper(BytesIO(wire)))
    run("import", "-", "--source", "Metro Wire")
    (article,) = Article.objects.all()
    assert (article.title, article.source.name, article.input) == (
        "Ferry returns",
        "Metro Wire",
        "-:1",
    )
    # Beside a file, and into the default source; the pipe's text records keep their date.
    records = tmp_path / "records.txt"
    records.write_text("date 2024-03-14 " + factories.BODY.replace("ferry", "bridge") + "\n")
    monkeypatch.setattr(sys, "stdin", TextIOWrapper(BytesIO(UNSEEN_DUMP.encode())))
    run("import", str(records), "-")
    imported = Source.objects.get(name="Imported files")
    assert imported.path == str(records)
    assert sorted(a.input for a in imported.articles.all()) == ["-:1", f"{records}:1"]
    assert imported.articles.get(input="-:1").published_at.date().isoformat() == "2025-02-04"


@pytest.mark.django_db
def test_a_dump_path_is_kept_from_the_root_and_read_from_anywhere(
    tmp_path: Path, monkeypatch
) -> None:
    # Kept as typed ("../dumps/agency", "wire.jsonl"), it was read from whatever folder
    # `ingest` or the scheduler ran in: "no such file or folder".
    dumps, work, elsewhere = tmp_path / "dumps", tmp_path / "work", tmp_path / "elsewhere"
    for folder in (dumps / "agency", work, elsewhere):
        folder.mkdir(parents=True)
    (dumps / "agency" / "a.txt").write_text("date 2024-03-14 " + factories.BODY + "\n")
    wire = dumps / "wire.jsonl"
    wire.write_text(json.dumps({"title": "Bridge reopens", "text": factories.BODY}) + "\n")
    (dumps / "latest").symlink_to(dumps / "agency")
    monkeypatch.chdir(work)
    run("source", "add", "Agency", "--kind", "dump", "--path", "../dumps/agency")
    run("source", "add", "Latest", "--kind", "dump", "--path", "../dumps/latest")
    monkeypatch.chdir(dumps)
    run("import", "wire.jsonl", "--source", "Wire")
    assert dict(Source.objects.values_list("name", "path")) == {
        "Agency": str(dumps / "agency"),
        "Latest": str(dumps / "latest"),  # a link is followed at each run, not pinned
        "Wire": str(wire),
    }
    monkeypatch.chdir(elsewhere)
    assert exit_status("ingest", "--source", "agency") == (0, "")
    assert Article.objects.filter(source__name="Agency").count() == 1


@pytest.mark.django_db
def test_import_of_a_pipe_alone_makes_a_source_with_no_file_to_read_again(monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", TextIOWrapper(BytesIO(UNSEEN_DUMP.encode())))
    run("import", "-", "--source", "Coast pipe")
    source = Source.objects.get(name="Coast pipe")
    assert source.path == "" and source.articles.count() == 1
    status, err = exit_status("ingest", "--source", source.slug)
    assert status == 2 and "imported from standard input and has no file to read again" in err
    assert source.articles.count() == 1


@pytest.mark.django_db
def test_import_of_files_runs_with_no_standard_input_at_all(monkeypatch, tmp_path: Path) -> None:
    # A cron job or service started with its input closed (`0<&-`) has no sys.stdin: importing
    # files crashed reaching for it (AttributeError, exit 3) although no `-` was named.
    records = tmp_path / "records.txt"
    records.write_text("date 2024-03-14 " + factories.BODY + "\n")
    monkeypatch.setattr(sys, "stdin", None)
    run("import", str(records), "--source", "Coast cron")
    assert Source.objects.get(name="Coast cron").articles.count() == 1


@pytest.mark.django_db
def test_import_refuses_dash_twice_or_a_pipe_of_binary_data(monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", TextIOWrapper(BytesIO(UNSEEN_DUMP.encode())))
    assert exit_status("import", "-", "-") == (
        2,
        "- (standard input) can be read once: name it once",
    )
    monkeypatch.setattr(sys, "stdin", TextIOWrapper(BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(256))))
    status, err = exit_status("import", "-")
    assert status == 2 and "failed: -: binary data, not a text document" in err
    assert not Article.objects.exists() and not Source.objects.exists()


def test_a_folder_that_cannot_be_read_is_named_not_passed_over(tmp_path: Path) -> None:
    # `rglob` passes over a folder it may not list: its files were left out unsaid, and a
    # folder given by name "has no files".
    (tmp_path / "dump" / "locked").mkdir(parents=True)
    (tmp_path / "dump" / "good.txt").write_text("date 2024-03-14 " + factories.BODY + "\n")
    (tmp_path / "dump" / "locked" / "more.txt").write_text("date 2024-03-15 " + factories.BODY)
    (tmp_path / "dump" / "locked").chmod(0)
    # Root reads any folder; without the capabilities that let it, it is held to the mode.
    prefix = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root, and no setpriv to run the command without its powers")
        caps = "-dac_override,-dac_read_search"
        prefix = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", "--"]
    env = {"HEADLINES_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    try:
        results = [
            subprocess.run(
                [*prefix, sys.executable, "-m", "headlines", "extract", str(folder), "--json"],
                capture_output=True,
                text=True,
                env={**env, "HEADLINES_ENV_FILE": os.devnull},
                timeout=120,
            )
            for folder in (tmp_path / "dump", tmp_path / "dump" / "locked")
        ]
    finally:
        (tmp_path / "dump" / "locked").chmod(0o755)
    some, none = results
    locked = f"failed: {tmp_path}/dump/locked: the folder cannot be read (Permission denied)"
    assert some.returncode == 1 and some.stderr.splitlines()[0] == locked, some.stderr
    assert [json.loads(line)["input"] for line in some.stdout.splitlines()] == [
        f"{tmp_path}/dump/good.txt:1"
    ]
    assert none.returncode == 2 and none.stderr.splitlines()[0] == locked, none.stderr


def test_extract_reads_a_dump_at_a_url_as_the_same_file_on_disk(web) -> None:
    # `extract https://…/wire.jsonl` was read as a page: "no article text found".
    record = json.dumps({"url": "https://news.example/r", "title": "Ferry", "text": factories.BODY})
    jsonl = web.serve("/exports/wire.jsonl", record + "\n", headers={"Content-Type": "text/plain"})
    packed = web.serve(
        "/exports/wire.jsonl.gz",
        gzip.compress(record.encode()),
        headers={"Content-Type": "application/octet-stream"},
    )
    text = web.serve(
        "/exports/records.txt", UNSEEN_DUMP, headers={"Content-Type": "text/plain; charset=utf-8"}
    )
    page = web.serve("/news/records.txt", UNSEEN_PAGE)  # served as HTML: a page, whatever its name
    printed = run("extract", "--allow-local", "--json", jsonl, packed, text, page)
    articles = [json.loads(line) for line in printed.splitlines()]
    assert [a["input"] for a in articles] == [f"{jsonl}:1", f"{packed}:1", f"{text}:1", page]
    assert articles[0]["url"] == "https://news.example/r" and articles[2]["date"] == "2025-02-04"
    assert articles[3]["title"] == "Harbour ferry returns after storm repairs"


def test_extract_json_is_one_object_a_line_by_any_count_of_lines(tmp_path: Path) -> None:
    # A title with U+2028 (or a file name with NEL) was printed raw: valid JSON, but
    # `str.splitlines()` cut the object in two.
    dump = tmp_path / "wire\u2028copy\x85.jsonl"
    records = [
        {"title": "Ferry\u2028returns", "text": factories.BODY},
        {"title": "Tram\u2029line opens", "text": factories.BODY},
    ]
    dump.write_text("".join(json.dumps(r) + "\n" for r in records))
    printed = run("extract", str(dump), "--json")
    lines = printed.splitlines()
    assert len(lines) == 2
    articles = [json.loads(line) for line in lines]
    assert [a["title"] for a in articles] == ["Ferry\u2028returns", "Tram\u2029line opens"]
    assert articles[0]["input"] == f"{dump}:1"


@pytest.mark.django_db
def test_a_feed_entry_and_a_record_dated_30_february_are_both_kept_undated_and_named(
    tmp_path: Path, monkeypatch
) -> None:
    # The feed entry was stored undated without a word, the JSONL record failed: now both are
    # kept undated, as a record with no date is, and the closing table says which and why.
    monkeypatch.chdir(tmp_path)  # short names: the table's cells hold them whole
    feed = Path("wire.xml")
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Metro Wire</title><item>'
        "<title>Harbour bridge closes</title><link>https://metro.example/bridge</link>"
        "<pubDate>Sun, 30 Feb 2025 10:00:00 GMT</pubDate>"
        f"<description>{UNSEEN_DUMP.split('You', 1)[1]}</description></item>"
        "</channel></rss>"
    )
    dump = Path("wire.jsonl")
    dump.write_text(
        json.dumps({"title": "Ferry returns", "date": "2025-02-30", "text": factories.BODY})
    )
    out = run("import", str(feed), str(dump), "--source", "Metro Wire")
    assert sorted(Article.objects.values_list("title", "published_at")) == [
        ("Ferry returns", None),
        ("Harbour bridge closes", None),
    ]
    # The table's "reasons" cells, their lines read as one.
    table = " ".join(line.split("│")[-2].strip() for line in out.splitlines() if "│" in line)
    assert "undated: wire.xml#1: the entry's date 'Sun, 30 Feb 2025 10:00:00 GMT' is not a" in table
    assert "undated: wire.jsonl:1: the record's date '2025-02-30' is not a date" in table
    err = StringIO()
    call_command("extract", str(dump), stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith("undated: wire.jsonl:1: the record's date '2025-02-30'")


@pytest.mark.django_db
def test_a_reason_or_name_from_outside_is_printed_as_text_on_one_line(
    tmp_path: Path, monkeypatch
) -> None:
    # A record's date "[/x]" in a reason crashed `import` (rich's MarkupError, exit 3) after
    # storing the rest; a zip member named with ESC was printed raw: a terminal's command.
    monkeypatch.chdir(tmp_path)  # short names: the table's cells hold them whole
    dump = Path("wire.jsonl")
    good = {"title": "Ferry returns", "text": factories.BODY}
    dump.write_text(json.dumps({**good, "date": "[/x]"}) + "\n" + json.dumps(good) + "\n")
    archive = Path("pages.zip")
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("a\x1b]0;pwned\x07\x1b[2J\nb.txt", "date 2024-01-01 short\n")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import", str(dump), str(archive), stdout=out, stderr=err)
    assert raised.value.returncode == 1
    assert Article.objects.get().published_at is None  # kept, undated, and the table says so
    member = f"{archive}/a\\x1b]0;pwned\\x07\\x1b[2J\\nb.txt:1: the record's text is too short"
    assert f"failed: {member}" in err.getvalue()
    assert "'[/x]'" in out.getvalue() and "a\\x1b]0;pwned" in out.getvalue()  # table cells
    assert not any(ch in out.getvalue() + err.getvalue() for ch in "\x1b\x07")
    assert Article.objects.count() == 1
    listing = run("source", "list")
    assert "\x1b" not in listing and "imported-files" in listing
