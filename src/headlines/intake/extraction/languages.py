"""A cheap language guess: the page's own declaration, checked against the text's script and
common function words.

Pages declare a language that is often a template's default (`<html lang="en">` on a French
newspaper), and many Chinese pages declare none. So the text has the last word where it clearly
disagrees: a text mostly in one non-Latin script is in that script's language unless the
declaration is one written in it (`ja` for kanji, `uk` for Cyrillic); a Latin-script text whose
function words clearly say another language than the declared one is in that language.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from headlines.core.languages import CODES

HTML_LANG = re.compile(r"""<html[^>]*\blang\s*=\s*["']?([A-Za-z]{2,3})(?![A-Za-z])""", re.I)
META_LANG = re.compile(
    r"""<meta[^>]+(?:http-equiv=["']content-language["'][^>]+content|property=["']og:locale["']"""
    r"""[^>]+content)\s*=\s*["']([A-Za-z]{2,3})(?![A-Za-z])""",
    re.I,
)
# What a declaration's code may be (ISO 639-1, and the 639-2/3 codes pages use for languages
# without one); "utf" from `content="utf-8"` and the like is no language.

FUNCTION_WORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "was", "for", "on", "with", "said"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "den", "ein", "sich", "auf"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "dans", "que", "pour", "pas", "du"},
    "es": {"el", "la", "los", "que", "y", "del", "las", "una", "por", "con", "para", "es"},
    "it": {"il", "di", "che", "e", "la", "per", "non", "una", "sono", "della", "con", "gli"},
    "nl": {"de", "het", "een", "en", "van", "niet", "dat", "zijn", "op", "met", "voor"},
    "pt": {"o", "que", "de", "não", "uma", "os", "do", "da", "em", "para", "com", "é"},
    "pl": {"się", "nie", "że", "jest", "na", "do", "w", "z", "przez", "dla", "jak", "już"},
    "cs": {"se", "je", "že", "na", "v", "ve", "jsou", "pro", "jako", "byl", "ale", "také"},
    "sv": {"och", "att", "det", "som", "är", "på", "av", "för", "med", "till", "har", "inte"},
    "tr": {"ve", "bir", "bu", "için", "ile", "olarak", "çok", "daha", "gibi", "olan", "ise"},
    "ro": {"și", "în", "că", "pe", "nu", "care", "din", "este", "pentru", "mai", "cu", "la"},
    "id": {"yang", "dan", "di", "ini", "itu", "dengan", "untuk", "dari", "tidak", "dalam"},
}
WORD = re.compile(r"[^\W\d_]+")
# A function-word guess counts when this share of the words are its function words.
GUESS_SHARE = 0.08

# Scripts other than Latin, each with the language a text in it is taken for when nothing
# better is known, and the languages a page may declare for a text in it.
_SCRIPTS: tuple[tuple[str, str, str, frozenset[str]], ...] = (
    ("kana", "\u3040-\u30ff\u31f0-\u31ff", "ja", frozenset({"ja"})),
    (
        "han",
        "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff",
        "zh",
        frozenset({"zh", "ja", "ko", "yue", "cmn"}),
    ),
    ("hangul", "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f", "ko", frozenset({"ko"})),
    ("thai", "\u0e00-\u0e7f", "th", frozenset({"th"})),
    ("lao", "\u0e80-\u0eff", "lo", frozenset({"lo"})),
    (
        "arabic",
        "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff",
        "ar",
        frozenset({"ar", "fa", "ur", "ps", "ku", "sd", "ug"}),
    ),
    ("hebrew", "\u0590-\u05ff", "he", frozenset({"he", "yi"})),
    ("greek", "\u0370-\u03ff\u1f00-\u1fff", "el", frozenset({"el"})),
    (
        "cyrillic",
        "\u0400-\u04ff",
        "ru",
        frozenset({"ru", "uk", "be", "bg", "sr", "mk", "kk", "ky", "mn", "tg", "tt", "ba", "cv"}),
    ),
    ("armenian", "\u0530-\u058f", "hy", frozenset({"hy"})),
    ("georgian", "\u10a0-\u10ff", "ka", frozenset({"ka"})),
    ("devanagari", "\u0900-\u097f", "hi", frozenset({"hi", "mr", "ne", "sa"})),
    ("bengali", "\u0980-\u09ff", "bn", frozenset({"bn", "as"})),
    ("gurmukhi", "\u0a00-\u0a7f", "pa", frozenset({"pa"})),
    ("gujarati", "\u0a80-\u0aff", "gu", frozenset({"gu"})),
    ("oriya", "\u0b00-\u0b7f", "or", frozenset({"or"})),
    ("tamil", "\u0b80-\u0bff", "ta", frozenset({"ta"})),
    ("telugu", "\u0c00-\u0c7f", "te", frozenset({"te"})),
    ("kannada", "\u0c80-\u0cff", "kn", frozenset({"kn"})),
    ("malayalam", "\u0d00-\u0d7f", "ml", frozenset({"ml"})),
    ("sinhala", "\u0d80-\u0dff", "si", frozenset({"si"})),
    ("myanmar", "\u1000-\u109f", "my", frozenset({"my"})),
    ("ethiopic", "\u1200-\u137f", "am", frozenset({"am", "ti"})),
    ("khmer", "\u1780-\u17ff", "km", frozenset({"km"})),
)
_NOT_LETTERS = re.compile(r"[\W\d_]+")
_RANGE = re.compile(r"(.)-(.)")


