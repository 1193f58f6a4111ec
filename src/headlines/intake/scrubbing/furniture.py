"""More families of page furniture, and where glued furniture ends and the article resumes.

Each rule describes a shape pages share (a newsletter promo and its small print, a "after
newsletter promotion" marker, a credit line, a wire sign-off, a menu, a list of other headlines,
a publisher's closing tagline), never one site's sentences. Each is narrow on purpose: a real
sentence that merely mentions a newsletter, a privacy law or a photographer reads as a sentence
(it reports, it ends with a full stop, it does not address the reader) and is kept.
"""

from __future__ import annotations

import re

# "Our free daily newsletter - every weekday at 7am", "The Briefing: our evening email".
# A promo is a label, not a sentence: it has no closing full stop.
PROMO_WORDS = re.compile(r"\b(news ?letters?|briefing|bulletin|e-?mail|inbox)\b", re.I)
# What a promo pitches, unlike a crosshead that names an email ("The email that changed it").
PROMO_PITCH = re.compile(
    r"\b(our|your|you|free|every|daily|weekly|weekday|each (morning|evening|week)|sign up)\b",
    re.I,
)
SENTENCE_CLOSE = re.compile(r"[.!?\u2026][\"'\u201d\u2019)]?$")
# "… our free weekly newsletter …" addressed to the reader: a promo even as a sentence.
FREE_OFFER = re.compile(
    r"\b(our|your)\b.{0,40}\bfree\b.{0,30}\b(news ?letters?|briefing|bulletin|e-?mails?)\b"
    r"|\bfree\b.{0,30}\b(news ?letters?|briefing|bulletin)\b.{0,40}\b(you|your)\b",
    re.I,
)
# The small print under a sign-up form: "Privacy Notice: …", "Newsletters may contain …".
SMALL_PRINT = re.compile(
    r"^\W*(privacy|data protection|cookie|cookies|legal) (notice|policy|information|statement)"
    r"\s*[:\u2013\u2014-]"
    r"|\b(news ?letters?|e-?mails?|alerts)\b.{0,40}\bmay (contain|include|feature)\b",
    re.I,
)
# "after newsletter promotion", "skip past newsletter promotion", "Story continues below
# advertisement", "Advertisement - scroll to continue".
MARKER = re.compile(
    r"^\W*((after|skip( past)?|end of|before|hide|close)|(the )?(story|article|content|text) "
    r"continues (below|after)|continue reading (below|after))( the| this| our)?"
    r" (news ?letter|sign-?up|advert(isement)?|ads?|promo(tion)?|sponsored( content)?|"
    r"podcast|video|widget)( promotion| promo| block| widget| sign-?up)?\W*$"
    r"|^\W*advert(isement)?\s*[-\u2013\u2014:|]?\s*(scroll|story|article|content)"
    r"( down)?( to)? continues?\b",
    re.I,
)
NAME = r"[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019&-]*|&|and|de|van|von|of|the))*"
# A credit line on its own: "Photograph: Jane Doe", "Illustration by Ana Ruiz", "Photo courtesy
# of the Harbour Trust", "Image: Lee Wong via Metro Wire", "(Lee Wong/Metro Wire)".
CREDIT_LINE = re.compile(
    r"^\W*(?i:(photo(graph)?s?|pictures?|images?|illustrations?|graphics?|video|footage|"
    r"artwork|credit|source|main image|top image|file photo)"
    r"(\s+(by|credit|courtesy( of)?|supplied by))?)\s*[:\u2013\u2014-]?\s*(the\s+)?" + NAME + r"("
    r"\s*(/|via|for|,)\s*(the\s+)?" + NAME + r")*\W*$"
    r"|^\W*\(\s*" + NAME + r"\s*(/|via|for)\s*" + NAME + r"\s*\)\W*$"
)
# Where a credit without brackets starts inside glued text: "Photo: Lee Wong/".
GLUED_CREDIT = re.compile(
    r"\b(?i:photo(?:graph)?|picture|image|credit|illustration)s?\s*:\s*[A-Z][^/\s]*"
    r"(?:\s+[A-Z][^/\s]*){0,3}/"
)
# A wire's sign-off: "Reporting by Anika Sato; Editing by Sam Whitlock".
SIGN_OFF = re.compile(
    r"^\W*((additional )?(reporting|writing|editing|research|graphics|compiled|produced)"
    r"( and \w+)? by [A-Z][^;]{1,60}[;,]?\s*)+\W*$",
    re.I,
)
# Link text that says where it goes: "Purchase Licensing Rights, opens new tab".
LINK_TEXT = re.compile(r"\W*\(?opens (in )?(a )?new (tab|window)\)?\W*$", re.I)
# A publisher describing itself at the foot of a story: "Metro Wire is an independent news
# agency …", "The Ledger is owned by its readers.", "Donate today."
SELF_DESCRIPTION = re.compile(
    r"^\W*" + NAME + r"( journalism)? (is|are) (?i:(an?|the|owned|funded|supported|published|"
    r"produced|proudly|run|part|a member|member)\b.{0,160}\b(news|newsroom|newspaper|journalism|"
    r"publication|press|media|magazine|agency|publisher|readers|subscribers|reporting|reporters|"
    r"journalists|editors)\b)"
    r"|^\W*" + NAME + r" has (covered|reported on) .{0,80}\bsince (1[6-9]|20)\d\d\W*$",
)
# "Got a story? Email the newsdesk.", "Have a tip? Contact us at …".
TIP_LINE = re.compile(
    r"^\W*((got|have|know) (a|an|any) (story|tip|news tip|story idea)s?|send (us )?your (tips|"
    r"stories)|(e-?mail|contact|call|write to) (the |our )?[\w ]{0,30}(news ?desk|tips? line))\b",
    re.I,
)
SUPPORT_CALL = re.compile(
    r"^\W*(please )?(donate|support (us|local|independent|our|quality|public[- ]interest)|"
    r"become a (member|supporter|subscriber|patron)|make a (donation|contribution))\b",
    re.I,
)
SEGMENT_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
REPORTING = re.compile(r"\b(said|says|told|according to|announced|reported|added)\b", re.I)
# Cheap substring pre-checks, supersets of what the rules they guard can match.
MARKER_HINTS = ("after", "skip", "end of", "before", "hide", "close", "continue", "advert")
PROMO_HINTS = ("news", "brief", "bulletin", "mail", "inbox", "privacy", "cookie", "legal",
               "data protection", "may ")  # fmt: skip
