"""Every scrubbing rule, in one list, in the order they are tried.

A rule names the reason it gives (newsletter, consent, prompt, paywall, share, caption,
byline, timestamp, advert, promotion), the longest segment it may judge, cheap substring hints
that must be present before its pattern runs, and whether a segment that reports ("… officials
said") is beyond it. The first rule that matches decides; a segment no rule matches is the
article's. Rules about runs of lines (menus, related lists, taglines) are in structure.py,
because they judge paragraphs in context rather than one segment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from headlines.intake.scrubbing import patterns as p
from headlines.intake.scrubbing.segments import closes_a_sentence, units

# A segment that reports and is longer than this is never furniture for the weaker rules.
REPORT_WORDS = 12


class Segment:
    """One sentence-like piece of a paragraph, with what the rules ask of it computed once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.words = units(text)
        self._hints: dict[int, bool] = {}

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def reports(self) -> bool:
        return bool(p.REPORTING.search(self.text))

    def has(self, hints: tuple[str, ...]) -> bool:
        """Whether any hint is a substring; several rules share one tuple, checked once."""
        found = self._hints.get(id(hints))
        if found is None:
            lower = self.lower
            found = self._hints[id(hints)] = any(h in lower for h in hints)
        return found

    @cached_property
    def newsletter(self) -> int:
        return len(p.NEWSLETTER.findall(self.text))

    @cached_property
    def consent(self) -> int:
        return len(p.CONSENT.findall(self.text))

    @cached_property
    def share(self) -> int:
        return len(p.SHARE.findall(self.text))


@dataclass(frozen=True)
class Rule:
    name: str
    reason: str
    matches: Callable[[Segment], bool]
    max_words: int = 10_000
    hints: tuple[str, ...] = ()
    # "any": reporting does not matter; "never": a reporting segment is beyond this rule;
    # "short": beyond it when the reporting segment is longer than REPORT_WORDS.
    reporting: str = "any"

    def applies(self, segment: Segment) -> bool:
        if segment.words > self.max_words:
            return False
        if self.reporting == "never" and segment.reports:
            return False
        if self.reporting == "short" and segment.reports and segment.words > REPORT_WORDS:
            return False
        if self.hints and not segment.has(self.hints):
            return False
        return self.matches(segment)


def _teaser(s: Segment) -> bool:
    """A prompt and a headline: "Read more: Council votes …", "Watch: the moment …". A longer
    label before a full sentence is the article's ("Watch out - the storm reaches the coast
    on Friday.", "Recommended dose: two tablets a day.")."""
    match = p.PROMPT_PREFIX.match(s.text)
    if match is None:
        return False
    return not match.group("more") or not p.STATEMENT_END.search(s.text)


def _thanks(s: Segment) -> bool:
    """A form's thanks ("Thanks for signing up!"); not someone quoted saying it."""
    return bool(p.THANKS.match(s.text)) and not p.QUOTE_OPEN.match(s.text)


def _agreement(s: Segment) -> bool:
    """A sign-up form's small print: its errors and promises, or its terms said to the reader
    ("By signing up you agree …"); "He made his fortune by subscribing early" is not."""
    if p.AGREEMENT.search(s.text):
        return True
    return bool(p.AGREEMENT_TO_READER.search(s.text)) and bool(p.READER.search(s.text))


def _promo(s: Segment) -> bool:
    if not (p.PROMO_WORDS.search(s.text) and p.PROMO_PITCH.search(s.text)):
        return False
    return not closes_a_sentence(s.text) or bool(p.FREE_OFFER.search(s.text))


def _weak_newsletter(s: Segment) -> bool:
    """A call to sign up, or a label or an address to the reader that names the widget twice
    ("Email alerts", "Our newsletter, in your inbox"). A sentence of the article that names
    email twice without addressing anyone ("… maybe it's in her email inbox.") is not one."""
    if not s.newsletter:
        return False
    if p.CALL_TO_ACTION.match(s.text):
        return True
    return s.newsletter >= 2 and _addressed(s)


def _weak_consent(s: Segment) -> bool:
    """Two consent words, or one that only a banner uses ("cookies", "privacy policy") said to
    the reader; "consent" or "your data" alone is how articles talk too."""
    if not s.consent:
        return False
    if s.consent >= 2:
        return True
    return bool(p.READER.search(s.text)) and not p.CONSENT_IN_PROSE.fullmatch(
        p.CONSENT.search(s.text).group()  # type: ignore[union-attr]
    )


