# ruff: noqa: RUF001, RUF003 (typographic quotes, dashes and full-width bars are what it reads)
"""Plain text from hostile input: headlines, sentences and extractive summaries.

Everything here returns *plain text* (never markup): titles and article text are stripped of any
tags with nh3 and unescaped, so the templates' autoescaping is the one place that makes HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

import nh3

from headlines.intake.reading import dates
from headlines.intake.scrubbing import segments
from headlines.stories import voice

LEAD_CHARS = 4000
_SPACE = re.compile(r"\s+")
# Control and format characters and line and paragraph separators (Unicode's Cc, Cf, Zl, Zp, as
# Python 3.11's `unicodedata` has them: a test checks every code point), which `plain` makes
# spaces; one pattern, where a test of each character's category cost a digest of 30,000
# articles 14 s.
BLANK_RANGES = (
    *((0x0, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD)),
    *((0x70F, 0x70F), (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F)),
    *((0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB)),
    *((0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3)),
    *((0x1D173, 0x1D17A), (0xE0001, 0xE0001), (0xE0020, 0xE007F)),
)
BLANKS = re.compile(
    "[" + "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in BLANK_RANGES) + "]"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
# " | Site Name", " - Publisher", " — The Daily Example", " :: Site"
_SUFFIX = re.compile(r"\s+(?:\||-|–|—|::|·|•)\s+([^|\-–—:·•]{1,60})$")
# As Chinese and Japanese sites write them, spaces or not: "…｜東京新聞", "…_新华网"; after a
# dash ("…-新华网") only a source's own name, since a dash also joins a title's two halves.
_UNSPACED_SUFFIX = re.compile(r"\s*(?:[|｜_]|(-|–|—|::|·|•))\s*([^|\-–—:·•｜_]{1,30})$")
# "LIVE:", "WATCH LIVE:", "Live updates:", "BREAKING NEWS -", "The Latest:", the wires' "UPDATE 2-",
# "RPT-", "EXCLUSIVE-". A hyphen set tight after a tag in ordinary case joins words instead
# ("Video-game sales", "Live-streaming").
_TAG_WORD = (
    r"(?:LIVE|WATCH|BREAKING|NEWS|UPDATES?|UPDATED|EXCLUSIVE|VIDEO|REFILE|RPT|CORRECTED|WRAPUP"
    r"|THE\s+LATEST)"
)
_PREFIX_TAG = re.compile(
    rf"^{_TAG_WORD}(?:\s+(?:{_TAG_WORD}|\d{{1,2}}))*(?:\s*[:|–—]|\s+-|(?-i:(?<=[A-Z0-9])-))\s*",
    re.I,
)
# Wire datelines and agency credits at the start of a lead: "WASHINGTON (Agency) — ",
# "CARLISLE, England (Harbour Wire) - ", "LONDON, Nov 25 (Reuters) - ", "NEW YORK, N.Y. — ",
# "Paris (AFP) - ", "(AP) — ", and as other languages' wires write them: "BERLIN (dpa) – ",
# "MADRID, 3 dic (EFE).- ", "PARIS, 3 décembre (Reuters) - ", "МОСКВА (ТАСС) — ". A place in
# capitals may stand alone before the dash; a place in ordinary case only with an agency in
# brackets (else "Biden - the ..." would lose its subject). An agency is named with a capital,
# or in two or three lower-case letters as German and Austrian wires write theirs ("dpa", "apa").
_UPPER = f"[{segments.UPPER_LETTERS}]"
_CAPS_WORD = rf"{_UPPER}[{segments.UPPER_LETTERS}.'’-]+"
_NAME_WORD = rf"{_UPPER}[\w.'’/-]*"
_QUALIFIER = rf"(?:,\s*{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})?"
# "Nov 25", "Nov. 25, 2026", and day first: "3 dic", "25 novembre", "3. Dezember", "3 дек".
_WHEN = (
    r"(?:,?\s*(?:[A-Z][a-z]{2,9}\.?\s+\d{1,2}(?:,\s*\d{4})?"
    r"|\d{1,2}\.?\s+[^\W\d_]{3,10}\.?(?:\s+\d{4})?))?"
)
_AGENCY = rf"\((?:{_UPPER}[^()]{{0,39}}|[a-z]{{2,3}})\)"
# A dash (with the Spanish wires' full stop before it) or a colon, then a space. HuffPost
# writes its datelines with a horizontal bar ("WASHINGTON ― "), and some pages set the em
# dash tight ("WASHINGTON—Joining …"); a hyphen set tight joins words ("US-China talks").
_DASH = rf"\s*(?:\.?[—–―-]{{1,2}}\s+|[—―](?={_UPPER})|:\s+)"
# After a place in capitals and its dash, Russian wires name themselves as a sentence of its own:
# "МОСКВА, 3 дек — РИА Новости. ".
_CREDIT_SENTENCE = rf"(?P<credit>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}\.\s+(?={_UPPER}))?"
_DATELINE = re.compile(
    rf"^(?:(?:{_CAPS_WORD}(?:\s+{_CAPS_WORD}){{0,3}}{_QUALIFIER}{_WHEN}\s*(?:{_AGENCY})?)"
    rf"{_DASH}{_CREDIT_SENTENCE}"
    rf"|(?:{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}}{_QUALIFIER}{_WHEN}\s*{_AGENCY}){_DASH}"
    rf"|{_AGENCY}{_DASH})"
)


# A place in ordinary case, a spaced dash and a sentence: "New York – In his first speech …".
# Only a place the gazetteer knows: "Biden – The president …" keeps its subject.
_PLACE_DASH = re.compile(
    rf"^({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})\s+[—–―-]{{1,2}}\s+(?={_UPPER})"
)


def _place_dash(sentence: str) -> int:
    from headlines.stories.places import gazetteer

    match = _PLACE_DASH.match(sentence)
    return match.end() if match and match.group(1).lower() in gazetteer() else 0


def strip_dateline(sentence: str) -> str:
    """`sentence` without a leading wire dateline or agency credit, capitalised again."""
    match = _DATELINE.match(sentence)
    if match is None:
        end = _place_dash(sentence)
        stripped = sentence[end:].strip()
        if not end or len(words(stripped)) < 3:
            return sentence.strip()
        return stripped
    end = match.end()
    credit = match.group("credit")
    if credit and segments.abbreviation(credit.split()[-1].rstrip(".")):
        # "AUGUSTA, Me. — Gov. Paul LePage said …": a title, not a wire's name ("РИА Новости.").
        end = match.start("credit")
    stripped = sentence[end:].strip()
    if not stripped or len(words(stripped)) < 3:
        return sentence.strip()
    return stripped[0].upper() + stripped[1:]


# A sentence may end in quotes or a bracket without a mark of its own.
_CLOSES = "\"'\u201d\u2019)"
# A page's own furniture, not the news. Words that news itself uses ("answered an advertisement",
# "a copyright case", "changed its privacy policy", "refused to listen to", "cookie sales",
# "subscribers") count only in the furniture's own phrasing.
_BOILERPLATE = re.compile(
    r"^sign ?up\b|sign ?up (?:to|for) (?:our|the|my|a free)\b[^.]*\b(?:newsletter|email|alerts?)|"
    r"^subscribe\b|\bsubscribe (?:now|today|here)\b|subscribe to (?:our|my|the newsletter)\b|"
    r"\b(?:our|free|daily|weekly|morning|evening) (?:email )?newsletters?\b|"
    r"click here|read more|continue reading|all rights reserved|"
    r"\b(?:use|uses|accept|accept all|manage) cookies\b|"
    r"\bcookies? (?:policy|settings|preferences)\b|"
    r"^advertisement\b|follow us|share this|"
    r"(?:photo|image|video|picture)\s*(?:credit)?:|©|copyright (?:\(c\)|\d{4})|"
    r"this article|this story|our journalism|"
    r"(?:our|read the|read our|agree to the|see our) (?:terms of (?:use|service)|privacy policy)|"
    r"privacy policy\s*[|·•]|terms of (?:use|service)\s*[|·•]|"
    r"download (?:our|the) app|(?:enable|turn on) javascript|javascript is (?:disabled|required)|"
    r"your browser (?:does not|doesn't|is not|isn't)|(?:update|upgrade) your browser|"
    r"related:|more on this|^listen to\b|listen to (?:this|the) (?:article|story|podcast|episode)",
    re.I,
)


def plain(raw: str) -> str:
    """Any markup removed, entities decoded, control characters and runs of space folded."""
    if not raw:
        return ""
    text = html.unescape(nh3.clean(raw, tags=set(), attributes={}))
    return _SPACE.sub(" ", BLANKS.sub(" ", text)).strip()


def words(text: str) -> list[str]:
    """Lower-cased words; a run of a script written without spaces (Chinese, Japanese, Thai)
    as its overlapping character pairs, so that two such sentences can share some."""
    out: list[str] = []
    for word in _WORD.findall(text):
        word = word.lower()
        if segments.UNSPACED.search(word):
            out.extend(word[i : i + 2] for i in range(max(len(word) - 1, 1)))
        else:
            out.append(word)
    return out


def overlap(a: str, b: str) -> float:
    """Share of the shorter text's words also in the other (1.0: one says nothing new)."""
    wa, wb = set(words(a)), set(words(b))
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def covered(sentence: str, *, by: str) -> float:
    """Share of `sentence`'s words already in `by` (1.0: it adds nothing)."""
    ws = set(words(sentence))
    return len(ws & set(words(by))) / len(ws) if ws else 1.0


