"""Scrubbing: take out of an article's text what is page furniture, not the article.

The rules are general ones about how web pages talk to readers (sign-up widgets, consent and
privacy lines, teaser prompts, share buttons, photo credits and captions, cookie notices), not
one publisher's phrases; a per-source memory (`LineMemory`) adds the lines a source repeats
under every article. Work happens per sentence-like segment, so a widget glued to the first
sentence of a dump record is cut out without losing the sentence. Every removal is kept with its
reason for staff review.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from headlines.intake.scrubbing import furniture

# Where one sentence-like segment ends and the next begins.
SEGMENT_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)]?\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
# A caption's credit "(Jane Doe/Metro Wire)" ends it even without a full stop.
CREDIT_THEN_TEXT = re.compile(r"(\([^()]{1,60}/[^()]{1,60}\))\s+(?=[A-Z])")
REPORTING = re.compile(
    r"\b(said|says|told|according to|announced|reported|confirmed|added|stated)\b", re.I
)
WORDS = re.compile(r"\w+")
NOT_LETTERS = re.compile(r"[\W\d_]+")
# Only lines this short are learned as a source's furniture; longer ones are always read.
LEARNED_MAX_WORDS = 30

# A segment that is only a prompt: "Read more", "Related stories", "Share this article", …
PROMPT_ONLY = re.compile(
    r"^\W*(read (more|next|this|also|the full story)|related( articles?| stories| coverage| "
    r"content| reading| topics)?|see also|more (on this( story)?|from [\w' ]{1,30}|stories|news)|"
    r"recommended( for you| reading)?|most (read|popular|viewed|shared)|trending( now)?|"
    r"also read|up next|watch( now| video| the video)?|listen( now| to this( article| story)?)?|"
    r"share( this| the)?( article| story| page)?|tweet( this)?|e-?mail( this)?|print( this)?|"
    r"copy (link|url)|advertisement|advert|ad|sponsored( content| post)?|promoted|"
    r"continue reading|(find out|learn) more|(show|view|hide|load) (comments|more)|"
    r"comments?|load more|"
    r"skip to (main )?content|back to top|top stories|latest( news| stories)?|"
    r"you (may|might) also (like|be interested in)|don'?t miss|editor'?s picks?|"
    r"(click|tap) here[\w ]{0,40}|explore more|more like this)\W*$",
    re.I,
)
# A teaser: "Read more: Council votes…", "RELATED | Fire season starts early".
PROMPT_PREFIX = re.compile(
    r"^\W*(read (more|next|also)|related( story| stories| article| coverage)?|see also|"
    r"also read|more on (this|that)|recommended|watch|listen|more from [\w' ]{1,30}|"
    r"further reading|in (other|related) news|opinion)( \w+){0,2}"
    r"\s*[:|\u00bb\u203a>\u2013\u2014-]\s*\S",
    re.I,
)
NEWSLETTER = re.compile(
    r"\b(news ?letters?|sign(ing|ed)? ?up|subscrib(e|ed|er|ers|ing|tion)|inbox|"
    r"e-?mail( address)?|unsubscribe|mailing list|alerts?|briefing|digest|"
    r"delivered (daily|weekly|every)|opt[ -]?(in|out))\b",
    re.I,
)
CALL_TO_ACTION = re.compile(
    r"^\W*(get|sign ?up|subscribe|join|enter|receive|want|never miss|stay (informed|"
    r"up[- ]to[- ]date|in the know|ahead)|be the first|follow|register|start your|"
    r"try|sign in|log ?in|create (a|your) (free )?account|drop your|give us your)\b",
    re.I,
)
THANKS = re.compile(
    r"^\W*(thanks?|thank you)( you)? for (signing ?up|subscribing|registering|joining|reading)"
    r"|^\W*(you'?re|you are) (all set|(now )?subscribed|on the list|signed up)"
    r"|^\W*(success|almost done|check your (inbox|e-?mail))\b",
    re.I,
)
AGREEMENT = re.compile(
    r"\bby (signing ?up|subscribing|clicking|registering|continuing|submitting|entering|"
    r"using this (site|website))\b|\bplease (enter|provide|type) a valid\b|"
    r"\binvalid e-?mail\b|\bwe'?ll never share\b|\bunsubscribe at any time\b",
    re.I,
)
CONSENT = re.compile(
    r"\b(privacy (policy|notice|statement|settings|centre|center)|terms (of (use|service)|"
    r"(&|and) conditions)|cookies?( policy| settings| preferences| notice)?|consent|"
    r"your privacy|accept (all|cookies)|reject (all|cookies)|"
    r"manage (preferences|settings|choices|cookies)|"
    r"your (data|choices)|personali[sz]ed (ads|advertising|content)|gdpr|legitimate interest|"
    r"partners (use|store))\b",
    re.I,
)
SHARE = re.compile(
    r"\b(share (this|on|via|the|your)|follow us|like us|find us on|join us on|tweet (this|us)|"
    r"share on|facebook|twitter|whatsapp|linkedin|pinterest|reddit|telegram|instagram|"
    r"tiktok|bluesky|threads|youtube)\b",
    re.I,
)
PLATFORMS = re.compile(
    r"\b(facebook|twitter|whatsapp|linkedin|pinterest|reddit|telegram|instagram|tiktok|"
    r"bluesky|youtube|email|messenger|x)\b",
    re.I,
)
CAPTION_PREFIX = re.compile(
    r"^\W*(photo(graph)?s?|pictures?|images?|illustration|video|graphic|pictured|file photo|"
    r"main image|top image|credit|source|caption|gallery)\s*(by|credit)?\s*[:|/\u2013\u2014-]",
    re.I,
)
AGENCIES = (
    r"photo|photograph|getty|reuters|ap|afp|epa|pa|shutterstock|alamy|file|handout|courtesy|"
    r"supplied|staff|press association|images?|wire|agency|pool"
)
CAPTION_CREDIT = re.compile(
    r"(\(\s*(?:[A-Z][^()]{0,60}/[^()]{1,60}|[^()]{0,60}\b(?:" + AGENCIES + r")\b[^()]{0,60})\)"
    r"|\b(?:photo(?:graph)?|image|picture|credit)s?\s*(?:credit)?\s*[:©]\s*[\w .,'&/-]{2,60}"
    r"|©\s*[\w .,'&/-]{2,60}|\bvia getty images|\|\s*[\w .,'&/-]{2,60})\s*\W?\s*$",
    re.I,
)
CONSENT_ONLY = re.compile(
    r"^\W*(accept( all| cookies| and (close|continue))?|reject( all)?|allow all|i agree|"
    r"i accept|agree|ok(ay)?|got it|manage (preferences|settings|cookies|options)|"
    r"more options|customi[sz]e|necessary only|essential only)\W*$",
    re.I,
)
# Cheap substring pre-checks (a superset of what the regexes below them can match): most
# sentences of most articles contain none, and a substring test costs a tenth of a search.
VOCABULARY_HINTS = (
    "news", "sign", "subscri", "inbox", "mail", "alert", "briefing", "digest", "delivered",
    "opt", "privacy", "terms", "cookie", "consent", "accept", "reject", "manage", "your ",
    "personali", "gdpr", "legitimate", "partners", "share", "follow", "like us", "find us",
    "join us", "tweet", "facebook", "twitter", "whatsapp", "linkedin", "pinterest", "reddit",
    "telegram", "instagram", "tiktok", "bluesky", "threads", "youtube",
)  # fmt: skip
AGREEMENT_HINTS = ("by ", "please", "invalid", "never share", "unsubscribe")
CREDIT_HINTS = ("(", ":", "\u00a9", "|", "getty")
READER = re.compile(r"\b(you|your|we|our|us|this (site|website|page|app))\b", re.I)
# What sign-up forms label their fields and buttons with: "Email address", "Register".
FORM_LABEL = re.compile(
    r"^\W*((your|type your|enter your)? ?e-?mail( address)?|register|submit|send( it)?( to me)?|"
    r"sign ?(me )?up|sign in|log ?in|subscribe|join|go|password|first name|last name|"
    r"(your )?name|postcode|zip code)\W*$",
    re.I,
)
SHARE_START = re.compile(r"^\W*(share|tweet|follow us|like us|find us)\b", re.I)
ADVERT = re.compile(r"^\W*(advertisement|sponsored|promoted|paid (content|post)|ad)\b", re.I)
TIMESTAMP = re.compile(
    r"^\W*(published|updated|last updated|posted|first published|modified)\b[\w ,:./+-]{0,60}$",
    re.I,
)
BYLINE = re.compile(r"^\W*[Bb]y [A-Z][\w.'-]+( [A-Z][\w.'-]+){0,3}([,|] [\w ,|]{0,40})?$")


@dataclass(frozen=True)
class Removed:
    text: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "reason": self.reason}


class LineMemory(Protocol):
    """What one source's past articles have taught: which lines repeat under every article."""

    def prefetch(self, keys: Iterable[str]) -> None: ...

    def is_repeated(self, key: str) -> bool: ...

    def record(self, keys: Iterable[str], examples: dict[str, str]) -> None: ...


