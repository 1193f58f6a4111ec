"""Compressed inputs (`.gz`, `.bz2`, `.xz`) are read as the file inside them: saved pages
(`page.html.gz`), dumps (`articles.jsonl.gz`), tables, text records, feeds and sitemaps. A
damaged or cut-short file, or one that decompresses past the bounds, is reported, never a crash
and never a memory blow-up."""

from __future__ import annotations

import bz2
import dataclasses
import gzip
import json
import lzma
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from headlines.intake.errors import ParseError
from headlines.intake.models import Article
from headlines.intake.reading import feeds, opening
from headlines.intake.reading.inputs import items_from_bytes, read_file, read_paths
from headlines.intake.reading.items import Failure, Item, RawItem

from . import factories
from .test_commands import UNSEEN_PAGE, exit_status

COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
}
STORIES = (
    "The harbour board voted on Tuesday to build a new ferry terminal by the old pier, after "
    "two years of consultation with the islanders who depend on the crossing.",
    "Firefighters spent the night tackling a blaze at a timber yard on the edge of town; nobody "
    "was hurt, but the road past the yard will stay closed until the weekend.",
    "The county council approved a budget that freezes bus fares for another year and pays for "
    "two new libraries, one of them in the converted railway station.",
)
RECORDS = [
    {"title": title, "text": text, "url": f"https://a.test/{n}", "source": "Port News",
     "published": "2024-03-14T09:30:00Z"}
    for n, (title, text) in enumerate(zip(
        ("Harbour board approves a ferry terminal", "Timber yard blaze closes the ring road",
         "Council freezes bus fares for another year"),
        STORIES,
        strict=True,
    ))
]  # fmt: skip
DUMPS = {
    "dump.jsonl": "".join(json.dumps(r) + "\n" for r in RECORDS).encode(),
    "records.txt": f"date 2024-03-14 {factories.BODY}\ndate 2024-03-15 {factories.BODY}\n".encode(),
    "table.csv": (
        "title,url,publisher,date,text\r\n"
        f'Harbour board approves a ferry terminal,https://a.test/1,Port News,2024-03-14,"'
        f'{factories.BODY}"\r\n'
    ).encode(),
    "page.html": UNSEEN_PAGE.encode(),
    # Tab-separated, and commas in its cells: a .tsv.gz is split at tabs all the same.
    "table.tsv": (
        "title\turl\ttext\n"
        f"Harbour board approves a ferry terminal, at last\thttps://a.test/1\t{STORIES[0]}\n"
    ).encode(),
}


def items(path: Path) -> list[Item]:
    return list(read_file(path))


def same(found: list[Item], plain: list[Item], plain_name: str, name: str) -> None:
    """The items of a compressed file are those of the plain file, but for where they came
    from."""
    assert len(found) == len(plain) and plain
    for one, other in zip(found, plain, strict=True):
        assert isinstance(one, RawItem) and isinstance(other, RawItem)
        assert one.input.replace(name, plain_name) == other.input
        assert dataclasses.replace(one, input=other.input) == other


@pytest.mark.parametrize("suffix", COMPRESS)
@pytest.mark.parametrize("plain_name", DUMPS)
def test_a_compressed_file_is_read_as_the_file_inside_it(
    tmp_path: Path, plain_name: str, suffix: str
) -> None:
    plain = tmp_path / plain_name
    plain.write_bytes(DUMPS[plain_name])
    packed = tmp_path / f"{plain_name}{suffix}"
    packed.write_bytes(COMPRESS[suffix](DUMPS[plain_name]))
    same(items(packed), items(plain), plain_name, packed.name)


def test_a_compressed_file_is_known_by_its_first_bytes_whatever_its_name(
    tmp_path: Path,
) -> None:
    # A page saved as its server sent it (gzip, no `.gz`), and a dump whose name lost its
    # compression's suffix: each read as its name says, decompressed.
    page = tmp_path / "saved.html"
    page.write_bytes(gzip.compress(DUMPS["page.html"]))
    (found,) = items(page)
    assert isinstance(found, RawItem) and "harbour ferry resumed" in found.html
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(bz2.compress(DUMPS["dump.jsonl"]))
    assert [i.title for i in items(dump) if isinstance(i, RawItem)] == [r["title"] for r in RECORDS]


def test_a_text_that_starts_like_a_compressed_file_is_still_text(tmp_path: Path) -> None:
    dump = tmp_path / "records.txt"
    dump.write_bytes(b"BZhm, the council said. " + factories.BODY.encode() + b"\n")
    (found,) = items(dump)
    assert isinstance(found, RawItem) and found.text.startswith("BZhm, the council said.")