def clean_title(raw: str, *, source_names: Iterable[str] = ()) -> str:
    """A title without its site suffix (" | Site", " - Publisher") or a "LIVE:" tag."""
    title = plain(raw)
    names = {n.lower() for n in source_names if n}
    for _ in range(2):  # "Headline - Section | Site" loses both
        match, named_only = _SUFFIX.search(title), False
        if not match and segments.UNSPACED.search(title):
            match = _UNSPACED_SUFFIX.search(title)
            named_only = bool(match and match.group(1))
        if not match:
            break
        tail = match.group(match.lastindex or 1).strip()
        head = title[: match.start()].strip()
        is_site = tail.lower() in names or (
            not named_only
            and segments.units(tail) <= 4
            and not tail.endswith((".", "?", "!", "\u3002", "\uff1f", "\uff01"))
            and segments.units(head) >= 3
        )
        if not is_site:
            break
        title = head
    title = _PREFIX_TAG.sub("", title).strip()
    # A title that is only a date or a time ("Friday, November 11, 2011") is a scraper's pick
    # of the wrong line, not a headline: it names no event, and two of them would join two
    # events of one day in a window of headlines.
    return "" if says_only_when(title) else title


# Thai and Lao mark no sentence's end: a space ends a sentence or a clause. A paragraph in
# those scripts is cut at such spaces into pieces of at most UNMARKED_UNITS (two characters a
# word, as `segments.units` counts), each as much as fits, so a summary still takes whole
# sentences or clauses and never cuts a word.
_UNMARKED = "\u0e00-\u0e7f\u0e80-\u0eff"
_UNMARKED_LETTER = re.compile(f"[{_UNMARKED}]")
_UNMARKED_BREAK = re.compile(rf"\s+(?=[{_UNMARKED}])")
UNMARKED_UNITS = 60


