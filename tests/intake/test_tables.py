"""Article dumps as tables (CSV or TSV, the first line naming the columns): every row is
stored or reported with its own line, whatever the row before it holds."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from headlines.intake.models import Article
from headlines.intake.reading import opening, tables
from headlines.intake.reading.inputs import read_file
from headlines.intake.reading.items import Failure, Item, RawItem
from headlines.intake.reading.tables import MAX_ROW_LINES

from .test_commands import exit_status

SENT = dt.datetime(2014, 3, 10, 16, 52, 50, 698000, tzinfo=dt.UTC)
TEXT = "The harbour board voted on Tuesday to build a new ferry terminal by the old pier."


def table(tmp_path: Path, body: str, name: str = "dump.csv") -> list[Item]:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return list(read_file(path))


def test_each_row_is_a_record_read_by_the_columns_of_the_first_line(tmp_path: Path) -> None:
    found = table(
        tmp_path,
        "\ufeffTitle,URL,Publisher,pubdate,Content,Category\r\n"
        f'"Harbour board approves a ferry terminal",https://a.test/1,Port News,1394470370698,'
        f'"{TEXT}\n\nWork starts in the spring, the board said.",Local\r\n'
        "\r\n"
        "Council closes the old bridge for repairs,https://b.test/2,Gazette,,,\r\n",
    )
    first, second = found
    assert isinstance(first, RawItem) and isinstance(second, RawItem)
    assert first.input.endswith("dump.csv:2") and second.input.endswith("dump.csv:6")
    assert first.title == "Harbour board approves a ferry terminal"
    assert first.text == f"{TEXT}\n\nWork starts in the spring, the board said."
    assert (first.url, first.outlet, first.sections) == ("https://a.test/1", "Port News", ["Local"])
    assert first.published == SENT
    assert (second.title, second.text, second.published) == (
        "Council closes the old bridge for repairs",
        "",  # a headline alone: stored as a brief
        None,
    )


@pytest.mark.parametrize(
    ("name", "separator"), [("dump.tsv", "\t"), ("dump.csv", "\t"), ("dump.csv", ";")]
)
def test_tabs_and_semicolons_separate_cells_too(tmp_path: Path, name: str, separator: str) -> None:
    header = separator.join(["title", "text", "date"])
    row = separator.join(["Harbour board approves a terminal", TEXT, "2014-03-10"])
    (found,) = table(tmp_path, f"{header}\n{row}\n", name)
    assert isinstance(found, RawItem)
    assert (found.title, found.text, found.published) == (
        "Harbour board approves a terminal",
        TEXT,
        dt.date(2014, 3, 10),
    )


def test_a_row_that_cannot_be_read_is_reported_and_the_rows_after_it_are_not_lost(
    tmp_path: Path,
) -> None:
    found = table(
        tmp_path,
        "title,text,date\n"
        f"One,{TEXT},2014-03-10\n"
        f'Two,"{TEXT}" and more,2014-03-10\n'
        "Three,has,too,many,cells\n"
        f"Four,{TEXT}\x00,2014-03-10\n"
        f"Five,{TEXT},not a date\n"
        f'"Six never closes its quote,{TEXT},2014-03-10\n'
        f"Seven,{TEXT},2014-03-10\n",
    )
    by_line = {item.input.rsplit(":", 1)[1]: item for item in found}
    assert sorted(by_line, key=int) == ["2", "3", "4", "5", "6", "7", "8"]  # every row, once
    for line in ("2", "5", "8"):
        assert isinstance(by_line[line], RawItem)
    assert "\x00" not in by_line["5"].text  # type: ignore[union-attr]
    reasons = {line: getattr(by_line[line], "reason", "") for line in by_line}
    assert "closing quote is followed by more text" in reasons["3"]
    assert "5 cells; the header has 3" in reasons["4"]
    assert "is not a date" in getattr(by_line["6"], "date_note", "")  # kept, undated
    assert "a quote is opened and never closed" in reasons["7"]  # what it swallowed is read again


def test_a_quote_left_open_costs_at_most_a_rows_worth_of_lines(tmp_path: Path) -> None:
    lines = [f"Row {n},{TEXT}" for n in range(MAX_ROW_LINES + 10)]
    found = table(tmp_path, "title,text\n" + '"Open,x\n' + "\n".join(lines) + "\n")
    failures = [item for item in found if isinstance(item, Failure)]
    assert [f.input.rsplit(":", 1)[1] for f in failures] == ["2"]
    assert f"runs past {MAX_ROW_LINES} lines" in failures[0].reason
    assert len(found) == 1 + len(lines)  # each line after it read afresh


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("", "empty"),
        ("\ufeff", "the file is empty"),
        ("name,email\nAda,ada@example.com\n", "names no column an article is read from"),
        ('"title,text\nOne,two\n', "the header cannot be read"),
    ],
)
def test_a_file_that_is_no_article_table_is_one_failure(
    tmp_path: Path, body: str, reason: str
) -> None:
    (found,) = table(tmp_path, body)
    assert isinstance(found, Failure) and reason in found.reason


@pytest.mark.django_db
def test_import_stores_a_tables_rows_and_names_the_bad_ones(tmp_path: Path) -> None:
    dump = tmp_path / "wire.csv"
    dump.write_text(
        "title,text,url,source\n"
        f"Harbour board approves a ferry terminal,{TEXT},https://a.test/1,Port News\n"
        'Unclosed "quote, text,https://b.test/2,AP\n'
    )
    status, err = exit_status("import", str(dump), "--source", "Wire dump")
    assert status == 1 and f"{dump}:3" in err and f"{dump}:2" not in err
    stored = Article.objects.get()
    assert (stored.url, stored.outlet, stored.text) == ("https://a.test/1", "Port News", TEXT)


MIXED = (
    "\ufefftitle,text,date\r\n"
    f'Café owners welcome the pedestrian zone,"{TEXT}\r\n\r\nÜber 200 signed.",2014-03-10\r\n'
    f'Two,"{TEXT}" and more,2014-03-10\r'  # a lone CR ends a line too
    f"Three,{TEXT} — and a dash,2014-03-11\n"
    f'"Four never closes its quote,{TEXT},2014-03-10\n'
    f"Five,{TEXT},2014-03-12\n"
)


def test_a_table_read_in_small_pieces_reads_as_one_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A table is read a piece at a time: a CRLF or a character of several bytes cut between two
    # pieces, and a row's lines kept across them to be read again, change nothing.
    whole = table(tmp_path, MIXED)
    assert [i.input.rsplit(":", 1)[1] for i in whole] == ["2", "5", "6", "7", "8"]
    for size in (1, 2, 3, 7):
        monkeypatch.setattr(tables, "SNIFF_BYTES", 16)
        monkeypatch.setattr(tables, "CHUNK_BYTES", size)
        assert table(tmp_path, MIXED) == whole, size


def test_a_table_is_not_bounded_by_size_as_a_document_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read a line at a time, a table past the bound a page is refused at is read whole.
    monkeypatch.setattr(opening, "MAX_DOCUMENT_BYTES", 10_000)
    rows = [f"Row {n} of a long table,{TEXT}" for n in range(1_000)]
    path = tmp_path / "dump.csv.gz"
    path.write_bytes(gzip.compress(("title,text\n" + "\n".join(rows) + "\n").encode()))
    found = list(read_file(path))
    assert len(found) == 1_000 and all(isinstance(i, RawItem) for i in found)


@pytest.mark.parametrize("sniff", [1_000_000, 100])  # read whole, or piece by piece
def test_a_line_too_long_is_reported_and_the_rows_after_it_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sniff: int
) -> None:
    monkeypatch.setattr(tables, "MAX_LINE_BYTES", 5_000)
    monkeypatch.setattr(tables, "SNIFF_BYTES", sniff)
    monkeypatch.setattr(tables, "CHUNK_BYTES", 1_000)
    found = table(
        tmp_path,
        f"title,text\nOne,{TEXT}\nTwo,{'x' * 200_000}\nThree,{TEXT}\n"
        f'"Four opens a quote,{TEXT}\n{"y" * 200_000}\nFive,{TEXT}\n',
    )
    one, two, three, four, long_line, five = found
    assert isinstance(one, RawItem) and one.title == "One"
    assert isinstance(two, Failure) and two.input.endswith(":3")
    assert "a line runs past 5000 characters" in two.reason
    assert isinstance(three, RawItem) and three.title == "Three"
    # A quoted cell running into a line too long: its row, then that line, each reported.
    assert isinstance(four, Failure) and four.input.endswith(":5")
    assert isinstance(long_line, Failure) and long_line.input.endswith(":6")
    assert isinstance(five, RawItem) and five.title == "Five" and five.input.endswith(":7")


def test_broken_bytes_past_the_start_of_a_utf8_table_cost_only_themselves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "SNIFF_BYTES", 64)
    path = tmp_path / "dump.csv"
    body = f"title,text\nCafé owners welcome the zone,{TEXT}\n".encode()
    path.write_bytes(body + b"Caf\xe9 owners object,That is a Latin-1 byte in UTF-8.\n")
    first, second = read_file(path)
    assert isinstance(first, RawItem) and first.title == "Café owners welcome the zone"
    assert isinstance(second, RawItem) and second.title == "Caf\ufffd owners object"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_table_saved_as_unicode_on_windows_is_read(tmp_path: Path, encoding: str) -> None:
    table = tmp_path / "dump.csv"
    text = "title,text\nBridge closes,The council voted on Tuesday to close the old bridge.\n"
    content = text.encode(encoding)
    bom = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}.get(encoding, b"")
    table.write_bytes(bom + content)
    [row] = read_file(table)
    assert isinstance(row, RawItem) and row.title == "Bridge closes"
