"""A cheap language guess: the page's own declaration first, then common function words."""

from __future__ import annotations

import re

HTML_LANG = re.compile(r"""<html[^>]*\blang\s*=\s*["']?([A-Za-z]{2,3})""", re.I)
META_LANG = re.compile(
    r"""<meta[^>]+(?:http-equiv=["']content-language["'][^>]+content|property=["']og:locale["']"""
    r"""[^>]+content)\s*=\s*["']([A-Za-z]{2,3})""",
    re.I,
)
FUNCTION_WORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "was", "for", "on", "with", "said"},
    "de": {"der", "die", "und", "das", "ist", "nicht", "mit", "den", "ein", "sich", "auf"},
    "fr": {"le", "la", "les", "et", "des", "est", "une", "dans", "que", "pour", "pas", "du"},
    "es": {"el", "la", "los", "que", "y", "del", "las", "una", "por", "con", "para", "es"},
    "it": {"il", "di", "che", "e", "la", "per", "non", "una", "sono", "della", "con", "gli"},
    "nl": {"de", "het", "een", "en", "van", "niet", "dat", "zijn", "op", "met", "voor"},
    "pt": {"o", "que", "de", "não", "uma", "os", "do", "da", "em", "para", "com", "é"},
}
WORD = re.compile(r"[^\W\d_]+")


def declared_language(html: str) -> str:
    head = html[:5000]
    match = HTML_LANG.search(head) or META_LANG.search(head)
    return match.group(1).lower() if match else ""


def guess_language(text: str) -> str:
    """The likeliest of a few languages from function words; "" when too little to tell."""
    words = [w.lower() for w in WORD.findall(text[:3000])]
    if len(words) < 20:
        return ""
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in FUNCTION_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= len(words) * 0.08 else ""
