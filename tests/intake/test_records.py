# ruff: noqa: RUF001
"""Dump records as real dumps write them: leading whitespace, a BOM, CRLF, several date shapes;
JSONL objects that name their own outlet and section."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from headlines.intake.reading import opening
from headlines.intake.reading.inputs import read_file
from headlines.intake.reading.items import Failure, Item, RawItem
from headlines.intake.reading.records import read_jsonl, read_records

STORY = "The council voted on Tuesday to close the old bridge for repairs until the spring."


def records(path: Path) -> list[RawItem]:
    items = list(read_records(path))
    assert all(isinstance(i, RawItem) for i in items), items
    return [i for i in items if isinstance(i, RawItem)]


@pytest.mark.parametrize(
    ("start", "published"),
    [
        ("date 2022-09-28 ", dt.date(2022, 9, 28)),
        (" date 2022-09-28 ", dt.date(2022, 9, 28)),
        ("\t  date 2022-09-28\n", dt.date(2022, 9, 28)),
        ("Date: 28 September 2022\n", dt.date(2022, 9, 28)),
        ("DATE: September 28, 2022 ", dt.date(2022, 9, 28)),
        ("date 28 Sep 2022 ", dt.date(2022, 9, 28)),
        ("date 28.09.2022 ", dt.date(2022, 9, 28)),
        ("date 2022/09/28 ", dt.date(2022, 9, 28)),
        ("date 2022-09-28T18:45:00Z ", dt.datetime(2022, 9, 28, 18, 45, tzinfo=dt.UTC)),
        (
            "date: 2022-09-28 18:45+02:00 ",
            dt.datetime(2022, 9, 28, 16, 45, tzinfo=dt.UTC),
        ),
    ],
)
def test_a_record_starts_at_every_common_date_shape(
    tmp_path: Path, start: str, published: dt.date
) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_text(f"{start}{STORY}\n{start}{STORY} Again.\n", encoding="utf-8")
    found = records(dump)
    assert [r.published for r in found] == [published, published]
    assert found[0].text.strip() == STORY


def test_bom_and_crlf_do_not_hide_the_first_record(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    body = f" date 2022-09-28 {STORY}\r\n\r\ndate 2022-09-29 Second record, long enough.\r\n"
    dump.write_bytes(b"\xef\xbb\xbf" + body.encode())
    found = records(dump)
    assert [r.published for r in found] == [dt.date(2022, 9, 28), dt.date(2022, 9, 29)]
    assert found[0].text.strip() == STORY
    assert "\ufeff" not in found[0].text


def test_a_date_that_is_no_date_leaves_its_record_undated_and_says_so_by_line(
    tmp_path: Path,
) -> None:
    # As a feed entry so dated: the article is kept, undated, and its report says why.
    dump = tmp_path / "dump.txt"
    dump.write_text(f"date 2022-02-30 {STORY}\nDate: 31 June 2022\n{STORY}\n")
    found = list(read_records(dump))
    assert [(type(f), f.published) for f in found] == [(RawItem, None), (RawItem, None)]
    assert isinstance(found[1], RawItem) and found[1].input.endswith(":2")
    assert found[1].date_note == "the record's date '31 June 2022' is not a real date"
    assert found[1].text.strip() == STORY


def test_a_record_dated_out_of_range_after_a_bad_one_is_reported_not_swallowed(
    tmp_path: Path,
) -> None:
    # "date 99999-01-01" has a date's shape: its record starts there and is reported there.
    # It was read as more text of the record before it, and vanished with that one's failure.
    dump = tmp_path / "dump.txt"
    dump.write_text(
        f"date 2022-09-28 {STORY}\ndate 2022-13-45 {STORY}\ndate 99999-01-01 {STORY}\n"
        f"date 2022-09-29 {STORY}\n"
    )
    found = list(read_records(dump))
    assert [(f.input.rsplit(":", 1)[1], f.published) for f in found] == [
        ("1", dt.date(2022, 9, 28)),
        ("2", None),
        ("3", None),
        ("4", dt.date(2022, 9, 29)),
    ]
    assert all(isinstance(f, RawItem) and f.text.strip() == STORY for f in found)
    assert isinstance(found[2], RawItem)
    assert "'99999-01-01' is not a real date" in found[2].date_note


@pytest.mark.parametrize(
    ("encoding", "lines"),
    [
        (
            "koi8_r",
            [
                "Мэрия Москвы сообщила в среду о новой линии метро.",
                "Ожидается, что она разгрузит центр.",
            ],
        ),
        (
            "cp1251",
            [
                "Мэрия Москвы сообщила в среду о новой линии метро.",
                "Ожидается, что она разгрузит центр.",
            ],
        ),
        (
            "shift_jis",
            [
                "東京都は二十八日、新しい路線が開業したと発表した。",
                "通勤客の混雑緩和が期待されている。",
            ],
        ),
        (
            "euc_jp",
            [
                "東京都は二十八日、新しい路線が開業したと発表した。",
                "通勤客の混雑緩和が期待されている。",
            ],
        ),
        (
            "gb18030",
            [
                "北京市政府周三宣布，一条新的地铁线路正式开通。",
                "预计这条线路将缓解市中心的交通拥堵。",
            ],
        ),
    ],
)
def test_a_dump_in_another_charset_reads_every_line_in_it(
    tmp_path: Path, encoding: str, lines: list[str]
) -> None:
    # Each line was judged alone: one came out right and the next as another charset's
    # mojibake (Shift_JIS read as Korean, KOI8-R as half-width katakana).
    dump = tmp_path / "dump.txt"
    dump.write_bytes(
        "\n".join([f"date 2022-09-28 {lines[0]}", lines[1], f"date 2022-09-29 {lines[0]}"]).encode(
            encoding
        )
    )
    found = records(dump)
    assert [r.text.split() for r in found] == [" ".join(lines).split(), lines[0].split()]


def test_a_jsonl_dump_in_windows_1252_is_read_and_its_utf8_lines_too(tmp_path: Path) -> None:
    # JSON is UTF-8, but an old export in windows-1252 failed every record with an accent
    # ("not valid JSON ('utf-8' codec can't decode byte 0xe9 …)").
    legacy = {"title": "Le café de la gare a fermé", "text": "Le café a fermé après trente ans."}
    modern = {"title": "Les marchés de Noël", "text": "Les marchés de Noël ont ouvert à Lille."}
    dump = tmp_path / "dump.jsonl"
    dump.write_bytes(
        json.dumps(legacy, ensure_ascii=False).encode("cp1252")
        + b"\n"
        + json.dumps(modern, ensure_ascii=False).encode("utf-8")
        + b"\n"
    )
    found = list(read_jsonl(dump))
    assert [(i.title, i.text) for i in found if isinstance(i, RawItem)] == [
        (legacy["title"], legacy["text"]),
        (modern["title"], modern["text"]),
    ]


def test_a_text_dump_judged_legacy_still_reads_its_utf8_lines(tmp_path: Path) -> None:
    dump = tmp_path / "dump.txt"
    dump.write_bytes(
        f"date 2022-09-28 {STORY} Le café a fermé.\n".encode("cp1252")
        + f"date 2022-09-29 {STORY} Les marchés de Noël ont ouvert.\n".encode()
    )
    assert [r.text.split()[-2:] for r in records(dump)] == [["a", "fermé."], ["ont", "ouvert."]]
    assert "Noël" in records(dump)[1].text


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_date_past_what_a_datetime_holds_leaves_its_record_undated_not_the_import_failed(
    tmp_path: Path, stamp: str
) -> None:
    # In UTC these are in the years 10000 and 0: storing one crashed `headlines import`.
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"title": "Harbour bridge", "text": STORY, "date": stamp}) + "\n")
    text = tmp_path / "dump.txt"
    text.write_text(f"date {stamp} {STORY}\n")
    for path in (dump, text):
        (undated,) = read_file(path)
        assert isinstance(undated, RawItem) and undated.published is None
        assert repr(stamp) in undated.date_note


def test_a_damaged_line_inside_a_dump_fails_alone(tmp_path: Path) -> None:
    # A run of NULs in line 2 (a padded export) refused the whole file as "binary data", the
    # complete record before it included: "every input failed, nothing was done".
    dump = tmp_path / "dump.txt"
    dump.write_bytes(
        f"date 2022-09-28 {STORY}\n".encode()
        + b"\x00" * 40
        + b"\n\x89PNG pasted picture\n"
        + f"date 2022-09-29 {STORY}\n".encode()
    )
    found = list(read_file(dump))
    assert [(type(f), f.input.rsplit(":", 1)[1]) for f in found] == [
        (Failure, "2"),  # the NULs and the pasted picture fail alone, named by their lines
        (Failure, "3"),
        (RawItem, "1"),
        (RawItem, "4"),
    ]
    assert [f.text.strip() for f in found if isinstance(f, RawItem)] == [STORY, STORY]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        # Eight NULs or fewer passed the check for binary data and were read as a record:
        # "no article text (a record needs a text, or a headline of 3 words or more)".
        ("padded.txt", b"\x00" * 8),
        ("padded.txt", b"\x00\x00\x00\x00\n" + f"date 2022-09-28 {STORY}\n".encode()),
        ("padded.txt", b"\x00\x00\x00\x00" + f"date 2022-09-28 {STORY}\n".encode()),
        ("padded.jsonl", b"\x00\x00\x00\x00" + json.dumps({"text": STORY}).encode() + b"\n"),
    ],
)
def test_a_file_that_starts_with_nul_bytes_is_binary_data(
    tmp_path: Path, name: str, content: bytes
) -> None:
    dump = tmp_path / name
    dump.write_bytes(content)
    assert [(f.input, f.reason) for f in read_file(dump)] == [  # type: ignore[union-attr]
        (str(dump), "binary data, not a text document")
    ]


def test_a_binary_file_named_txt_is_one_failure_said_once(tmp_path: Path) -> None:
    dump = tmp_path / "archive.txt"
    dump.write_bytes(
        b"PK\x03\x04" + bytes(range(256)) * 8 + f"\ndate 2022-09-28 {STORY}\n".encode()
    )
    assert [(f.input, f.reason) for f in read_file(dump)] == [  # type: ignore[union-attr]
        (str(dump), "binary data, not a text document")
    ]


def test_jsonl_records_name_their_outlet_and_sections(tmp_path: Path) -> None:
    dump = tmp_path / "mixed.jsonl"
    rows = [
        {"text": STORY, "source": "Harbour Wire", "section": " World  news "},
        {"text": STORY, "publisher": {"name": "Metro Daily"}, "sections": ["UK", "uk", "Politics"]},
        {"text": STORY, "source": 42, "category": ["", None, {"term": "Sport"}]},
    ]
    dump.write_bytes(b"\xef\xbb\xbf" + "\n".join(json.dumps(r) for r in rows).encode())
    found = [i for i in read_jsonl(dump) if isinstance(i, RawItem)]
    assert [(i.outlet, i.sections) for i in found] == [
        ("Harbour Wire", ["World news"]),
        ("Metro Daily", ["UK", "Politics"]),
        ("", ["Sport"]),
    ]


def test_a_jsonl_record_names_its_authors_as_a_list_or_an_object(tmp_path: Path) -> None:
    # Scraped dumps list a byline's people (`"authors": [...]`, `"author": ["…", "…"]`) or
    # write an object: each was stored with no author at all, without a word.
    dump = tmp_path / "bylines.jsonl"
    rows = [
        {"text": STORY, "author": ["Ann Price", " Bo  Lee ", "ann price", 7]},
        {"text": STORY, "authors": [{"name": "Ann Price"}, {"url": "https://a.test"}]},
        {"text": STORY, "author": {"name": "Bo Lee"}},
        {"text": STORY, "author": "  ", "byline": "By Cy Moss"},
        {"text": STORY, "author": 42},
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows))
    found = [i for i in read_jsonl(dump) if isinstance(i, RawItem)]
    assert [i.author for i in found] == [
        "Ann Price, Bo Lee",
        "Ann Price",
        "Bo Lee",
        "By Cy Moss",
        "",
    ]


def test_a_jsonl_text_of_paragraphs_is_read_and_one_of_another_shape_refused(
    tmp_path: Path,
) -> None:
    # A text that was no string was dropped, and a record with a headline stored as a brief:
    # the article's text lost, the import's exit 0.
    dump = tmp_path / "shapes.jsonl"
    rows = [
        {"title": "Bridge to close for repairs", "text": [STORY, " ", "It reopens in May."]},
        {"title": "Bridge to close for repairs", "text": 42},
        {"title": "Bridge to close for repairs", "content": {"body": STORY}},
        {"title": "Bridge to close for repairs", "text": [{"p": STORY}]},
        {"title": "Bridge to close for repairs", "html": ["<p>x</p>"]},
        {"title": "Bridge to close for repairs", "text": None, "summary": STORY},
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows))
    found = list(read_jsonl(dump))
    assert isinstance(found[0], RawItem) and found[0].text == f"{STORY}\n\nIt reopens in May."
    assert isinstance(found[5], RawItem) and found[5].text == STORY
    wanted = "not text (a string, or a list of its paragraphs)"
    assert [(i.input.rsplit(":", 1)[1], i.reason) for i in found if isinstance(i, Failure)] == [
        ("2", f'the record\'s "text" is a number, {wanted}'),
        ("3", f'the record\'s "content" is an object, {wanted}'),
        ("4", f'the record\'s "text" is a list of other things than strings, {wanted}'),
        ("5", 'the record\'s "html" is a list, not text (a string)'),
    ]


def test_a_jsonl_title_url_or_language_of_another_type_is_refused_naming_line_and_key(
    tmp_path: Path,
) -> None:
    # Each was dropped without a word: the article stored without its headline, its link (and
    # so its de-duplication by address) or its language; a record with a text beside a text
    # of a number was stored from the other. A date of another type is kept undated, named as
    # the file writes it (Python's `True` and `{'$date': …}` were shown).
    dump = tmp_path / "types.jsonl"
    rows: list[dict[str, object]] = [
        {"title": 2024, "text": STORY},
        {"headline": ["Bridge", "to close"], "text": STORY},
        {"title": "Bridge to close", "url": {"href": "https://x.test/b"}, "text": STORY},
        {"title": "Bridge to close", "link": 7, "text": STORY},
        {"title": "Bridge to close", "language": ["en"], "text": STORY},
        {"title": "Bridge to close", "LANG": True, "text": STORY},
        {"title": "Bridge to close", "text": STORY, "html": {"body": "<p>x</p>"}},
        {"title": "Bridge to close", "text": 42, "summary": STORY},
        {"title": None, "url": None, "language": None, "text": STORY},
        {"title": "Bridge to close", "TITLE": 5, "text": STORY},
        {"title": "Bridge to close", "text": STORY, "published": {"$date": "2024-03-14"}},
        {"title": "Bridge to close", "text": STORY, "date": True},
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows))
    found = list(read_jsonl(dump))
    failed = [(i.input.rsplit(":", 1)[1], i.reason) for i in found if isinstance(i, Failure)]
    assert failed == [
        ("1", 'the record\'s "title" is a number, not text (a string)'),
        ("2", 'the record\'s "headline" is a list, not text (a string)'),
        ("3", 'the record\'s "url" is an object, not text (a string)'),
        ("4", 'the record\'s "link" is a number, not text (a string)'),
        ("5", 'the record\'s "language" is a list, not text (a string)'),
        ("6", 'the record\'s "LANG" is true or false, not text (a string)'),
        ("7", 'the record\'s "html" is an object, not text (a string)'),
        ("8", 'the record\'s "text" is a number, not text (a string, or a list of its paragraphs)'),
    ]
    kept = [i for i in found if isinstance(i, RawItem)]
    assert [i.input.rsplit(":", 1)[1] for i in kept] == ["9", "10", "11", "12"]
    assert kept[1].title == "Bridge to close"  # the key as written wins; TITLE is not read
    assert kept[2].published is None and 'published {"$date": "2024-03-14"} is not' in (
        kept[2].date_note
    )
    assert kept[3].published is None and "the record's date true is not a date" in (
        kept[3].date_note
    )


def test_a_one_line_record_is_cut_into_paragraphs_that_keep_every_character() -> None:
    from headlines.intake.extraction.extract import recover_paragraphs

    # Over 120 words on one line: cut into paragraphs of whole sentences, each sentence with
    # its closing quote or bracket, Hindi at its danda, Chinese without spaces put in.
    line = " ".join(['He said "we will stop." (The council had voted.) Then it rained.'] * 20)
    paragraphs = recover_paragraphs(line)
    assert len(paragraphs) > 1
    assert " ".join(paragraphs) == line
    hindi = " ".join(["शहर में सोमवार को लगातार बारिश हुई और कई इलाकों में पानी भर गया।"] * 20)
    assert " ".join(recover_paragraphs(hindi)) == hindi
    assert len(recover_paragraphs(hindi)) > 1
    chinese = "国务院新闻办公室今天举行发布会，介绍今年前三季度经济运行情况。" * 12
    assert "".join(recover_paragraphs(chinese)) == chinese
    assert len(recover_paragraphs(chinese)) > 1


def test_json_nested_past_what_json_reads_is_a_failure_of_its_line(tmp_path: Path) -> None:
    dump = tmp_path / "deep.jsonl"
    good = json.dumps({"text": STORY})
    dump.write_text(
        "[" * 100_000
        + "]" * 100_000
        + "\n"
        + '{"a": ' * 50_000
        + "1"
        + "}" * 50_000
        + "\n"
        + good
        + "\n"
    )
    found = list(read_jsonl(dump))
    assert [type(f) for f in found] == [Failure, Failure, RawItem]
    assert isinstance(found[0], Failure) and found[0].reason.endswith("(nested too deeply)")
    assert found[1].input.endswith(":2")


SENT = dt.datetime(2014, 3, 10, 16, 52, 50, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("field", "published"),
    [
        ({"date": "2014-03-10T16:52:50Z"}, SENT),
        ({"published": "2014-03-10 16:52:50"}, SENT),
        ({"pubDate": "Mon, 10 Mar 2014 16:52:50 GMT"}, SENT),
        ({"pub_date": "Mon, 10 Mar 2014 17:52:50 +0100"}, SENT),
        ({"published_date": "10 March 2014"}, dt.date(2014, 3, 10)),
        ({"datePublished": "March 10, 2014"}, dt.date(2014, 3, 10)),
        ({"timestamp": 1394470370}, SENT),  # seconds since 1970
        ({"timestamp": 1394470370000}, SENT),  # milliseconds, as a news aggregator's dump
        ({"created_at": "1394470370000"}, SENT),
        ({"date": "", "timestamp": 1394470370}, SENT),  # an empty date gives way to the next
        # Scrapers' own shapes: ordinals, a weekday first, slashes, dots, a 12-hour clock.
        ({"date": "March 10th, 2014 4:52:50 PM"}, SENT),  # the PM was dropped (04:52)
        ({"date": "Monday, March 10, 2014 at 12:52:50 p.m. EDT"}, SENT),
        ({"date": "10th of March 2014, 17:52:50 CET"}, SENT),
        ({"date": "10.03.2014 16:52:50"}, SENT),
        ({"date": "2014/03/10"}, dt.date(2014, 3, 10)),
        ({"date": "10-Mar-2014"}, dt.date(2014, 3, 10)),
        ({"date": "25/03/2014"}, dt.date(2014, 3, 25)),  # only one reading is a date
        ({"date": "03/25/2014"}, dt.date(2014, 3, 25)),
        ({"date": "03/03/2014"}, dt.date(2014, 3, 3)),  # the same either way
        ({"date": "20140310"}, dt.date(2014, 3, 10)),
        ({"date": "March 10, 2014 12:52:50 ET"}, SENT),  # New York's summer time that day
    ],
)
def test_a_jsonl_record_is_dated_in_the_shapes_dumps_write(
    tmp_path: Path, field: dict[str, object], published: dt.date
) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"title": "Bridge closes for repairs", "text": STORY, **field}))
    (found,) = read_jsonl(dump)
    assert isinstance(found, RawItem), found
    assert found.published == published


@pytest.mark.parametrize(
    "value",
    [
        *("yesterday", "2022-02-30", "2022", 2022, -1394470370, True, 10**400, "1e9", [1]),
        "March 10, 2014 13:00 PM",
        "February 30, 2014 4:00 PM",
        "20141340",
    ],
)
def test_a_jsonl_date_that_is_no_date_leaves_its_record_undated_and_says_which_shapes_it_reads(
    tmp_path: Path, value: object
) -> None:
    dump = tmp_path / "dump.jsonl"
    good = {"title": "Bridge closes for repairs", "text": STORY, "date": "2014-03-10"}
    lines = [json.dumps({**good, "timestamp": value, "date": ""}), json.dumps(good)]
    dump.write_text("\n".join(lines) + "\n")
    undated, kept = read_jsonl(dump)
    assert isinstance(undated, RawItem) and undated.published is None
    assert undated.input.endswith(":1") and undated.text == STORY
    assert "timestamp" in undated.date_note and "is not a date" in undated.date_note
    assert "RSS date" in undated.date_note and "milliseconds since 1970" in undated.date_note
    assert isinstance(kept, RawItem) and kept.published == dt.date(2014, 3, 10)
    assert kept.date_note == ""


# --- `.json` files: one document holding the records ---------------------------------------

NEWSAPI = {
    "status": "ok",
    "totalResults": 2,
    "articles": [
        {
            "source": {"id": None, "name": "Port News"},
            "author": "Ann Price",
            "title": "Bridge closes for repairs",
            "description": "The old bridge shuts until spring.",
            "url": "https://a.test/1",
            "publishedAt": "2014-03-10T16:52:50Z",
            "content": STORY[:60] + "… [+1,843 chars]",
        },
        {"source": {"name": "Gazette"}, "title": "Ferry returns", "content": STORY},
    ],
}


def json_items(tmp_path: Path, document: object, name: str = "dump.json") -> list[Item]:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return list(read_file(path))


def test_a_json_answer_of_a_news_api_is_its_articles(tmp_path: Path) -> None:
    first, second = json_items(tmp_path, NEWSAPI)
    assert isinstance(first, RawItem) and isinstance(second, RawItem)
    assert first.input.endswith("dump.json#1") and second.input.endswith("dump.json#2")
    assert (first.title, first.outlet, first.author) == (
        "Bridge closes for repairs",
        "Port News",
        "Ann Price",
    )
    assert first.published == SENT
    # The API's "cut short" mark is not the article's.
    assert first.text == STORY[:60] and "chars]" not in first.text
    assert second.outlet == "Gazette" and second.text == STORY


@pytest.mark.parametrize(
    "document",
    [
        [{"title": "Bridge closes for repairs", "text": STORY}],
        {"items": [{"title": "Bridge closes for repairs", "text": STORY}]},
        {"page": 1, "hits": [{"title": "Bridge closes for repairs", "text": STORY}]},
        {"title": "Bridge closes for repairs", "text": STORY},  # one record
    ],
)
def test_a_json_file_holds_a_list_of_records_or_one(tmp_path: Path, document: object) -> None:
    (found,) = json_items(tmp_path, document)
    assert isinstance(found, RawItem) and found.title == "Bridge closes for repairs"
    assert found.text == STORY


def test_a_json_file_of_one_object_a_line_is_read_as_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    lines = [
        json.dumps({"title": f"Bridge closes for repairs, day {n}", "text": STORY}) for n in (1, 2)
    ]
    path.write_text("\ufeff" + "\n".join([lines[0], "{broken", lines[1]]) + "\n", encoding="utf-8")
    first, broken, second = read_file(path)
    assert isinstance(first, RawItem) and first.input.endswith("dump.json:1")
    assert isinstance(broken, Failure) and broken.input.endswith(":2")
    assert isinstance(second, RawItem) and second.title.endswith("day 2")


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"status": "ok", "totalResults": 0}, "holds no list of articles"),
        ({"articles": []}, "list of articles is empty"),
        ("just a string", "holds no list of articles"),
        (42, "holds no list of articles"),
    ],
)
def test_a_json_file_without_articles_says_why(
    tmp_path: Path, document: object, reason: str
) -> None:
    (failed,) = json_items(tmp_path, document)
    assert isinstance(failed, Failure) and reason in failed.reason


def test_each_bad_article_of_a_json_list_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text(
        '[1, {"title": "Bridge \\ud800 closes", "text": "x"}, {"date": "yesterday", "text": "y"},'
        f' {{"title": "Bridge closes for repairs", "text": "{STORY}"}}]'
    )
    number, half, undated, good = read_file(path)
    assert isinstance(number, Failure) and "must be a JSON object" in number.reason
    assert isinstance(half, Failure) and "half of a character" in half.reason
    assert isinstance(undated, RawItem) and undated.input.endswith("#3")
    assert undated.published is None and "'yesterday' is not a date" in undated.date_note
    assert isinstance(good, RawItem) and good.input.endswith("dump.json#4")


def test_a_json_file_nested_past_what_json_reads_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    (failed,) = read_file(path)
    assert isinstance(failed, Failure) and failed.reason.endswith("(nested too deeply)")


def test_a_json_file_of_one_object_a_line_is_streamed_at_any_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Read a line at a time as JSONL: not refused at the bound of a document read whole.
    monkeypatch.setattr(opening, "MAX_DOCUMENT_BYTES", 1_000)
    path = tmp_path / "dump.json"
    records = [{"title": f"Bridge closes for repairs, day {n}", "text": STORY} for n in range(50)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    found = list(read_file(path))
    assert len(found) == 50 and all(isinstance(i, RawItem) for i in found)
    # One document over the bound is refused, with the reason.
    whole = tmp_path / "whole.json"
    whole.write_text(json.dumps(records, indent=1), encoding="utf-8")
    (failed,) = read_file(whole)
    assert isinstance(failed, Failure) and "larger than 1000 bytes" in failed.reason


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("dump.jsonl", b"", "the file is empty"),
        ("dump.jsonl", b"\xef\xbb\xbf  \r\n\r\n", "the file is empty"),
        ("dump.json", b"", "the file is empty"),
        ("dump.txt", b"\xef\xbb\xbf  \r\n", "the file has no text"),
    ],
)
def test_an_empty_dump_is_named_not_read_as_nothing(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    # An empty JSONL or JSON file printed nothing and exited 0; a BOM alone was a record.
    dump = tmp_path / name
    dump.write_bytes(content)
    assert [(f.input, f.reason) for f in read_file(dump)] == [(str(dump), reason)]  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["dump.txt", "dump.jsonl"])
def test_a_utf16_dump_is_refused_with_what_to_do(tmp_path: Path, name: str) -> None:
    # It was "binary data, not a text document": true of its bytes, no help to its author.
    dump = tmp_path / name
    dump.write_bytes(f"date 2022-09-28 {STORY}\n".encode("utf-16"))
    [failed] = read_file(dump)
    assert isinstance(failed, Failure) and failed.reason.endswith("save it as UTF-8")


def test_a_jsonl_record_names_its_fields_in_any_case(tmp_path: Path) -> None:
    # A news aggregator's columns exported as they were named (TITLE, PUBLISHER, TIMESTAMP).
    dump = tmp_path / "aggregator.jsonl"
    upper = {
        "ID": 1,
        "TITLE": "Fed official says weak data caused by weather",
        "URL": "http://example.com/fed-weather",
        "PUBLISHER": "Los Angeles Times",
        "CATEGORY": "b",
        "TIMESTAMP": 1394470370000,
    }
    mixed = {"Headline": "Bridge closes", "Content": STORY, "PubDate": "10 March 2014"}
    both = {"title": "As named", "Title": "Another casing", "TEXT": STORY}
    dump.write_text("\n".join(json.dumps(r) for r in (upper, mixed, both)) + "\n")
    first, second, third = read_jsonl(dump)
    assert isinstance(first, RawItem), first
    assert first.title == "Fed official says weak data caused by weather"
    assert first.url == "http://example.com/fed-weather"
    assert first.outlet == "Los Angeles Times" and first.sections == ["b"]
    assert first.published == SENT
    assert isinstance(second, RawItem), second
    assert (second.title, second.text) == ("Bridge closes", STORY)
    assert second.published == dt.date(2014, 3, 10)
    assert isinstance(third, RawItem), third
    assert (third.title, third.text) == ("As named", STORY)


def test_a_json_file_of_one_record_in_capitals_is_that_record(tmp_path: Path) -> None:
    dump = tmp_path / "one.json"
    dump.write_text(json.dumps({"TITLE": "Bridge closes", "TEXT": STORY}))
    (found,) = read_file(dump)
    assert isinstance(found, RawItem), found
    assert (found.title, found.text) == ("Bridge closes", STORY)


@given(
    st.text(max_size=60)
    | st.from_regex(
        r"\A(Mon, |Tuesday )?\d{1,2}(st|th)? (of )?(Mar|March|Sept\.) \d{4}"
        r"(,? (at )?\d{1,2}(:\d{2}){0,2} ?([ap]\.?m\.?)? ?(ET|PST|CEST|UTC[+-]\d{1,2}|Z)?)?\Z"
    )
    | st.from_regex(r"\A\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}( \d{1,2}:\d{2})?\Z")
)
@settings(max_examples=300, deadline=None)
def test_any_text_is_a_record_date_or_none_never_an_error(text: str) -> None:
    from headlines.intake.reading.dates import parse_record_date

    found = parse_record_date(text)
    assert found is None or isinstance(found, dt.date)
    if isinstance(found, dt.datetime):
        assert found.tzinfo is not None
        found.astimezone(dt.UTC)  # a time a datetime holds in UTC


def test_a_slashed_date_that_reads_two_ways_is_refused_and_says_so(tmp_path: Path) -> None:
    # March or October: refused, not guessed.
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"title": "Bridge closes for repairs", "date": "03/10/2014"}))
    (found,) = read_jsonl(dump)
    assert isinstance(found, RawItem) and found.published is None
    assert "reads day first and month first" in found.date_note
    assert "YYYY-MM-DD" in found.date_note