def line_key(line: str) -> str:
    """Lines that differ only in case, digits or spacing are the same line of furniture."""
    normal = " ".join(NOT_LETTERS.split(line.lower()))
    return hashlib.blake2b(normal.encode(), digest_size=12).hexdigest()


def segments(paragraph: str) -> list[str]:
    pieces = SEGMENT_END.split(paragraph)
    if "/" in paragraph:
        pieces = [part for piece in pieces for part in _after_credits(piece)]
        pieces = [part for piece in pieces for part in furniture.split_glued_credit(piece)]
    return [s.strip() for s in pieces if s.strip()]


def _after_credits(piece: str) -> list[str]:
    parts, start = [], 0
    for match in CREDIT_THEN_TEXT.finditer(piece):
        parts.append(piece[start : match.end(1)])
        start = match.end()
    parts.append(piece[start:])
    return parts


def classify(segment: str) -> str | None:
    """The reason `segment` is page furniture, or None when it reads as article text."""
    words = _count(segment)
    if not words:
        return "empty"
    if PROMPT_ONLY.match(segment) or (words <= 30 and PROMPT_PREFIX.match(segment)):
        return "prompt"
    if CONSENT_ONLY.match(segment):
        return "consent"
    if words <= 5 and FORM_LABEL.match(segment):
        return "newsletter"
    if words <= 12 and SHARE_START.match(segment) and not REPORTING.search(segment):
        return "share"
    lower = segment.lower()
    if THANKS.match(segment) or (
        any(h in lower for h in AGREEMENT_HINTS) and AGREEMENT.search(segment)
    ):
        return "newsletter"
    reporting = bool(REPORTING.search(segment))
    if words <= 40 and not reporting and CAPTION_PREFIX.match(segment):
        return "caption"
    if (
        words <= 45
        and not reporting
        and any(h in lower for h in CREDIT_HINTS)
        and CAPTION_CREDIT.search(segment)
    ):
        return "caption"
    if words <= 6 and (ADVERT.match(segment) or TIMESTAMP.match(segment)):
        return "advert" if ADVERT.match(segment) else "timestamp"
    if words <= 10 and BYLINE.match(segment):
        return "byline"
    if reporting and words > 12:
        return None
    return furniture.classify_more(segment, words, lower) or _weak_rules(segment, words)