def _weak_share(s: Segment) -> bool:
    """Two platforms or share words, in a bar or said to the reader ("Follow us on …"); a
    sentence that names Facebook twice and addresses no one is the article's."""
    if not (s.share and (len(p.PLATFORMS.findall(s.text)) >= 2 or s.share >= 2)):
        return False
    return _addressed(s)


def _channel_call(s: Segment) -> bool:
    """A call to follow the site on a platform (patterns.FOLLOW_CALL and OWN_CHANNEL)."""
    if not p.PLATFORMS.search(s.text):
        return False
    if p.FOLLOW_CALL.match(s.text) and p.OWN_MARK.search(s.text):
        return True
    return bool(p.OWN_CHANNEL.search(s.text)) and not p.STATEMENT_END.search(s.text)


def _addressed(s: Segment) -> bool:
    """Not a statement ending in a full stop (a label, a cry, a question: "… and more!"), or
    one that calls or speaks to the reader."""
    return (
        not p.STATEMENT_END.search(s.text)
        or bool(p.CALL_TO_ACTION.match(s.text))
        or bool(p.READER.search(s.text))
    )


def _mixed(s: Segment) -> str | None:
    total = s.newsletter + s.consent + s.share
    if total < 3 or not _addressed(s):
        return None
    return "newsletter" if s.newsletter >= s.consent else "consent"


RULES: list[Rule] = [
    # A short line that ends in a photo credit is a caption, even when it reports: "Crowds
    # gather as the plan is announced (AFP via Getty Images)".
    Rule(
        "photo credit",
        "caption",
        lambda s: bool(p.CREDIT_AT_END.search(s.text)),
        max_words=30,
        hints=("(",),
    ),
    Rule("prompt only", "prompt", lambda s: bool(p.PROMPT_ONLY.match(s.text))),
    Rule("teaser", "prompt", _teaser, max_words=30),
    # A button's label; "Okay." or "“I agree!" with a sentence's stop is someone speaking.
    Rule(
        "consent button",
        "consent",
        lambda s: bool(p.CONSENT_ONLY.match(s.text)) and not closes_a_sentence(s.text),
    ),
    Rule("form label", "newsletter", lambda s: bool(p.FORM_LABEL.match(s.text)), max_words=5),
    Rule(
        "share prompt",
        "share",
        lambda s: bool(p.SHARE_START.match(s.text)),
        max_words=12,
        reporting="never",
    ),
    Rule(
        "channel call",
        "share",
        _channel_call,
        max_words=30,
        hints=p.PLATFORM_HINTS,
        reporting="never",
    ),
    Rule(
        "social profile",
        "share",
        lambda s: bool(p.SOCIAL_PROFILE.search(s.text)),
        max_words=8,
        hints=(".com/", ".me/"),
    ),
    Rule("thanks", "newsletter", _thanks, reporting="short"),
    Rule("sign-up agreement", "newsletter", _agreement, hints=p.AGREEMENT_HINTS),
    Rule(
        "caption label",
        "caption",
        lambda s: bool(p.CAPTION_PREFIX.match(s.text)),
        max_words=40,
        reporting="never",
    ),
    Rule(
        "caption credit",
        "caption",
        lambda s: bool(p.CAPTION_CREDIT.search(s.text)),
        max_words=45,
        hints=p.CREDIT_HINTS,
        reporting="never",
    ),
    Rule(
        "paywall prompt",
        "paywall",
        lambda s: bool(p.PAYWALL.search(s.text)),
        max_words=40,
        hints=p.PAYWALL_HINTS,
        reporting="never",
    ),
    Rule(
        "copyright notice",
        "copyright",
        lambda s: bool(p.COPYRIGHT.search(s.text)),
        max_words=30,
        hints=p.COPYRIGHT_HINTS,
        reporting="never",
    ),
    Rule(
        "print note",
        "timestamp",
        lambda s: bool(p.PRINT_NOTE.match(s.text)),
        max_words=60,
        hints=("version of", "originally"),
    ),
    Rule("contact line", "byline", lambda s: bool(p.CONTACT_LINE.match(s.text)), max_words=12),
    Rule("advert label", "advert", lambda s: bool(p.ADVERT.match(s.text)), max_words=6),
    Rule("timestamp", "timestamp", lambda s: bool(p.TIMESTAMP.match(s.text)), max_words=6),
    Rule("byline", "byline", lambda s: bool(p.BYLINE.match(s.text)), max_words=10),
    Rule(
        "promotion marker",
        "promotion",
        lambda s: bool(p.MARKER.match(s.text)),
        max_words=10,
        hints=p.MARKER_HINTS,
        reporting="never",
    ),
    Rule(
        "wire sign-off",
        "byline",
        lambda s: bool(p.SIGN_OFF.match(s.text)),
        max_words=20,
        hints=(" by ",),
        reporting="never",
    ),
    Rule(
        "agency sign-off",
        "byline",
        lambda s: bool(p.AGENCY_SIGN_OFF.match(s.text)),
        max_words=6,
        hints=("/",),
    ),
    Rule(
        "link text",
        "prompt",
        lambda s: bool(p.LINK_TEXT.search(s.text)),
        max_words=12,
        hints=("new ",),
        reporting="never",
    ),
    Rule(
        "credit line",
        "caption",
        lambda s: bool(p.CREDIT_LINE.match(s.text)),
        max_words=14,
        reporting="never",
    ),
    Rule(
        "small print",
        "newsletter",
        lambda s: bool(p.SMALL_PRINT.search(s.text)),
        max_words=60,
        hints=p.PROMO_HINTS,
        reporting="never",
    ),
    Rule("promo", "newsletter", _promo, max_words=25, hints=p.PROMO_HINTS, reporting="never"),
    Rule(
        "newsletter pitch",
        "newsletter",
        _weak_newsletter,
        max_words=30,
        hints=p.VOCABULARY_HINTS,
        reporting="short",
    ),
    Rule(
        "consent line",
        "consent",
        _weak_consent,
        max_words=45,
        hints=p.VOCABULARY_HINTS,
        reporting="short",
    ),
    Rule(
        "share bar",
        "share",
        _weak_share,
        max_words=20,
        hints=p.VOCABULARY_HINTS,
        reporting="short",
    ),
    Rule(
        "widget vocabulary",
        "newsletter",
        lambda s: _mixed(s) == "newsletter",
        max_words=60,
        hints=p.VOCABULARY_HINTS,
        reporting="short",
    ),
    Rule(
        "consent vocabulary",
        "consent",
        lambda s: _mixed(s) == "consent",
        max_words=60,
        hints=p.VOCABULARY_HINTS,
        reporting="short",
    ),
]


