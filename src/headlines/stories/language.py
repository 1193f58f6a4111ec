"""Words for comparing articles, in each article's own language.

Languages written with spaces are split into words and lose their stop words (English: the
usual list; a few other major languages: their commonest function words; any other language
none, and the window's document frequencies do the rest). Where asked (a window of headlines
alone: see `vectorizer.Vectorizer`), each word is also cut to its stem by its language's Snowball
stemmer, where PyStemmer has one ("charged", "charges" and "charging" count as one word).
Chinese, Japanese and Thai are written without spaces between words, so their runs of letters
are cut into overlapping character pairs, the usual unit for comparing such texts without a
dictionary.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import cache

import Stemmer

from headlines.intake.extraction.languages import base

_WORD = re.compile(r"\w\w+", re.UNICODE)
# Runs of CJK ideographs, kana and Thai letters (no spaces between their words).
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
UNSPACED_LANGUAGES = frozenset({"zh", "ja", "th"})

_STOP = {
    "de": "aber als am an auch auf aus bei bis da das dass dem den der des die doch dort durch "
    "ein eine einem einen einer eines er es für hat hatte hier ich ihr im in ist ja kann "
    "man mit nach nicht noch nur oder sich sie sind so über um und uns von vor war wie wir "
    "wird wurde zu zum zur",
    "fr": "au aux avec ce ces cette dans de des du elle en est et il ils je la le les leur lui "
    "mais me même mon ne nous on ont ou par pas pour qu que qui sa se ses son sont sur ta "
    "te tu un une vous été être avoir fait plus comme",
    "es": "al como con de del el ella en es esta este fue ha han la las le les lo los más mi "
    "no nos o para pero por que se ser si sin sobre su sus también un una uno y ya está "
    "son entre cuando muy",
    "it": "a al alla anche che chi con da dal dalla de del della di e è gli ha i il in la le lo "
    "ma ne nel nella non per più se si sono su sua suo tra un una uno come",
    "pt": "a ao aos as com como da das de do dos e é ela ele em entre foi há isso mais mas na "
    "nas no nos o os ou para pela pelo por que se sem ser seu sua são também um uma",
    "nl": "aan al als bij dan dat de die dit door een en er had heb het hij in is je kan maar "
    "met na naar niet nog of om ook op over te tot uit van voor was werd wat we wel zal "
    "ze zich zij zijn",
}


# Snowball's stemmers by language tag (an article of no known language is read as English, as
# its stop words are).
_SNOWBALL_NAMES = (
    "en:english ar:arabic ca:catalan cs:czech da:danish de:german el:greek es:spanish "
    "et:estonian eu:basque fa:persian fi:finnish fr:french ga:irish hi:hindi hu:hungarian "
    "hy:armenian id:indonesian it:italian lt:lithuanian ne:nepali nl:dutch no:norwegian "
    "nb:norwegian nn:norwegian pl:polish pt:portuguese ro:romanian ru:russian sr:serbian "
    "sv:swedish ta:tamil tr:turkish"
)
_SNOWBALL = {"": "english", **dict(pair.split(":") for pair in _SNOWBALL_NAMES.split())}
# A Stemmer object is not safe to share between threads (PyStemmer's documentation): one per
# thread and language.
_local = threading.local()


def _stemmer(code: str) -> Stemmer.Stemmer | None:
    name = _SNOWBALL.get(code)
    if name is None:
        return None
    made: dict[str, Stemmer.Stemmer] = _local.__dict__.setdefault("stemmers", {})
    if name not in made:
        made[name] = Stemmer.Stemmer(name)
    return made[name]


def stems(words: Sequence[str], language: str) -> list[str]:
    """`words` (lower-cased) cut to their stems in `language`; as they are where it has none."""
    stemmer = _stemmer(base(language))
    return list(words) if stemmer is None else stemmer.stemWords(words)


@cache
def stop_words(language: str) -> frozenset[str]:
    code = base(language)
    if code in ("en", ""):
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS)
    return frozenset(_STOP.get(code, "").split())


_WHOLE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)


def all_words(text: str) -> list[str]:
    """Every word of `text`, lower-cased, stop words kept and numbers whole ("2.1", "40,000");
    unspaced script in character pairs, as `tokens` cuts it."""
    lowered = text.lower()
    out = [w for w in _WHOLE.findall(lowered) if not _UNSPACED.search(w)]
    return out + _unspaced_pairs(lowered)


def _unspaced_pairs(lowered: str) -> list[str]:
    """Each run of unspaced script in `lowered`, cut into its character pairs."""
    return [
        run[i : i + 2] for run in _UNSPACED.findall(lowered) for i in range(max(len(run) - 1, 1))
    ]


def tokens(text: str, language: str, *, stem: bool = False) -> list[str]:
    """The words of `text` that say what it is about, lower-cased, in its language's units;
    cut to their stems where `stem`."""
    lowered = text.lower()
    stop = stop_words(language)
    out = [w for w in _WORD.findall(lowered) if w not in stop and not _UNSPACED.search(w)]
    if stem:
        out = stems(out, language)
    # Unspaced script is cut into character pairs whatever the declared language: a Japanese
    # name inside an English text is still compared, and a mislabelled article still works.
    return out + _unspaced_pairs(lowered)
