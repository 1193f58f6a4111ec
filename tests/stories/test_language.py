from headlines.stories import language


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