def classify(text: str, skip: frozenset[str] = frozenset()) -> str | None:
    """The reason `text` (one segment) is page furniture, or None when it reads as article;
    rules whose reason is in `skip` are not tried."""
    segment = Segment(text)
    if not segment.words:
        return "empty"
    # A long sentence that reports is beyond every rule but those that ignore reporting: one
    # check instead of one per rule (most of an article's sentences end here).
    rules = RULES
    if segment.words > REPORT_WORDS and segment.reports:
        rules = _REPORT_BLIND
    for rule in rules:
        if rule.reason not in skip and rule.name not in skip and rule.applies(segment):
            return rule.reason
    return None


_REPORT_BLIND = [rule for rule in RULES if rule.reporting == "any"]

# The rules that judge by vocabulary alone, by the vocabulary they count.
VOCABULARY_RULES = {
    p.NEWSLETTER: ("newsletter pitch", "widget vocabulary"),
    p.CONSENT: ("consent line", "consent vocabulary"),
    p.SHARE: ("share bar",),
}
# An article that itself uses a family's words this often is about them (a story on email
# privacy, on Facebook, on cookies): that family's vocabulary tells nothing on its page.
TOPIC_HITS = 3


def topical(kept: list[str]) -> frozenset[str]:
    """Names of the vocabulary rules that `kept`, the article as first scrubbed, makes
    unreliable because it uses their words itself."""
    text = " ".join(kept)
    names: set[str] = set()
    for pattern, rules in VOCABULARY_RULES.items():
        if len(pattern.findall(text)) >= TOPIC_HITS:
            names.update(rules)
    return frozenset(names)


def is_tagline(text: str) -> bool:
    """A closing line in which the publisher describes itself or asks for support."""
    words = units(text)
    if words > 35 or p.REPORTING.search(text):
        return False
    if words <= 10 and (p.SUPPORT_CALL.match(text) or p.TIP_LINE.match(text)):
        return True
    return bool(p.SELF_DESCRIPTION.match(text))