def unmarked(text: str) -> bool:
    """Written mostly in a script that marks no sentence's end (Thai, Lao)."""
    if not _UNMARKED_LETTER.search(text):
        return False  # most text: one regex pass, no count (`sentences` asks of every paragraph)
    letters = sum(ch.isalpha() for ch in text)
    return bool(letters) and len(_UNMARKED_LETTER.findall(text)) * 2 >= letters


def _unmarked_sentences(paragraph: str) -> list[str]:
    found: list[str] = []
    for piece in _UNMARKED_BREAK.split(paragraph):
        joined = f"{found[-1]} {piece}" if found else piece
        if found and segments.units(joined) <= UNMARKED_UNITS:
            found[-1] = joined
        else:
            found.append(piece)
    return found


def sentences(text: str) -> list[str]:
    """The text's sentences, in order; paragraphs break sentences too."""
    found: list[str] = []
    for paragraph in re.split(r"\n\s*\n|\n", text or ""):
        paragraph = _SPACE.sub(" ", paragraph).strip()
        if not paragraph:
            continue
        if unmarked(paragraph):
            found.extend(_unmarked_sentences(paragraph))
            continue
        found.extend(segments.sentences(paragraph, segments.abbreviation))
    # The mark an article ends with ("… harbour front. ■") is no part of its last sentence.
    return [t for t in (s.rstrip(segments.END_MARKS + " ") for s in found) if t]


# Openings of titles that explain or argue. Not "Will", "Who", "Can", "Is": a question without
# its "?" is rare, and "Will Smith …", "WHO warns …" or "Can Xu …" are news. In other languages
# only the labels an outlet puts before a colon ("Kommentar:", "Opinión:", "Tribune :").
_VIEW = re.compile(
    r"^(?:(?:how|why|what|where|here's|here is|opinion|analysis|commentary|editorial|column|"
    r"fact[- ]?check|explainer)\b"
    r"|(?:meinung|kommentar|analyse|leitartikel|opini[óo]n|an[áa]lisis|an[áa]lise|opini[ãa]o|"
    r"editoriale?|[ée]ditorial|tribune|chronique|commento|opinie|commentaar)\s*:)",
    re.I,
)