def _weak_rules(segment: str, words: int) -> str | None:
    """Vocabulary that is furniture when short and imperative, news when it is a story."""
    lower = segment.lower()
    if words > 60 or not any(hint in lower for hint in VOCABULARY_HINTS):
        return None
    newsletter = len(NEWSLETTER.findall(segment))
    consent = len(CONSENT.findall(segment))
    share = len(SHARE.findall(segment))
    if newsletter and words <= 30 and (CALL_TO_ACTION.match(segment) or newsletter >= 2):
        return "newsletter"
    if consent and words <= 45 and (consent >= 2 or _addresses_reader(segment)):
        return "consent"
    if share and words <= 20 and (len(PLATFORMS.findall(segment)) >= 2 or share >= 2):
        return "share"
    if newsletter + consent + share >= 3 and words <= 60:
        return "newsletter" if newsletter >= consent else "consent"
    return None


def _count(text: str) -> int:
    """Words, roughly: whitespace-separated tokens (a regex pass per line costs too much)."""
    return len(text.split())


def _addresses_reader(segment: str) -> bool:
    return bool(READER.search(segment))


def scrub(
    paragraphs: Iterable[str], memory: LineMemory | None = None
) -> tuple[list[str], list[Removed]]:
    """The article's paragraphs without furniture, and what was removed and why."""
    paragraphs = [" ".join(p.split()) for p in paragraphs if p.strip()]
    if memory is not None:
        memory.prefetch(())
    kept, removed = _scrub(paragraphs, memory)
    if memory is not None and _repetition_ate_the_story(kept, removed):
        # A source that repeats whole sentences of news (wire boilerplate) must not lose its
        # article to what it learned: furniture never outweighs the story.
        kept, removed = _scrub(paragraphs, None)
    if memory is not None:
        memory.record(*_learnable(paragraphs, kept))
    return kept, removed


