"""Page metadata read from the document head with a few patterns: cheaper than a second full
parse, and what news pages declare anyway (Open Graph, article:*, JSON-LD, <title>); what
a byline found elsewhere in the page must look like to be taken as its author
(`plausible_author`); and an author as stored, whoever gave it (`tidy_author`)."""

from __future__ import annotations

import html as htmllib
import re

from headlines.core.storable import storable
from headlines.intake.reading.dates import MONTHS
from headlines.intake.reading.items import without_controls
from headlines.intake.scrubbing.segments import abbreviation

META = re.compile(r"<meta\b[^>]*>", re.I)
ATTR = re.compile(r"""([a-zA-Z:_-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
CANONICAL = re.compile(r"""<link\b[^>]*rel=["']?canonical["']?[^>]*>""", re.I)
JSON_LD_DATE = re.compile(r'"datePublished"\s*:\s*"([^"]+)"')
TIME_TAG = re.compile(r"""<time\b[^>]*datetime=["']([^"']+)["']""", re.I)

DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "date",
    "pubdate",
    "dc.date",
    "parsely-pub-date",
    "sailthru.date",
    "publish-date",
    "datepublished",
)
AUTHOR_KEYS = ("author", "article:author", "dc.creator", "parsely-author", "byl")
TITLE_KEYS = ("og:title", "twitter:title", "title")
IMAGE_KEYS = ("og:image", "twitter:image")


def _attrs(tag: str) -> dict[str, str]:
    return {k.lower(): htmllib.unescape(v.strip("\"'")) for k, v in ATTR.findall(tag)}


def head_metadata(page: str) -> dict[str, str]:
    end = page.lower().find("</head>")
    head = page[: end if end > 0 else 30_000]
    metas: dict[str, str] = {}
    for tag in META.findall(head):
        attrs = _attrs(tag)
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        if key and "content" in attrs and key not in metas:
            metas[key] = attrs["content"].strip()
    found = {
        "date": _first(metas, DATE_KEYS),
        "author": _first(metas, AUTHOR_KEYS),
        "title": _first(metas, TITLE_KEYS),
        "image": _first(metas, IMAGE_KEYS),
        "url": "",
    }
    if not found["title"]:
        match = TITLE.search(head)
        found["title"] = htmllib.unescape(" ".join(match.group(1).split())) if match else ""
    canonical = CANONICAL.search(head)
    if canonical:
        found["url"] = _attrs(canonical.group(0)).get("href", "")
    if not found["date"]:
        match = JSON_LD_DATE.search(page) or TIME_TAG.search(page)
        found["date"] = match.group(1) if match else ""
    if found["author"].startswith("http"):
        found["author"] = ""
    return found


def _first(metas: dict[str, str], keys: tuple[str, ...]) -> str:
    for key in keys:
        if metas.get(key):
            return metas[key]
    return ""


# A byline read from the page's body or its JSON-LD (`extract.byline`) is a name or a few,
# ";"-separated; the bylines pages give are also buttons and dates ("View Profile", "Follow
# Author", "Username", "Last Updated January 7", "Published January"). A part ends before the
# first of these words, and is no name with a digit or under two words left before it ("Richard
# Lam Published" is Richard Lam's); a month's or weekday's name after two or more words of a
# name, or words in small letters there, are the date or the "2 hours ago" that followed it
# ("Nathan Willis March", "Aleš Vávra před"); a part of one word beside names of more is a
# label ("Kevork Djansezian; File", "Brenda Goodman; MA"). A name given twice is kept once, and
# JSON's escapes left in it are read ("Luis \\u00c1vila").
BYLINE_NOT_NAMES = frozenset(
    ("about", "account", "author", "authors", "comment", "comments", "contact", "edited",
     "follow", "home", "logged", "login", "menu", "name", "photo", "posted", "profile",
     "published", "resize", "says", "search", "share", "sign", "subscribe", "updated", "user",
     "username", "view", "writer", "you", "your")
)  # fmt: skip
BYLINE_DATE_WORDS = frozenset(MONTHS) | frozenset(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)
BYLINE_MAX_CHARS = 200
BYLINE_PART_MAX_WORDS = 6
_LETTERS = re.compile(r"[^\W\d_]+")
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def plausible_author(found: str) -> str:
    """`found` (a byline, names separated by ";") without what is no name; "" if nothing is.
    What JSON escapes say is read ("\\u00c1"), and what no database stores never comes out of
    it: a control character ("\\u0000" decoded, by us or by the JSON reader) or half a
    character (a lone surrogate)."""
    text = _storable_line(_JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), found))
    if not text or len(text) > BYLINE_MAX_CHARS:
        return ""
    names = [name for name in map(_name_part, text.split(";")) if name]
    if any(len(name.split()) > 1 for name in names):
        names = [name for name in names if len(name.split()) > 1]
    unique: dict[str, str] = {}
    for name in names:
        unique.setdefault(name.casefold(), name)
    return "; ".join(unique.values())


