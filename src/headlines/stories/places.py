# ruff: noqa: RUF001 (typographic apostrophes are what this module reads)
"""Which countries an article is about: the place of its dateline and the places it names.

The gazetteer is the one the time-zone database ships (`tzdata`, already a dependency): every
country's name (iso3166.tab) and the cities its zones are named after (zone.tab), plus, for the
countries whose names readers mostly meet in other forms, their parts and demonyms ("England",
"British", "Californian" is not needed: the states are named). It is small and general: it
knows that London is in Britain and Denver in the United States, not what Britons care about.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from importlib import resources

# Other names of a country that its time zones and ISO name do not give.
_ALIASES = {
    "GB": "UK|U.K.|United Kingdom|Britain|British|Briton|Britons|England|English|Scotland|"
    "Scottish|Wales|Welsh|Northern Ireland|Manchester|Birmingham|Glasgow|Edinburgh|Liverpool|"
    "Leeds|Cardiff|Belfast",
    "US": "U.S.|US|USA|U.S.A.|United States|America|American|Americans|Washington|"
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|"
    "Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|"
    "Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|"
    "New Hampshire|New Jersey|New Mexico|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|"
    "Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|"
    "Virginia|West Virginia|Wisconsin|Wyoming|Boston|San Francisco|Seattle|Houston|Dallas|"
    "Atlanta|Miami|Philadelphia",
    "IE": "Irish|Dublin",
    "CA": "Canadian|Canadians|Toronto|Montreal|Ottawa|Quebec|Ontario|British Columbia",
    "AU": "Australian|Australians|Canberra|Queensland",
    "FR": "French",
    "DE": "German|Germans",
}
# "Georgia" and "Washington" are also elsewhere; the alias (the US) wins where names collide.
_NAME = re.compile(r"\b[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2}")
_DATELINE_PLACE = re.compile(
    r"^\s*([A-Z][A-Z .'’-]{2,40}?)(?:,\s*([A-Z][\w. ]{1,30}?))?\s*(?:\(|[—–-]{1,2}\s)"
)


def _tab(name: str) -> list[list[str]]:
    raw = resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in raw.splitlines() if line and not line.startswith("#")]


@cache
def gazetteer() -> dict[str, str]:
    """Lower-cased place name → ISO country code."""
    places: dict[str, str] = {}
    for row in _tab("zone.tab"):
        if len(row) >= 3:
            city = row[2].rsplit("/", 1)[-1].replace("_", " ")
            places.setdefault(city.lower(), row[0])
    for row in _tab("iso3166.tab"):
        if len(row) >= 2:
            for part in re.split(r"\s*[(),&]\s*", row[1]):
                if len(part) > 2:
                    places.setdefault(part.lower(), row[0])
    for code, names in _ALIASES.items():
        for name in names.split("|"):
            places[name.lower()] = code
    return places


@cache
def country_of_timezone(timezone: str) -> str | None:
    for row in _tab("zone.tab"):
        if len(row) >= 3 and row[2] == timezone:
            return row[0]
    return None


def countries(text: str) -> Counter[str]:
    """Countries `text` names (a dateline at its start counts double: it is where it happened)."""
    places = gazetteer()
    found: Counter[str] = Counter()
    dateline = _DATELINE_PLACE.match(text)
    if dateline:
        for part in dateline.groups():
            code = places.get((part or "").strip().lower())
            if code:
                found[code] += 2
    for match in _NAME.finditer(text):
        words = match.group(0).split()
        # The longest run of capitalised words that is a place ("New York", then "York").
        start = 0
        while start < len(words):
            for end in range(len(words), start, -1):
                name = " ".join(words[start:end])
                bare = re.sub(r"['’]s$", "", name).rstrip(".,;:")
                code = places.get(name.lower()) or places.get(bare.lower())
                if code:
                    found[code] += 1
                    start = end
                    break
            else:
                start += 1
    return found


def elsewhere(texts: list[str], *, home: str | None, others: frozenset[str]) -> bool:
    """True when the texts are about another edition's country and never name the edition's.

    `home`: the edition's country; `others`: the countries of the publisher's other editions.
    World news (a quake in Chile, a comet) is nobody's: only another edition's place is away.
    """
    if home is None or not others:
        return False
    named: Counter[str] = Counter()
    for text in texts:
        named.update(countries(text))
    return home not in named and any(code in others for code in named)