def is_question_or_view(title: str) -> bool:
    """A title that asks, explains or argues ("Where's the outrage …?", "How X …", "Opinion:")
    rather than says what happened: a story's headline is taken from another when there is one."""
    stripped = title.rstrip(" .")
    return (
        stripped.endswith(("?", "\uff1f", "\u061f"))
        # A teaser that keeps its point back: "The Person of the Year is…".
        or title.rstrip().endswith(("...", "\u2026"))
        or bool(_VIEW.match(title.lstrip("\"'“‘(")))
        # After a label: "Biden administration: Here's who has been named", "Grand jury: What
        # it means".
        or (":" in title and bool(_VIEW.match(title.split(":", 1)[1].lstrip(" \"'“‘("))))
    )


_FINAL_STOPS = re.compile(r"\.+$")


def without_full_stop(title: str) -> str:
    """A headline as headlines are written: no full stop at its end ("Pruitt resigns." reads
    "Pruitt resigns"), but an abbreviation keeps its own ("… Jr.", "… in the U.S."), and an
    ellipsis stays one ("Jr.." and "Is...." had a full stop put after them)."""
    title = title.rstrip()
    stops = _FINAL_STOPS.search(title)
    if stops is None:
        return title
    head = title[: stops.start()]
    count = len(stops.group(0))
    if count == 3:
        return title
    if count > 3:
        return title[:-1]
    last = head.rsplit(None, 1)[-1] if head.split() else ""
    # "Jr.." is an abbreviation's stop and one more; "number two.." two of nobody's.
    return head + "." if segments.abbreviation(last.lstrip(segments.OPENERS)) else head.rstrip()


# A page's timestamp line says when and nothing of what happened ("Posted 11 / 27 / 2005 7: 21
# AM", "18 September 2013 Last updated at 13: 59 GMT"); taken for a title (a dump whose first
# line is its timestamp, a page whose heading is its date) it is no headline.
_WHEN_WORDS = frozenset(
    {
        *dates.MONTHS,
        *("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
        *("mon", "tue", "tues", "wed", "thu", "thurs", "fri", "sat", "sun"),
        *("posted", "updated", "last", "published", "modified", "at", "on", "of", "local", "time"),
        *("am", "pm", "a", "p", "m", "t", "z", "gmt", "utc", "et", "pt", "ct", "mt"),
        *("est", "edt", "cst", "cdt", "mst", "mdt", "pst", "pdt", "bst", "cet", "cest", "ist"),
    }
)
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def says_only_when(title: str) -> bool:
    """A title made of a date or time and the words around one ("Posted", "Last updated at",
    a month, a time zone), and nothing else."""
    return any(ch.isdigit() for ch in title) and all(
        word in _WHEN_WORDS for word in _LETTER_RUN.findall(title.lower())
    )


def shouting(text: str) -> bool:
    """Written in capitals: every cased letter a capital, and most letters cased. Chinese,
    Japanese, Thai or Arabic letters have no case, so a line of them with "DNA" or "NBA" in it
    is not shouting (`str.isupper` alone says it is)."""
    if not text.isupper():
        return False
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) * 2 > len(letters)


def ends_a_sentence(text: str) -> bool:
    """Ends as a sentence does in its script: a full stop, exclamation or question mark (Latin,
    CJK, Arabic, the danda), maybe in quotes or brackets; Thai and Lao mark none."""
    return text[-1:] in _CLOSES or segments.closes_a_sentence(text) or unmarked(text)


def is_boilerplate(sentence: str) -> bool:
    return bool(_BOILERPLATE.search(sentence))


# The words the clustering's lead (`lead_sentences`) still drops a sentence for: the features
# of its pair scorers were fitted reading leads without them, and a vector loses little with a
# sentence that mentions a cookie; a summary loses the news (it reads `is_boilerplate`).
_FURNITURE_WORDS = re.compile(
    r"sign ?up|subscribe|newsletter|click here|read more|continue reading|all rights reserved|"
    r"cookie|advertisement|follow us|share this|(?:photo|image|video|picture)\s*(?:credit)?:|©|"
    r"copyright|this article|this story|our journalism|terms of (?:use|service)|privacy policy|"
    r"download (?:our|the) app|javascript|your browser|related:|more on this|listen to",
    re.I,
)


def _usable(sentence: str, *, furniture: re.Pattern[str] = _BOILERPLATE) -> bool:
    # Chinese, Japanese, Thai: about two characters a word.
    n = segments.units(sentence) if segments.UNSPACED.search(sentence) else len(words(sentence))
    return (
        6 <= n <= 60
        and ends_a_sentence(sentence)
        and not furniture.search(sentence)
        and not shouting(sentence)
    )


