import datetime as dt

import pytest

from headlines.core import clock
from headlines.intake.models import Article
from headlines.stories import language, planning, selectors
from tests import factories
from tests.stories import factories as sf


def test_stop_words_follow_the_articles_language() -> None:
    assert "the" not in language.tokens("The storm hit the coast", "en")
    assert "der" not in language.tokens("Der Sturm traf die Küste", "de-DE")
    assert language.tokens("Der Sturm traf die Küste", "de") == ["sturm", "traf", "küste"]
    assert "le" not in language.tokens("Le port de Brest est fermé", "fr")
    # A language without a list keeps its words: document frequency weighs them.
    assert language.tokens("Burza uderzyła w wybrzeże", "pl") == [
        "burza",
        "uderzyła",
        "wybrzeże",
    ]


def test_unspaced_scripts_are_compared_in_character_pairs() -> None:
    assert language.tokens("東京で地震", "ja") == ["東京", "京で", "で地", "地震"]
    assert "北京" in language.tokens("北京市今天下雨", "zh")
    assert language.tokens("ข่าวด่วน", "th")  # Thai has no spaces between words either
    # A Japanese name inside an English text is still compared; its English words too.
    assert {"tokyo", "東京"} <= set(language.tokens("Tokyo (東京) quake", "en"))


def test_stems_follow_the_articles_language_where_asked() -> None:
    assert language.tokens("Senate charges, charged", "en", stem=True) == [
        "senat",
        "charg",
        "charg",
    ]
    assert language.tokens("Senate charges, charged", "en") == ["senate", "charges", "charged"]
    # Stop words go before the stem is taken: "des" is German's, not a stem of "Dessau".
    assert language.tokens("Die Regierungen des Landes", "de-AT", stem=True) == [
        "regier",
        "land",
    ]
    assert language.tokens("Les gouvernements ont démissionné", "fr", stem=True) == [
        "gouvern",
        "démission",
    ]
    # No known language: read as English, as its stop words are.
    assert language.tokens("Floods flooded", "", stem=True) == ["flood", "flood"]
    # No stemmer (Korean), or no words (Japanese pairs): unchanged.
    assert language.tokens("서울 폭우", "ko", stem=True) == language.tokens("서울 폭우", "ko")
    assert language.tokens("東京で地震", "ja", stem=True) == ["東京", "京で", "で地", "地震"]


def test_stems_are_taken_safely_from_many_threads() -> None:
    from concurrent.futures import ThreadPoolExecutor

    words = [f"charges{i % 7}" for i in range(2000)] + ["flooding"] * 2000
    expected = language.stems(words, "en")
    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda _: language.stems(words, "en"), range(16)))
    assert all(g == expected for g in got)
    assert expected[-1] == "flood"


GERMAN_HEADLINES = [
    "Die Bahn streicht wegen des Streiks der Lokführer tausende Verbindungen",
    "Bundestag stimmt über das neue Heizungsgesetz ab und die Opposition protestiert",
    "Der Sturm über der Nordsee legt den Verkehr in Hamburg und Bremen lahm",
    "Die Inflation in der Eurozone sinkt auf den niedrigsten Stand seit zwei Jahren",
    "Der Kanzler reist mit einer Delegation nach Paris und trifft den Präsidenten",
]


@pytest.mark.django_db
def test_headlines_of_no_known_language_are_read_in_the_language_they_tell_together() -> None:
    edition = factories.edition(slug="de")
    day = clock.now().date()
    _, end = selectors.digest_window(edition=edition, day=day)
    published = end - dt.timedelta(hours=1)  # inside the day's window, whatever the hour
    dump = sf.source(name="A dump of headlines", edition=edition)  # no language
    for title in GERMAN_HEADLINES:
        sf.article(source=dump, edition=edition, title=title, text="", published_at=published)
    wire = sf.source(name="Wire", edition=edition, language="en")
    sf.article(source=wire, edition=edition, title="Storm closes the port", published_at=published)
    rows, _, _ = planning._rows(edition, day, hours=48)
    assert {r.title: r.language for r in rows} == {
        **dict.fromkeys(GERMAN_HEADLINES, "de"),
        "Storm closes the port": "en",  # its source's language, as before
    }
    # One short headline tells nothing on its own: the edition's language is read.
    Article.objects.filter(source=dump).exclude(title=GERMAN_HEADLINES[0]).delete()
    rows, _, _ = planning._rows(edition, day, hours=48)
    assert {r.title: r.language for r in rows}[GERMAN_HEADLINES[0]] == edition.language == "en"