HEADLINE_MAX_WORDS = 16
MENU_MAX_WORDS = 4
# Headline words that cannot end a headline, so a capital after them is still the headline.
FUNCTION_WORDS = frozenset(
    ("a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and", "or",
     "as", "into", "over", "after", "before", "near")
)  # fmt: skip


def classify_more(segment: str, words: int, lower: str) -> str | None:
    """The reason for the families this module knows, or None (`lower`: segment.lower())."""
    if words > 60 or REPORTING.search(segment):
        return None
    if words <= 10 and any(h in lower for h in MARKER_HINTS) and MARKER.match(segment):
        return "promotion"
    if words <= 20 and " by " in lower and SIGN_OFF.match(segment):
        return "byline"
    if words <= 12 and "new " in lower and LINK_TEXT.search(segment):
        return "prompt"
    if words <= 14 and CREDIT_LINE.match(segment):
        return "caption"
    if not any(h in lower for h in PROMO_HINTS):
        return None
    if SMALL_PRINT.search(segment):
        return "newsletter"
    promo = words <= 25 and PROMO_WORDS.search(segment) and PROMO_PITCH.search(segment)
    if promo and (not SENTENCE_CLOSE.search(segment) or FREE_OFFER.search(segment)):
        return "newsletter"
    return None


def is_tagline(segment: str) -> bool:
    """A closing line in which the publisher describes itself or asks for support."""
    words = len(segment.split())
    if words > 35 or REPORTING.search(segment):
        return False
    if words <= 10 and (SUPPORT_CALL.match(segment) or TIP_LINE.match(segment)):
        return True
    return bool(SELF_DESCRIPTION.match(segment))


def headline_like(paragraph: str) -> bool:
    """A line of a menu or a list of other stories: short, and not a sentence."""
    return len(paragraph.split()) <= HEADLINE_MAX_WORDS and not SENTENCE_CLOSE.search(paragraph)


def menu_item(paragraph: str) -> bool:
    return len(paragraph.split()) <= MENU_MAX_WORDS and not SENTENCE_CLOSE.search(paragraph)


def split_after_glued_headline(text: str, skip: int) -> tuple[str, str] | None:
    """Where a headline without a full stop ends and the next sentence begins.

    `skip` words (the "Read more:" or the credit's own words) come first. A sentence starts
    with a capital after a word a headline can end on; in a run of capitals (a place or an
    agency, then the sentence's first word) the last one starts the sentence. When it is
    unclear the earliest boundary wins: it can leave a headline word in, never take one out.
    """
    tokens = text.split()
    for i in range(skip + 1, min(len(tokens), skip + HEADLINE_MAX_WORDS + 1)):
        word, before = tokens[i], tokens[i - 1]
        if not word[:1].isupper() or before.lower() in FUNCTION_WORDS:
            continue
        if i + 1 < len(tokens) and tokens[i + 1][:1].isupper():
            continue  # inside a run of capitals: the sentence starts at its last word
        rest = tokens[i:]
        if len(rest) >= 5 and SENTENCE_CLOSE.search(rest[-1]):
            return " ".join(tokens[:i]), " ".join(rest)
        return None
    return None


def split_glued_credit(piece: str) -> list[str]:
    """ "… on Tuesday Photo: Lee Wong/Valley Press Officials said …" → caption, sentence."""
    match = GLUED_CREDIT.search(piece)
    if match is None:
        return [piece]
    skip = len(piece[: match.end()].split()) - 1
    split = split_after_glued_headline(piece, skip)
    return list(split) if split else [piece]


def lists_and_taglines(
    kept: list[str], removed: list[tuple[str, str]]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Take out runs of menu items and of other stories' headlines, and a closing tagline.

    One short line without a full stop may be a crosshead, and a few may be a list of key
    points; three words-or-so lines in a row are a menu, and two or more headlines closing the
    text are the "related" list under a story.
    """
    out: list[str] = []
    i = 0
    while i < len(kept):
        j = i
        while j < len(kept) and headline_like(kept[j]):
            j += 1
        run = kept[i:j]
        menu = len(run) >= 3 and all(menu_item(line) for line in run)
        if menu or (len(run) >= 2 and j == len(kept)):
            removed.extend((line, "navigation" if menu else "related") for line in run)
        else:
            out.extend(run or [kept[i]])
        i = max(j, i + 1)
    return _without_tagline(out, removed)


def _without_tagline(
    kept: list[str], removed: list[tuple[str, str]]
) -> tuple[list[str], list[tuple[str, str]]]:
    """The story's last sentences, when the publisher describes itself or asks for support
    ("… is a not-for-profit newsroom. Donate today.")."""
    if len(kept) < 2:
        return kept, removed
    pieces = SEGMENT_END.split(kept[-1])
    count = len(pieces)
    while pieces and is_tagline(pieces[-1]):
        removed.append((pieces.pop(), "tagline"))
    if len(pieces) < count:
        kept = kept[:-1] + ([" ".join(pieces)] if pieces else [])
    return kept, removed
