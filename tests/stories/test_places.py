from headlines.stories import places


def test_countries_come_from_datelines_and_named_places() -> None:
    assert places.countries("LONDON (Harbour Wire) - Waiting lists fell in England.")["GB"] >= 3
    assert set(places.countries("Storm in Britain delays flights from New York and Boston")) == {
        "GB",
        "US",
    }
    assert set(places.countries("Thousands flee Colorado wildfire")) == {"US"}
    assert set(places.countries("Climate talks open in Lisbon")) == {"PT"}
    assert not places.countries("Vantor unveils an AI chip")


def test_an_editions_country_is_its_time_zones() -> None:
    assert places.country_of_timezone("America/New_York") == "US"
    assert places.country_of_timezone("Europe/London") == "GB"
    assert places.country_of_timezone("UTC") is None


def test_only_another_editions_place_is_elsewhere() -> None:
    us, others = "US", frozenset({"GB"})
    assert places.elsewhere(["LONDON (Wire) - NHS waits fell in England."], home=us, others=others)
    # It names the reader's place too: it is theirs as well.
    assert not places.elsewhere(
        ["Storm in Britain delays flights from New York"], home=us, others=others
    )
    # World news is nobody's: a quake in Chile is not another edition's local news.
    assert not places.elsewhere(["A quake struck off Chile"], home=us, others=others)
    # A single-edition newsroom, or an edition with no country, holds nothing back.
    assert not places.elsewhere(["England"], home=us, others=frozenset())
    assert not places.elsewhere(["England"], home=None, others=others)
