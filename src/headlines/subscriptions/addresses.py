"""Checking a reader's email address: syntax always, DNS deliverability when configured."""

from __future__ import annotations

import logging
import unicodedata
from functools import cache
from typing import Any

from django.conf import settings

from headlines.core.errors import InvalidInput
from headlines.subscriptions.hashing import normalise_email
from headlines.subscriptions.wording import INTERNATIONAL_EMAIL, INVALID_EMAIL

log = logging.getLogger(__name__)

DNS_TIMEOUT_SECONDS = 3
MAX_LOCAL_PART = 64  # octets before the @ (RFC 5321, 4.5.3.1.1)


def email_validate(raw: object, *, check_dns: bool | None = None, resolver: Any = None) -> str:
    """The normalised address, or InvalidInput(INVALID_EMAIL, field="email")
    (INTERNATIONAL_EMAIL for an address that is one but for its letters beyond ASCII before the @).

    Line breaks, NUL and other control characters are refused before the validator sees them:
    they are how a header injection (`a@b.com\\r\\nBcc: x@y`) starts. International local parts
    are refused too, because not every relay speaks SMTPUTF8; international domains are kept in
    their ASCII (IDNA) form.
    """
    if not isinstance(raw, str):
        raise InvalidInput(INVALID_EMAIL, field="email")
    value = raw.strip()
    if not value or len(value) > 254 or any(_is_control(ch) for ch in value):
        raise InvalidInput(INVALID_EMAIL, field="email")
    # RFC 5321's 64 octets before the @ (email-validator lets 65 and more through): a relay
    # refuses a longer one at RCPT TO, and the reader would wait for a confirmation forever.
    if len(value.rpartition("@")[0]) > MAX_LOCAL_PART:
        raise InvalidInput(INVALID_EMAIL, field="email")
    # email-validator loads dnspython: commands that never read an address do not pay for it.
    from email_validator import EmailNotValidError, validate_email

    try:
        info = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except (EmailNotValidError, UnicodeError):
        if not value.rpartition("@")[0].isascii() and _valid_international(value):
            raise InvalidInput(INTERNATIONAL_EMAIL, field="email") from None
        raise InvalidInput(INVALID_EMAIL, field="email") from None
    address = normalise_email(info.ascii_email or info.normalized)
    if check_dns is None:
        check_dns = bool(settings.CONFIG["HEADLINES_EMAIL_CHECK_DNS"])
    if check_dns and not _domain_accepts_mail(address, resolver):
        raise InvalidInput(INVALID_EMAIL, field="email")
    return address


def _valid_international(value: str) -> bool:
    """Would `value` be an address if SMTPUTF8 were allowed?"""
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False, allow_smtputf8=True)
    except (EmailNotValidError, UnicodeError):
        return False
    return True


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}


def _domain_accepts_mail(address: str, resolver: Any) -> bool:
    """False only when DNS answered that the domain takes no mail; unreachable DNS means True."""
    from email_validator import EmailUndeliverableError, validate_email

    try:
        if resolver is None:
            import dns.resolver

            resolver = dns.resolver.Resolver()
            resolver.lifetime = DNS_TIMEOUT_SECONDS
        info = validate_email(
            address, check_deliverability=True, allow_smtputf8=False, dns_resolver=resolver
        )
    except EmailUndeliverableError as exc:
        # email-validator wraps "could not ask" errors in the same class as "the answer was no".
        if str(exc).startswith("There was an error while checking"):
            # The domain, not the address: a log line outlives the reader's erasure.
            domain = address.rpartition("@")[2]
            log.warning("DNS check of %s failed (%s); accepting on syntax", domain, exc)
            return True
        return False
    except Exception as exc:  # no resolver configuration, no network: the documented fallback
        log.warning("DNS unreachable (%s); accepting the address on its syntax", exc)
        return True
    if getattr(info, "mx_fallback_type", None) is None and not getattr(info, "mx", None):
        domain = address.rpartition("@")[2]
        log.warning("DNS gave no answer for %s; accepting on syntax", domain)
    return True


# Mailbox providers most readers use. A domain one slip away from one of these is far more
# likely a typo (gmial.com) than a real domain; a reader only gets a question, never a refusal.
WELL_KNOWN_DOMAINS = (
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "ymail.com",
    "hotmail.com", "hotmail.co.uk", "hotmail.fr", "outlook.com", "live.com", "msn.com",
    "icloud.com", "me.com", "mac.com", "aol.com", "protonmail.com", "proton.me", "gmx.com",
    "gmx.de", "gmx.net", "web.de", "t-online.de", "mail.com", "comcast.net", "verizon.net",
    "att.net", "btinternet.com", "sky.com", "virginmedia.com", "orange.fr", "free.fr",
    "laposte.net", "libero.it", "yandex.ru", "qq.com", "163.com",
)  # fmt: skip


def likely_typo(address: str) -> str | None:
    """The address with a well-known domain when its domain looks like a slip of one, else None.

    `ann@gmial.com` → `ann@gmail.com`; `ann@yahoo.con` → `ann@yahoo.com`. The domain must be one
    edit (a letter added, dropped, changed, or two neighbours swapped) from a provider's domain;
    short domains (me.com, qq.com) only count when the name before the dot is the provider's
    own, so that `mo.com` is not taken for `me.com`.
    """
    local, _, domain = address.rpartition("@")
    domain = domain.lower()
    if not local or not domain or domain in WELL_KNOWN_DOMAINS:
        return None
    known = _one_slip_away().get(domain)
    return f"{local}@{known}" if known else None


@cache
def _one_slip_away() -> dict[str, str]:
    """Every domain one slip from a well-known one, mapped to it (~30,000 keys, built once).

    A lookup on the sign-up path instead of an edit distance to each provider per request.
    Variants that are themselves well known, or one slip from two providers, are left out.
    """
    letters = "abcdefghijklmnopqrstuvwxyz0123456789.-"
    found: dict[str, set[str]] = {}
    for known in WELL_KNOWN_DOMAINS:
        name = known.split(".", 1)[0]
        for variant in _slips(known, letters):
            if len(known) < 8 and variant.split(".", 1)[0] != name:
                continue
            found.setdefault(variant, set()).add(known)
    return {
        variant: next(iter(knowns))
        for variant, knowns in found.items()
        if len(knowns) == 1 and variant not in WELL_KNOWN_DOMAINS
    }


def _slips(word: str, letters: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    dropped = {a + b[1:] for a, b in splits if b}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1 and b[0] != b[1]}
    changed = {a + c + b[1:] for a, b in splits if b for c in letters if c != b[0]}
    added = {a + c + b for a, b in splits for c in letters}
    return (dropped | swapped | changed | added) - {word}
