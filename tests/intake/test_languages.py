# ruff: noqa: RUF001
"""An article's language: the page's, feed's or record's declaration, checked against its text."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from headlines.intake.extraction.cleaning import clean
from headlines.intake.extraction.languages import (
    declared_language,
    guess_language,
    reconcile,
)
from headlines.intake.reading.inputs import RawItem, items_from_bytes

CHINESE = (
    "国务院新闻办公室今天举行发布会，介绍今年前三季度经济运行情况。国家统计局发言人表示，"
    "消费和投资保持增长，就业形势总体稳定，物价运行平稳。"
)
JAPANESE = (
    "東京都は十日、新しい防災計画を発表した。大雨や地震に備え、避難所の数を二倍に増やす。"
    "知事は記者会見で「命を守ることが最優先だ」と述べた。"
)
FRENCH = (
    "Le gouvernement a présenté mercredi son projet de loi sur le logement. Les députés "
    "doivent l'examiner dans les prochaines semaines, et le ministre a promis que les "
    "locataires seront mieux protégés pour la fin de l'année, selon le texte publié."
)
ENGLISH = (
    "The council voted on Tuesday to reopen the harbour path, which was closed after the "
    "storms in January. The work is expected to take six weeks and will be paid for with "
    "an emergency grant, the council said in a statement."
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (CHINESE, "zh"),
        (JAPANESE, "ja"),
        (
            "서울시는 오늘 새로운 교통 대책을 발표했다. 시민들의 출퇴근 시간이 줄어든다.",
            "ko",
        ),
        ("Правительство представило новый закон о жилье. Депутаты рассмотрят его на неделе.", "ru"),
        ("Уряд представив новий закон про житло, і депутати розглянуть його цього тижня.", "uk"),
        ("أعلنت الحكومة اليوم عن خطة جديدة للإسكان في العاصمة وستبدأ الأعمال الشهر المقبل.", "ar"),
        ("دولت امروز برنامه جدیدی برای مسکن در پایتخت اعلام کرد که از ماه آینده آغاز می‌شود.", "fa"),
        ("حکومت نے آج دارالحکومت میں رہائش کے لیے ایک نئے منصوبے کا اعلان کیا ہے۔", "ur"),
        ("सरकार ने आज राजधानी में आवास के लिए नई योजना की घोषणा की। काम अगले महीने शुरू होगा।", "hi"),
        ("Η κυβέρνηση παρουσίασε σήμερα νέο νόμο για τη στέγαση στην πρωτεύουσα.", "el"),
        ("הממשלה הציגה היום תוכנית חדשה לדיור בבירה, והעבודות יתחילו בחודש הבא.", "he"),
        ("รัฐบาลประกาศแผนที่อยู่อาศัยใหม่ในเมืองหลวงวันนี้ และงานจะเริ่มเดือนหน้า", "th"),
        (FRENCH, "fr"),
        (ENGLISH, "en"),
        (
            "Rząd przedstawił w środę projekt ustawy, który ma zmienić zasady najmu. Posłowie "
            "zajmą się nim już w przyszłym tygodniu, a minister zapowiedział, że przepisy "
            "wejdą w życie jeszcze w tym roku, bo to jest dla nas najważniejsze.",
            "pl",
        ),
        # English with a Japanese name in it is English; too little text says nothing.
        (ENGLISH + " The mayor met 田中 on Monday.", "en"),
        ("Short.", ""),
    ],
)
def test_the_text_says_its_language_when_nothing_is_declared(text: str, language: str) -> None:
    assert guess_language(text) == language
    assert reconcile("", text) == language


@pytest.mark.parametrize(
    ("declared", "text", "language"),
    [
        # A template's lang="en" on a French or Chinese page.
        ("en", FRENCH, "fr"),
        ("en", CHINESE, "zh"),
        # A declaration the text agrees with, or cannot contradict, is kept as written.
        ("ja", "東京都は防災計画を発表した。" + CHINESE, "ja"),
        ("zh-TW", CHINESE, "zh-TW"),
        ("uk", "Правительство представило новый закон о жилье.", "uk"),
        ("lv", "Norvēģijā pēc zemes nogruvuma atrasti pieci bojāgājušie, ziņo policija.", "lv"),
        ("en", ENGLISH, "en"),
        ("fr", ENGLISH[:40], "fr"),
        # A language of another script declared for a Latin-script text.
        ("ja", ENGLISH, "en"),
    ],
)
def test_a_declaration_holds_unless_the_text_clearly_says_otherwise(
    declared: str, text: str, language: str
) -> None:
    assert reconcile(declared, text) == language


def test_only_a_language_code_is_a_declaration() -> None:
    assert declared_language('<html lang="pt-BR"><head>') == "pt"
    assert declared_language('<html><meta http-equiv="content-language" content="utf-8">') == ""
    assert declared_language('<html lang="english">') == ""
    assert declared_language("<html>") == ""


def test_a_feeds_language_is_checked_against_its_items_text() -> None:
    item = RawItem(input="feed", text=CHINESE * 3, title="经济运行情况", language="en")
    assert clean(item).language == "zh"
    item = RawItem(input="feed", text=ENGLISH, title="Harbour path reopens", language="en-GB")
    assert clean(item).language == "en-GB"


@pytest.mark.django_db
def test_extract_reports_the_language_of_a_page_that_declares_the_wrong_one(
    tmp_path: Path,
) -> None:
    page = tmp_path / "logement.html"
    page.write_text(
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Logement</title>'
        f"</head><body><article><h1>Le projet de loi sur le logement</h1><p>{FRENCH}</p>"
        f"<p>{FRENCH}</p></article></body></html>",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("extract", "--json", str(page), stdout=out, stderr=StringIO())
    assert json.loads(out.getvalue().splitlines()[0])["language"] == "fr"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["", "en", "zh", "pt-BR", "xx"]))
def test_any_text_gets_the_declaration_or_a_known_language(text: str, declared: str) -> None:
    found = reconcile(declared, text)
    assert found == declared or found in {
        "", "zh", "ja", "ko", "th", "lo", "ar", "fa", "ur", "he", "el", "ru", "uk", "hy",
        "ka", "hi", "bn", "pa", "gu", "or", "ta", "te", "kn", "ml", "si", "my", "am", "km",
        "en", "de", "fr", "es", "it", "nl", "pt", "pl", "cs", "sv", "tr", "ro", "id",
    }  # fmt: skip


def test_a_feeds_declared_language_is_its_entries() -> None:
    # A short Dutch summary (too few function words to judge) was stored in the source's
    # language: the feed's <language> and an entry's xml:lang were never read.
    summary = "Het stadsbestuur keurde dinsdag een nieuwe tramlijn naar de haven goed."
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        "<language>nl</language><item><title>Nieuwe tramlijn</title>"
        f"<link>https://wire.test/a</link><description>{summary}</description></item>"
        "</channel></rss>"
    )
    (item,) = items_from_bytes(feed.encode(), input="feed.xml")
    assert isinstance(item, RawItem)
    assert clean(item, default_language="en").language == "nl"
    # A <language> that is no language tag declares nothing.
    (item,) = items_from_bytes(feed.replace(">nl<", ">Dutch<").encode(), input="feed.xml")
    assert isinstance(item, RawItem) and item.language == ""