def test_a_dump_cut_short_keeps_the_records_before_the_cut_and_says_why(
    tmp_path: Path,
) -> None:
    records = "".join(
        json.dumps(
            {**RECORDS[0], "title": f"Record {n} of a long dump", "url": f"https://a.test/{n}"}
        )
        + "\n"
        for n in range(2000)
    ).encode()
    packed = gzip.compress(records)
    dump = tmp_path / "dump.jsonl.gz"
    dump.write_bytes(packed[: len(packed) // 2])
    found = items(dump)
    *kept, failed = found
    assert 100 < len(kept) < 2000 and all(isinstance(i, RawItem) for i in kept)
    assert [i.title for i in kept if isinstance(i, RawItem)][:2] == [
        "Record 0 of a long dump",
        "Record 1 of a long dump",
    ]
    assert isinstance(failed, Failure) and failed.input == str(dump)
    assert "the gzip file is damaged or cut short" in failed.reason


@pytest.mark.parametrize("name", ["page.html.gz", "dump.jsonl.gz", "records.txt.gz"])
def test_a_damaged_compressed_file_is_reported(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x1f\x8b\x08" + b"not really compressed at all" * 10)
    (failed,) = items(path)
    assert isinstance(failed, Failure) and failed.input == str(path)
    assert "the gzip file is damaged or cut short" in failed.reason


def test_no_line_of_a_dump_is_held_past_its_bound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A few kilobytes of gzip can hold gigabytes of one byte: a line past MAX_LINE_BYTES is
    # skipped unread and reported with its number; the records after it are read.
    monkeypatch.setattr(opening, "MAX_LINE_BYTES", 10_000)
    monkeypatch.setattr(opening, "_SKIP_CHUNK", 1_000)
    body = DUMPS["dump.jsonl"].splitlines(keepends=True)
    dump = tmp_path / "dump.jsonl.gz"
    dump.write_bytes(gzip.compress(body[0] + b"x" * 50_000 + b"\n" + b"".join(body[1:])))
    first, skipped, *rest = items(dump)
    assert isinstance(first, RawItem) and first.input.endswith(":1")
    assert isinstance(skipped, Failure) and skipped.input == f"{dump}:2"
    assert "longer than" in skipped.reason
    assert [i.input.rsplit(":", 1)[1] for i in rest] == ["3", "4"]


def test_a_document_that_decompresses_past_its_bound_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening, "MAX_DOCUMENT_BYTES", 10_000)
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(b"<html><body><p>" + b"a" * 1_000_000 + b"</p></body></html>"))
    assert len(page.read_bytes()) < 5_000
    (failed,) = items(page)
    assert (
        isinstance(failed, Failure) and "larger than 10000 bytes once decompressed" in failed.reason
    )
    with pytest.raises(ParseError, match="larger than 10000 bytes once decompressed"):
        items_from_bytes(page.read_bytes(), input="https://a.test/page.html.gz")


SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://example.test/a</loc><news:news><news:title>Blaze</news:title>
<news:publication_date>2024-03-14T09:30:00Z</news:publication_date></news:news></url></urlset>"""
FEED = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Port News</title><item><title>Harbour board approves a ferry terminal</title><link>https://a.test/1</link>
<description>The harbour board voted on Tuesday to build a new ferry terminal.</description>
</item></channel></rss>"""


@pytest.mark.parametrize("suffix", COMPRESS)
def test_fetched_sitemaps_feeds_and_pages_may_come_compressed(suffix: str) -> None:
    # The sitemaps protocol allows `sitemap-1.xml.gz`; a server sends it as a file, not with a
    # Content-Encoding the HTTP client would undo.
    pack = COMPRESS[suffix]
    assert feeds.parse_sitemap(pack(SITEMAP), where="s") == feeds.parse_sitemap(SITEMAP, where="s")
    assert feeds.parse_feed(pack(FEED), where="f") == feeds.parse_feed(FEED, where="f")
    (page,) = items_from_bytes(pack(DUMPS["page.html"]), input="https://a.test/p.html.gz")
    assert isinstance(page, RawItem) and "harbour ferry resumed" in page.html
    with pytest.raises(ParseError, match=r"s: the .* file is damaged or cut short"):
        feeds.parse_sitemap(pack(SITEMAP)[:40], where="s")


@pytest.mark.django_db
def test_import_and_extract_take_compressed_dumps(tmp_path: Path) -> None:
    dump = tmp_path / "articles.jsonl.gz"
    dump.write_bytes(gzip.compress(DUMPS["dump.jsonl"]))
    assert exit_status("extract", "--json", str(dump)) == (0, "")
    assert exit_status("import", str(dump), "--source", "Port dump") == (0, "")
    assert sorted(Article.objects.values_list("title", flat=True)) == sorted(
        r["title"] for r in RECORDS
    )
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(gzip.compress(DUMPS["dump.jsonl"])[:30])
    status, err = exit_status("import", str(broken), "--source", "Port dump")
    assert status == 2 and "broken.jsonl.gz: the gzip file is damaged or cut short" in err
    assert Article.objects.count() == len(RECORDS)


@pytest.mark.django_db
def test_import_takes_a_news_api_answer_saved_compressed(tmp_path: Path) -> None:
    answer = {
        "status": "ok",
        "articles": [
            {"source": {"name": r["source"]}, "title": r["title"], "content": r["text"],
             "url": r["url"], "publishedAt": r["published"]}
            for r in RECORDS
        ],
    }  # fmt: skip
    path = tmp_path / "everything.json.gz"
    path.write_bytes(gzip.compress(json.dumps(answer).encode()))
    assert exit_status("import", str(path), "--source", "News API") == (0, "")
    stored = Article.objects.order_by("title")
    assert [a.title for a in stored] == sorted(r["title"] for r in RECORDS)
    assert {a.outlet for a in stored} == {"Port News"}


# --- zip archives: read as a folder ---------------------------------------------------------


def test_a_zip_archive_is_read_as_the_folder_it_holds(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    (folder / "pages").mkdir(parents=True)
    files = {
        "pages/page.html": DUMPS["page.html"],
        "pages/saved.html.gz": gzip.compress(DUMPS["page.html"]),
        "dump.jsonl": DUMPS["dump.jsonl"],
        "table.csv": DUMPS["table.csv"],
        "records.txt": DUMPS["records.txt"],
    }
    archive = tmp_path / "newsroom.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for name, content in files.items():
            (folder / name).write_bytes(content)
            packed.writestr(name, content)
        packed.writestr("__MACOSX/pages/._page.html", b"\x00\x05\x16\x07 resource fork")
        packed.writestr(".DS_Store", b"\x00\x00\x00\x01Bud1")
        packed.writestr("empty/", b"")
    in_folder = {i.input.removeprefix(f"{folder}/"): i for i in read_paths([folder])}
    in_archive = {i.input.removeprefix(f"{archive}/"): i for i in read_file(archive)}
    assert sorted(in_archive) == sorted(in_folder) and len(in_archive) == 8
    for key, item in in_archive.items():
        assert isinstance(item, RawItem)
        assert dataclasses.replace(item, input=in_folder[key].input) == in_folder[key]


def test_what_a_zip_archive_cannot_give_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening, "MAX_DOCUMENT_BYTES", 10_000)
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as packed:
        packed.writestr("page.html", DUMPS["page.html"])
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("inner.zip", inner.read_bytes())
        packed.writestr("bomb.html", b"<html><body><p>" + b"a" * 1_000_000 + b"</p></body></html>")
        packed.writestr("stored.jsonl", DUMPS["dump.jsonl"], compress_type=zipfile.ZIP_STORED)
        packed.writestr("good.jsonl", DUMPS["dump.jsonl"])
    # A flipped byte in one member's data: its CRC no longer matches.
    content = archive.read_bytes()
    at = content.index(DUMPS["dump.jsonl"][:40]) + 30
    archive.write_bytes(content[:at] + bytes([content[at] ^ 1]) + content[at + 1 :])
    found = list(read_file(archive))
    by_member: dict[str, list[Item]] = {}
    for item in found:
        by_member.setdefault(item.input.removeprefix(f"{archive}/").split(":")[0], []).append(item)
    (nested,) = by_member["inner.zip"]
    assert isinstance(nested, Failure) and "zip archive inside a zip archive" in nested.reason
    (bomb,) = by_member["bomb.html"]
    assert isinstance(bomb, Failure) and "larger than 10000 bytes" in bomb.reason
    assert isinstance(by_member["stored.jsonl"][-1], Failure)
    assert "cannot be read (Bad CRC-32" in by_member["stored.jsonl"][-1].reason  # type: ignore[union-attr]
    assert [type(i) for i in by_member["good.jsonl"]] == [RawItem] * len(RECORDS)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not a readable zip archive"),
        (b"PK\x03\x04 not really a zip", "not a readable zip archive"),
        (b"PK\x05\x06" + b"\x00" * 18, "the zip archive holds no files"),
    ],
)
def test_a_zip_that_is_none_or_empty_is_one_failure(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    archive = tmp_path / "a.zip"
    archive.write_bytes(content)
    (failed,) = read_file(archive)
    assert isinstance(failed, Failure) and failed.input == str(archive)
    assert reason in failed.reason


@pytest.mark.django_db
def test_import_takes_a_zip_archive(tmp_path: Path) -> None:
    archive = tmp_path / "dumps.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("day1/articles.jsonl.gz", gzip.compress(DUMPS["dump.jsonl"]))
    assert exit_status("import", str(archive), "--source", "Port dump") == (0, "")
    assert sorted(Article.objects.values_list("title", flat=True)) == sorted(
        r["title"] for r in RECORDS
    )


def test_a_zip_member_named_outside_the_archive_is_reported_not_read(tmp_path: Path) -> None:
    # Zip slip: nothing is unpacked, but `../` and absolute names were read or dropped unsaid.
    archive = tmp_path / "slip.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        for name in ("../../../tmp/evil.txt", "/etc/cron.d/evil.txt", "C:/evil.txt"):
            packed.writestr(name, DUMPS["records.txt"])
        packed.writestr("day1/records.txt", DUMPS["records.txt"])
    found = list(read_file(archive))
    refused = [i for i in found if isinstance(i, Failure)]
    assert [f.input.removeprefix(f"{archive}/") for f in refused] == [
        "../../../tmp/evil.txt",
        "/etc/cron.d/evil.txt",
        "C:/evil.txt",
    ]
    assert all("named outside the archive" in f.reason for f in refused)
    read = {i.input.removeprefix(f"{archive}/").split(":")[0] for i in found if i not in refused}
    assert read == {"day1/records.txt"}
    assert not (tmp_path.parent / "evil.txt").exists()


@pytest.mark.django_db
def test_a_folder_follows_no_link_out_of_it(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text(f"date 2024-03-14 {STORIES[1]}\n")
    folder = tmp_path / "dump"
    (folder / "day1").mkdir(parents=True)
    (folder / "day1" / "records.txt").write_text(f"date 2024-03-14 {STORIES[0]}\n")
    (folder / "latest.txt").symlink_to(folder / "day1" / "records.txt")  # inside: read
    (folder / "passwd.txt").symlink_to(outside)
    (folder / "loop").symlink_to(tmp_path)
    (folder / "gone.txt").symlink_to(tmp_path / "missing.txt")
    status, err = exit_status("import", str(folder), "--source", "Folder dump")
    assert status == 1
    assert f"failed: {folder}/passwd.txt: a link to a file outside the folder" in err
    assert f"failed: {folder}/loop: a link to a folder is not followed" in err
    assert f"failed: {folder}/gone.txt: a link to nothing" in err
    stored = Article.objects.filter(duplicate_of=None).values_list("text", flat=True)
    assert list(stored) == [STORIES[0]]


@pytest.mark.django_db
def test_a_loop_of_links_in_a_folder_is_named_and_the_rest_read(tmp_path: Path) -> None:
    # `Path.resolve` raises on a loop: one such link crashed the import (exit 3) and every
    # ingest of a dump source holding it.
    folder = tmp_path / "dump"
    folder.mkdir()
    (folder / "records.txt").write_text(f"date 2024-03-14 {STORIES[0]}\n")
    (folder / "self.txt").symlink_to(folder / "self.txt")
    (folder / "a.txt").symlink_to(folder / "b.txt")
    (folder / "b.txt").symlink_to(folder / "a.txt")
    status, err = exit_status("import", str(folder), "--source", "Folder dump")
    assert status == 1
    for name in ("self.txt", "a.txt", "b.txt"):
        assert f"failed: {folder}/{name}: a link that leads back to itself" in err
    stored = Article.objects.filter(duplicate_of=None).values_list("text", flat=True)
    assert list(stored) == [STORIES[0]]
    status, err = exit_status("extract", str(folder / "self.txt"))
    assert status == 2
    assert "a link that leads back to itself" in err


@pytest.mark.django_db
def test_a_folder_holding_the_data_folder_does_not_read_it(tmp_path: Path, settings) -> None:
    # `headlines import .` where ./var is the data folder: its database and secret key are
    # never read as articles; a folder inside it named on purpose still is.
    site = tmp_path / "site"
    (site / "var" / "dumps").mkdir(parents=True)
    (site / "var" / "secret_key").write_text("k" * 50)
    (site / "var" / "dumps" / "wire.txt").write_text(f"date 2024-03-14 {STORIES[1]}\n")
    (site / "records.txt").write_text(f"date 2024-03-14 {STORIES[0]}\n")
    settings.DATA_DIR = site / "var"
    read = [i for i in read_paths([site]) if isinstance(i, RawItem)]
    assert [i.input for i in read] == [f"{site}/records.txt:1"]
    inside = [i for i in read_paths([site / "var" / "dumps"]) if isinstance(i, RawItem)]
    assert [i.text.strip() for i in inside] == [STORIES[1]]
