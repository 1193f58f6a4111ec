"""What story clustering compares of an article (`Doc`): its lead, the weekdays it names, its
names and specific numbers, and the words of what happened (`action_tokens`). The views built
from them are `vectorizer.py`'s; the guards that read them, `guards.py`'s.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from headlines.intake.scrubbing import segments
from headlines.stories import text as textlib

# The lead: this many prose sentences; raw characters only when a text has no sentences at all.
LEAD_SENTENCES = 2
LEAD_CHARS = 1200
FULL_CHARS = 6000


@dataclass(frozen=True)
class Doc:
    title: str
    text: str
    duplicate_of: int | None = None  # index into the same list, or None
    language: str = ""
    # The title's sentence vector, when it was stored (`stories.vectors`); else it is encoded
    # when a window of headlines needs it (`Vectorizer`).
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    published: dt.datetime | None = None  # when known (not when it was fetched)


# Names, places and numbers: capitalised words not opening a sentence, acronyms, and numbers,
# a number also when a unit is glued to it ("84mph", "7.2m" are 84 and 7.2, as "84 mph" is).
# Capitals and small letters of any cased alphabet: "Müller", "Łódź", Greek and Cyrillic names.
_UP = segments.UPPER_LETTERS
ENTITY = re.compile(
    rf"(?<![.!?]\s)(?<!^)\b(?:[{_UP}][{segments.LOWER_LETTERS}]+\b|[{_UP}]{{2,}}\b"
    r"|\d(?:[\d,.]*\d)?(?![\d]))"
)
# The seven days, Monday first, in the forms a report uses for "on Monday" in the languages the
# product meets most: English and German capitalise them; French, Spanish, Italian, Portuguese,
# Dutch, Polish and Russian write them in small letters, and only those forms count (the name
# Domingo is no Sunday); Polish and Russian in the cases "on Monday" takes ("w środę", "в среду";
# Russian's Wednesday only so, as "среда" is also "environment"); Japanese, Chinese and Korean.
_RU = "[\u0430-\u044f]*"  # a Russian ending: small Cyrillic letters
WEEKDAYS = (
    r"Monday|Montag|lundi|lunes|luned[iì]|segunda-feira|maandag|poniedzia[lł]ek|poniedzia[lł]ku"
    rf"|понедельник{_RU}",
    r"Tuesday|Dienstag|mardi|martes|marted[iì]|ter[cç]a-feira|dinsdag|wtorek|wtorku"
    rf"|вторник{_RU}",
    r"Wednesday|Mittwoch|mercredi|mi[eé]rcoles|mercoled[iì]|quarta-feira|woensdag"
    r"|[sś]rod[aęy]|среду",
    r"Thursday|Donnerstag|jeudi|jueves|gioved[iì]|quinta-feira|donderdag|czwartek|czwartku"
    rf"|четверг{_RU}",
    r"Friday|Freitag|vendredi|viernes|venerd[iì]|sexta-feira|vrijdag|pi[aą]tek|pi[aą]tku"
    rf"|пятниц{_RU}",
    rf"Saturday|Samstag|Sonnabend|samedi|s[aá]bado|sabato|zaterdag|sobot[aęy]|суббот{_RU}",
    rf"Sunday|Sonntag|dimanche|domingo|domenica|zondag|niedziel[aęi]|воскресень{_RU}",
)
# Written without spaces, so found inside a run of letters ("月曜日", "上星期五").
CJK_WEEKDAYS = (
    "月曜|星期一|월요일",
    "火曜|星期二|화요일",
    "水曜|星期三|수요일",
    "木曜|星期四|목요일",
    "金曜|星期五|금요일",
    "土曜|星期六|토요일",
    "日曜|星期[日天]|일요일",
)
_WEEKDAY = re.compile(
    "|".join(
        rf"(?P<d{i}>(?<!\w)(?:{words})(?!\w)|{cjk})"
        for i, (words, cjk) in enumerate(zip(WEEKDAYS, CJK_WEEKDAYS, strict=True))
    )
)


def lead(text: str) -> str:
    """The article's first usable sentences (LEAD_SENTENCES), or its first LEAD_CHARS."""
    memo = _LEADS.get()
    if memo is None:
        return _lead(text)
    found = memo.get(text)
    if found is None:
        found = memo[text] = _lead(text)
    return found