def _scrub(paragraphs: list[str], memory: LineMemory | None) -> tuple[list[str], list[Removed]]:
    kept: list[str] = []
    removed: list[Removed] = []
    for paragraph in paragraphs:
        if memory is not None and _is_learned(paragraph, memory):
            removed.append(Removed(paragraph, "repeated"))
            continue
        parts: list[str] = []
        last = None
        for segment in _unglued(segments(paragraph)):
            if memory is not None and segment != paragraph and _is_learned(segment, memory):
                removed.append(Removed(segment, "repeated"))
                continue
            reason = classify(segment)
            if reason is None and last == "prompt" and furniture.headline_like(segment):
                reason = "prompt"  # a teaser's headline runs on past its question mark
            last = reason
            if reason:
                removed.append(Removed(segment, reason))
            else:
                parts.append(segment)
        if parts and last == "caption" and _is_caption(parts):
            # A caption ends in its credit: what stands before the credit is the caption.
            removed[-1:] = [Removed(" ".join([*parts, removed[-1].text]), "caption")]
            parts = []
        if parts:
            kept.append(" ".join(parts))
    kept, more = furniture.lists_and_taglines(kept, [])
    return kept, removed + [Removed(text, reason) for text, reason in more]


def _unglued(pieces: list[str]) -> list[str]:
    """A teaser whose headline has no full stop is cut from the sentence glued after it."""
    out: list[str] = []
    for piece in pieces:
        match = PROMPT_PREFIX.match(piece)
        split = match and furniture.split_after_glued_headline(
            piece, len(piece[: match.end() - 1].split())
        )
        out.extend(split or [piece])
    return out


def _is_caption(parts: list[str]) -> bool:
    text = " ".join(parts)
    return _count(text) <= 30 and not REPORTING.search(text) and not text.endswith(":")


def _is_learned(line: str, memory: LineMemory) -> bool:
    return _count(line) <= LEARNED_MAX_WORDS and memory.is_repeated(line_key(line))


def _repetition_ate_the_story(kept: list[str], removed: list[Removed]) -> bool:
    learned = sum(_count(r.text) for r in removed if r.reason == "repeated")
    return learned > 0 and learned >= sum(_count(k) for k in kept)


def _learnable(paragraphs: list[str], kept: list[str]) -> tuple[list[str], dict[str, str]]:
    """Short paragraphs, and the closing sentence where taglines sit ("X is a nonprofit …")."""
    lines = [p for p in paragraphs if _count(p) <= LEARNED_MAX_WORDS]
    if kept:
        last = segments(kept[-1])[-1:]
        lines += [s for s in last if s != kept[-1] and _count(s) >= 4]
    examples = {line_key(line): line[:300] for line in lines}
    return list(examples), examples