def _storable_line(text: str) -> str:
    """`text` on one line, without what no database stores (controls, half characters)."""
    return " ".join(without_controls(storable(text)).replace("\ufffd", " ").split())


def _name_part(part: str) -> str:
    words: list[str] = []
    for word in _without_full_stop(part.strip(" ,-|:")).split():
        if any(w.lower() in BYLINE_NOT_NAMES for w in _LETTERS.findall(word)):
            if len(words) < 2:
                return ""
            break
        words.append(word)
    while len(words) > 2 and (
        words[-1].lower().strip(",.") in BYLINE_DATE_WORDS or words[-1][:1].islower()
    ):
        words.pop()
    if (
        not words
        or len(words) > BYLINE_PART_MAX_WORDS
        or any(ch.isdigit() for w in words for ch in w)
    ):
        return ""
    return " ".join(words)


def _without_full_stop(text: str) -> str:
    """`text` without a sentence's closing full stop; an initial's or an abbreviation's is kept
    ("Kooman, F.", "Perry Bacon Jr.")."""
    last = text.rsplit(None, 1)[-1].rstrip(".") if text.strip() else ""
    return text.rstrip(".") if text.endswith(".") and not abbreviation(last) else text


# What a head's author tag, a feed's creator or a dump's author field gives is stored as the
# article's author once tidied (`tidy_author`): the word a byline starts with in the languages
# that write one ("By SETH MYDANS", "Por Ana Ruiz", "Von Max Muster": "Von" only before a name
# of two words or more, as "Von Miller" is a name), a web address beside the name ("Bradley M.
# Kuhn (http://ebb.org/bkuhn/)") or standing for it ("lefigaro.fr": the site, which the source
# names already), and a name in capitals written as names are ("THE ASSOCIATED PRESS"; one
# word in capitals is a brand's own spelling: "VOGUE", "BDZV").
_BY = re.compile(r"^(?:by|por|par|door|przez|av|af)\b\s*:?\s+(?=\S)", re.I)
_VON = re.compile(r"^von\s+(?=\S+\s+\S)", re.I)
_ADDRESS_BESIDE = re.compile(r"[(<\[]\s*(?:https?://|www\.)[^)>\]]*[)>\]]", re.I)
_ADDRESS = re.compile(r"^(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?:/\S*)?$")
_SMALL_WORDS = frozenset(("and", "of", "the", "for", "at", "in", "on", "de", "van", "von", "der"))


def tidy_author(found: str) -> str:
    """An article's author as stored, from whatever named it (see the comment above)."""
    text = _storable_line(_ADDRESS_BESIDE.sub(" ", found))
    text = _VON.sub("", _BY.sub("", text, count=1), count=1)
    if _ADDRESS.match(text):
        return ""
    return "; ".join(_written_as_names(part) for part in text.split(";") if part.strip())


def _written_as_names(part: str) -> str:
    """One name of an author (";" parts them) in capitals written as names are."""
    words = part.split()
    if len(words) > 1 and not any(c.islower() for c in part):
        words = [_capitalised(word, first=k == 0) for k, word in enumerate(words)]
    return " ".join(words)


def _capitalised(word: str, *, first: bool) -> str:
    """A word of a name in capitals as names are written: "MYDANS" Mydans, "O'BRIEN" O'Brien;
    initials stay ("J.D."), and small words inside a name are small ("University of")."""
    if "." in word or any(c.isdigit() for c in word):
        return word
    if not first and word.lower() in _SMALL_WORDS:
        return word.lower()
    return _LETTERS.sub(_capital, word.lower())


def _capital(run: re.Match[str]) -> str:
    """A run of letters capitalised at a word's start, after a hyphen, or after an apostrophe
    when a name goes on ("O'Brien"; not "'s")."""
    start, letters = run.start(), run.group(0)
    before = run.string[start - 1] if start else ""
    if start == 0 or before == "-" or (before in "'\u2019" and len(letters) > 1):
        return letters.capitalize()
    return letters