def _lead(text: str) -> str:
    sentences = textlib.lead_sentences(text, limit=LEAD_SENTENCES)
    return " ".join(sentences) if sentences else text[:LEAD_CHARS]


# A window's clustering reads each article's lead three or four times (its words, weekdays,
# names, sentence vector): within `leads_remembered`, each is found once (a window of 30,000
# articles spent 20 s finding them again). Per thread and per call, so nothing outlives it.
_LEADS: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "leads", default=None
)


@contextlib.contextmanager
def leads_remembered() -> Iterator[None]:
    token = _LEADS.set({})
    try:
        yield
    finally:
        _LEADS.reset(token)


def document(title: str, text: str) -> str:
    """What the word vector sees: the title twice (it names the event) and the lead."""
    return f"{title}. {title}. {lead(text)}"


def days(title: str, text: str) -> int:
    """The weekdays the title and lead name, as a bit set (0: none named)."""
    found = 0
    for match in _WEEKDAY.finditer(f"{title}. {lead(text)}"):
        found |= 1 << int(str(match.lastgroup)[1:])
    return found


def full_names(title: str, text: str) -> list[str]:
    return [n.lower() for n in ENTITY.findall(f"{title}. {text[:FULL_CHARS]}")]


def full_document(title: str, text: str) -> str:
    """What the full-text vector sees: the title twice and the whole text (capped)."""
    return f"{title}. {title}. {text[:FULL_CHARS]}"


def action_tokens(tokens: list[str], names: list[str]) -> list[str]:
    """The words of the whole text (`tokens`) less its names and numbers (`names`, from
    `full_names`): what happened, not who. Episodes of one saga weeks apart (a lawyer's plea,
    then his sentencing) share their people; reports of one event share what happened."""
    named = set(names)
    return [t for t in tokens if t not in named and not t[0].isdigit()]


# Specific numbers: amounts and counts, not years (1900-2099) or single digits. Outlets telling
# one event quote the same figures ("1.3 million claims", "$8 billion", "266,000 jobs"); two
# weeks of one saga give different ones.
_NUMBER = re.compile(r"\d(?:[\d,.]*\d)?")
_YEAR = re.compile(r"(?:19|20)\d\d")
# Not amounts: a number glued to letters is part of a name ("COVID-19", "G20", "F-35", "MH17":
# "19" was the most common "number" of NeuS's leads, from "COVID-19"), and a clock time ("10:30
# a.m.", "14:05 GMT", "9pm") is as often when a page was written or updated as when something
# happened: unrelated reports of one day share it. Dates stay: reports of one event give its
# date, and what many reports of a window share (the day's date) is weighed down by its rarity
# (`vectorizer.numbers_matrix`); dropping dates as well cost ECB+ recall (see docs/benchmarks.md).
_NOT_AMOUNT = re.compile(
    r"[A-Za-z]-?\d[\d.]*"  # glued to a name
    r"|\b\d{1,2}\s?[:.]\s?\d{2}\s?(?:[ap]\.?\s?m\b\.?|GMT|UTC|[ECMP][SD]?T\b)"  # 10:30 a.m.
    r"|\b\d{1,2}\s?:\s?\d{2}\b(?!\s?:?\s?\d)"  # 14:05
    r"|\b\d{1,2}\s?(?:[ap]\.\s?m\b\.?|[ap]m\b)",  # 10 a.m., 9pm
    re.IGNORECASE,
)


def numbers(title: str, text: str) -> set[str]:
    """The specific numbers of the title and text (capped as the whole-text view is)."""
    found = set()
    body = _NOT_AMOUNT.sub(" ", f"{title}. {text[:FULL_CHARS]}")
    for match in _NUMBER.findall(body):
        value = match.replace(",", "")
        if len(value.replace(".", "")) >= 2 and not _YEAR.fullmatch(value):
            found.add(value)
    return found