def _numbered_lead(
    text: str, *, limit: int, furniture: re.Pattern[str] = _BOILERPLATE
) -> list[tuple[int, str]]:
    """The first usable sentences of an article's lead, dateline removed, each with its place
    among all the lead's sentences."""
    picked = []
    # Only the lead matters, and a text dump may be megabytes long.
    for place, sentence in enumerate(sentences(plain_paragraphs(text[:LEAD_CHARS]))):
        sentence = strip_dateline(sentence)
        if _usable(sentence, furniture=furniture):
            picked.append((place, sentence))
        if len(picked) >= limit:
            break
    return picked


def lead_sentences(text: str, *, limit: int = 8) -> list[str]:
    """The first usable sentences of an article's lead, dateline removed, as the clustering and
    the outlets' agreement read them (`_FURNITURE_WORDS`)."""
    return [
        sentence for _, sentence in _numbered_lead(text, limit=limit, furniture=_FURNITURE_WORDS)
    ]


def plain_paragraphs(text: str) -> str:
    """Like `plain`, but keeps line breaks so paragraphs still end sentences."""
    return "\n".join(plain(line) for line in (text or "").splitlines())


# The summary opens on one of a lead's first sentences, when any article has one that will do.
OPENING_PLACES = 3


def summarise(*, headline: str, leads: Sequence[str], max_chars: int) -> str:
    """One or two whole sentences from the leads, no repeats of the headline or of each other.

    Leads come best article first. The first sentence is the best article's first usable one
    among its lead's first OPENING_PLACES sentences that does not lean on a sentence before it
    ("But …", "He said …"), else the next article's, else the best article's first usable one;
    a second is added only when it says something new and fits under the cap.
    """
    return _summary(headline, leads, max_chars, opening=True) or _summary(
        headline, leads, max_chars, opening=False
    )


def _summary(headline: str, leads: Sequence[str], max_chars: int, *, opening: bool) -> str:
    chosen: list[str] = []
    after = -1  # the place in its lead of the sentence chosen first
    for text in leads:
        for place, sentence in _numbered_lead(text, limit=8):
            if chosen and unmarked(chosen[0]):
                # Pieces of a Thai paragraph are cut at its spaces, not at its sentences: the
                # second must be the piece that follows the first in the text, or there is none.
                joined = f"{chosen[0]} {sentence}"
                if len(joined) <= max_chars and joined in plain(text[:LEAD_CHARS]):
                    chosen.append(sentence)
                return segments.join(chosen)
            if len(sentence) > max_chars:
                continue
            if covered(sentence, by=headline) > 0.8:
                continue  # says no more than the headline
            if any(overlap(sentence, c) > 0.5 for c in chosen):
                continue
            if len(" ".join([*chosen, sentence])) > max_chars:
                continue
            if voice.half_quoted(sentence) or voice.trails_off(sentence):
                continue  # a piece of a longer quotation: who says it?
            if (
                not chosen
                and opening
                and (place >= OPENING_PLACES or voice.leans_back(sentence, opening=True))
            ):
                # "But a source told …" leans on what the reader never saw; a sentence from
                # deep in the article ("Mr. Sheridan is representing …") names people the
                # reader has not met: another outlet's lead opens the summary better.
                continue
            if (chosen or opening) and voice.unattributed(sentence):
                continue  # "We will bring back our jobs." Who said so?
            if chosen and place != after + 1 and voice.leans_back(sentence):
                continue  # "He added, …" with the sentence it follows left out
            after = place
            chosen.append(sentence)
            if len(chosen) == 2:
                return segments.join(chosen)
        if chosen:
            # The second sentence comes from the same article's lead only: another outlet's
            # sentence rarely follows on from the first.
            break
    return segments.join(chosen)


def headline_from_lead(text: str, *, max_chars: int = 100) -> str:
    """A headline for an untitled article: its first sentence, shortened at a clause."""
    candidates = [s for _, s in _numbered_lead(text, limit=1)] or sentences(
        plain_paragraphs(text[:LEAD_CHARS])
    )[:1]
    if not candidates:
        return ""
    sentence = candidates[0].rstrip(".!?\"'”’ \u3002\uff01\uff1f")
    if len(sentence) <= max_chars:
        return sentence
    for separator in (
        ";",
        ",",
        "\u3001",
        "\uff0c",
        " — ",
        " – ",
        " - ",
        " after ",
        " as ",
        " while ",
        " which ",
    ):
        cut = sentence.find(separator, 30, max_chars)
        if cut > 0:
            return sentence[:cut].rstrip()
    cut = sentence.rfind(" ", 0, max_chars)
    return sentence[: cut if cut > 30 else max_chars].rstrip(" ,;:")


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > 0 else limit - 1].rstrip(" ,;:") + "…"
