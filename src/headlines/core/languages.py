"""Language codes: what an edition or a source may say it is written in.

A code is an ISO 639 language ("en", "de", "fil") with optional BCP 47 subtags ("pt-BR",
"zh-Hant-TW"); `language_tag` checks one typed by staff (the command line, the admin, the API)
and gives it back in its usual spelling, so that a typo or stray markup is refused with a clear
message instead of being stored and read as no language at all.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from headlines.core.errors import InvalidInput

_CODES = (
    "aa ab af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv "
    "cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho "
    "hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku "
    "kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn "
    "no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm "
    "sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi "
    "vo wa wo xh yi yo za zh zu fil haw yue cmn ceb"
)
CODES = frozenset(_CODES.split())
MAX_TAG = 16  # the models' language fields
_TAG = re.compile(r"([A-Za-z]{2,3})((?:[-_][A-Za-z0-9]{1,8})*)")


def language_tag(value: str, *, blank: bool = False) -> str:
    """`value` as a language code ("pt_br" -> "pt-BR"), or InvalidInput naming it. `blank`:
    an empty value is allowed (a source whose pages say their own language)."""
    typed = value
    value = value.strip()
    if not value and blank:
        return ""
    match = _TAG.fullmatch(value)
    if not match or len(value) > MAX_TAG or match.group(1).lower() not in CODES:
        raise InvalidInput(
            f"language {typed!r} is not a language code such as en, de or pt-BR",
            field="language",
        )
    parts = [match.group(1).lower()]
    for sub in match.group(2).replace("_", "-").split("-")[1:]:
        # BCP 47's usual case: regions upper (BR, 419), scripts title (Hant), the rest lower.
        if len(sub) == 2 or sub.isdigit():
            parts.append(sub.upper())
        elif len(sub) == 4:
            parts.append(sub.title())
        else:
            parts.append(sub.lower())
    return "-".join(parts)


def validate_language(value: str) -> None:
    """The models' validator (the admin's forms): `language_tag`, blank allowed where the field
    is."""
    try:
        language_tag(value, blank=True)
    except InvalidInput as refused:
        raise ValidationError(str(refused)) from None


# Languages written right to left (their usual script), and the scripts that are, for a tag
# such as "az-Arab" or "pa-Arab" whose language is usually written left to right.
_RTL_LANGUAGES = frozenset(["ar", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"])
_RTL_SCRIPTS = frozenset(["Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg"])


def text_direction(tag: str) -> str:
    """The `dir` of a page or an email in the language `tag`: "rtl" or "ltr".

    `lang="ar"` alone leaves an Arabic digest laid out left to right in most mail readers."""
    parts = tag.replace("_", "-").split("-")
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    if script is not None:
        return "rtl" if script in _RTL_SCRIPTS else "ltr"
    return "rtl" if parts[0].lower() in _RTL_LANGUAGES else "ltr"