@cache
def _tags() -> dict[int, str]:
    """Every letter of the scripts above mapped to a private-use character of its own, so one
    `str.translate` and a count per script measure a text (a regular expression per script cost
    1.6 ms an article)."""
    table: dict[int, str] = {}
    for i, (_, letters, _, _) in enumerate(_SCRIPTS):
        for first, last in _RANGE.findall(letters):
            for point in range(ord(first), ord(last) + 1):
                table[point] = chr(0xF0000 + i)
    return table


# Letters only some languages of a script have: Ukrainian's (i, yi, ye, ghe with upturn),
# Urdu's (tteh, ddal, rreh, noon ghunna, yeh barree) and Persian's (peh, tcheh, jeh, gaf).
_MARKERS = (
    ("cyrillic", re.compile("[\u0456\u0457\u0454\u0491]"), "uk"),
    ("arabic", re.compile("[\u0679\u0688\u0691\u06ba\u06d2]"), "ur"),
    ("arabic", re.compile("[\u067e\u0686\u0698\u06af]"), "fa"),
)
# A text is in a script when this share of its letters are (Han and kana counted together).
SCRIPT_SHARE = 0.4
SAMPLE_CHARS = 3000


def base(code: str) -> str:
    """The language of a tag ("pt-BR", "zh_TW" -> "pt", "zh"), lower-cased."""
    return (code or "").replace("_", "-").split("-")[0].strip().lower()


def declared_language(html: str) -> str:
    head = html[:5000]
    for pattern in (HTML_LANG, META_LANG):
        match = pattern.search(head)
        if match and match.group(1).lower() in CODES:
            return match.group(1).lower()
    return ""


def script_language(text: str) -> tuple[str, frozenset[str]]:
    """The language a text mostly written in one non-Latin script is taken for, and the
    languages written in that script; ("", {}) for Latin text or too few letters."""
    sample = text[:SAMPLE_CHARS]
    if sample.isascii():
        return "", frozenset()
    letters = len(_NOT_LETTERS.sub("", sample))
    # Another script's letters are all outside ASCII, and the fewest that count (CJK's, each
    # weighed twice below) are SCRIPT_SHARE / (2 - SCRIPT_SHARE) of the letters: with fewer
    # non-ASCII characters than half the share, no script can.
    outside = len(sample) - len(sample.encode("ascii", "ignore"))
    if letters < 10 or outside < SCRIPT_SHARE * letters / 2:
        return "", frozenset()
    tagged = sample.translate(_tags())
    counts = {name: tagged.count(chr(0xF0000 + i)) for i, (name, *_) in enumerate(_SCRIPTS)}
    cjk = counts["kana"] + counts["han"]
    for name, _, default, written in _SCRIPTS:
        # A Chinese character or kana says about as much as two Latin letters.
        if name == "han" and 2 * cjk >= SCRIPT_SHARE * (letters + cjk):
            # Japanese writes kana among its kanji; Chinese has none.
            if counts["kana"] >= 0.05 * cjk:
                return "ja", frozenset({"ja"})
            return default, written
        if name != "kana" and counts[name] >= SCRIPT_SHARE * letters:
            for script, marker, language in _MARKERS:
                if script == name and marker.search(sample):
                    return language, written
            return default, written
    return "", frozenset()


def _scores(text: str) -> tuple[dict[str, int], int]:
    words = Counter(w.lower() for w in WORD.findall(text[:SAMPLE_CHARS]))
    scores = {lang: sum(words[w] for w in vocab) for lang, vocab in FUNCTION_WORDS.items()}
    return scores, words.total()


def guess_language(text: str) -> str:
    """The text's language from its script, else the likeliest of a few Latin-script languages
    from function words; "" when too little to tell."""
    seen, _ = script_language(text)
    if seen:
        return seen
    scores, count = _scores(text)
    if count < 20:
        return ""
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= count * GUESS_SHARE else ""


def reconcile(declared: str, text: str) -> str:
    """The declared language (a page's, a feed's, a record's, a source's) unless the text
    clearly says otherwise; the text's guess when nothing is declared."""
    if not declared:
        return guess_language(text)
    code = base(declared)
    seen, written = script_language(text)
    if seen:
        return declared if code in written else seen
    scores, count = _scores(text)
    if count < 20:
        return declared
    best = max(scores, key=lambda lang: scores[lang])
    if best == code or scores[best] < count * GUESS_SHARE:
        return declared
    # A language of another script declared for a Latin text, or one of these languages
    # whose function words are less than half as frequent as another's.
    if any(code in w for _, _, _, w in _SCRIPTS) or (
        code in scores and scores[code] * 2 < scores[best]
    ):
        return best
    return declared
