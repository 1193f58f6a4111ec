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
