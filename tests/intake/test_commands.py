import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from headlines.intake.models import Article, Source
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
def test_import_prints_the_closing_table(tmp_path: Path) -> None:
    dump = tmp_path / "d.txt"
    dump.write_text("date 2024-03-14 " + factories.BODY + "\n")
    out = run("import", str(dump), "--source", "Wire dump")
    assert "wire-dump" in out and "1" in out
    with pytest.raises(CommandError) as raised:
        run("import", str(dump), "--edition", "nope")
    assert raised.value.returncode == 2
    assert Article.objects.count() == 1
